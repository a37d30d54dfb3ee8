import { z } from 'zod';
import { Ok, TenantParams, type RouteRegistry } from '../http/registry.js';
import { ApiError } from '../errors.js';
import { serviceName } from '../services/tenants.js';
import type { TenantRow } from '../store/schema.js';
import { AccountView, accountView } from './auth.js';

const Model = z.union([z.literal(10), z.literal(50), z.literal(100)]);
const Lang = z.enum(['ja', 'en']).default('ja');

const TenantView = z.strictObject({ id: z.string(), name: z.string(), model: Model, service: z.string(), createdAt: z.number() });
const tenantView = (t: TenantRow) => ({ id: t.id, name: t.name, model: t.model as 10 | 50 | 100, service: serviceName(t.model), createdAt: t.created_at });

const ServiceEntry = z.strictObject({ tenantId: z.string(), tenantName: z.string(), service: z.string(), model: Model, consolePath: z.string() });

export function tenantRoutes(r: RouteRegistry): void {
  r.add({
    method: 'POST',
    url: '/api/tenants',
    area: 'tenants',
    summary: 'Create a tenant with its gateway model and administrator (who is mailed the login URL and a password-setting link)',
    access: 'operator',
    tenantScoped: false,
    status: 201,
    body: z.strictObject({
      name: z.string().trim().min(1).max(128),
      model: Model,
      admin: z.strictObject({ email: z.email().max(254), name: z.string().trim().min(1).max(128), lang: Lang }),
    }),
    response: z.strictObject({ tenant: TenantView, admin: AccountView }),
    handler: async ({ body, auth, services }) => {
      const actor = auth.kind === 'session' ? auth.account.id : 'system';
      const r2 = await services.tenants.create(body, actor);
      return { tenant: tenantView(r2.tenant), admin: accountView(r2.admin) };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/tenants',
    area: 'tenants',
    summary: 'All tenants',
    access: 'operator',
    tenantScoped: false,
    response: z.strictObject({ tenants: z.array(TenantView) }),
    handler: async ({ services }) => ({ tenants: (await services.store.tenants.list()).map(tenantView) }),
  });
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId',
    area: 'tenants',
    summary: 'One tenant',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    response: TenantView,
    handler: async ({ tenantId, services }) => {
      const t = await services.store.tenant(tenantId).info();
      if (!t) throw new ApiError('tenant.not_found');
      return tenantView(t);
    },
  });
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/accounts',
    area: 'tenants',
    summary: "The tenant's accounts",
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    response: z.strictObject({ accounts: z.array(AccountView) }),
    handler: async ({ tenantId, services }) => ({ accounts: (await services.store.tenant(tenantId).accounts.list()).map(accountView) }),
  });
  r.add({
    method: 'POST',
    url: '/api/tenants/:tenantId/accounts',
    area: 'tenants',
    summary: 'Add an administrator or viewer account to the tenant (mailed like a new tenant administrator)',
    access: 'tenantAdmin',
    tenantScoped: true,
    status: 201,
    params: TenantParams,
    body: z.strictObject({ email: z.email().max(254), name: z.string().trim().min(1).max(128), lang: Lang, role: z.enum(['tenantAdmin', 'tenantViewer']) }),
    response: AccountView,
    handler: async ({ tenantId, body, auth, services }) => {
      const actor = auth.kind === 'session' ? auth.account.id : 'system';
      return accountView(await services.tenants.addAccount(tenantId, body, actor));
    },
  });
  r.add({
    method: 'POST',
    url: '/api/tenants/:tenantId/accounts/:accountId/invite',
    area: 'tenants',
    summary: 'Send the new-account mail again with a fresh password-setting link',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: TenantParams.extend({ accountId: z.string().max(32) }),
    response: Ok,
    handler: async ({ tenantId, params, auth, services }) => {
      const a = await services.store.tenant(tenantId).accounts.get(params.accountId);
      if (!a) throw new ApiError('not_found');
      await services.auth.sendNewAccountMail(a);
      await services.store.tenant(tenantId).audit.add({ actor: auth.kind === 'session' ? auth.account.id : 'system', action: 'account.invite', target: a.id });
      return { ok: true as const };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/portal',
    area: 'tenants',
    summary: 'Service portal: the subscribed services (e.g. "Mamori Gateway 50") to open the console from',
    access: 'signedIn',
    tenantScoped: false,
    response: z.strictObject({ services: z.array(ServiceEntry) }),
    handler: async ({ auth, services }) => {
      if (auth.kind !== 'session') throw new ApiError('auth.required');
      const a = auth.account;
      const tenants = a.role === 'operator' ? await services.store.tenants.list() : a.tenant_id ? [await services.store.tenant(a.tenant_id).info()].filter((t): t is TenantRow => !!t) : [];
      return { services: tenants.map((t) => ({ tenantId: t.id, tenantName: t.name, service: serviceName(t.model), model: t.model as 10 | 50 | 100, consolePath: `/tenants/${t.id}/dashboard` })) };
    },
  });
}
