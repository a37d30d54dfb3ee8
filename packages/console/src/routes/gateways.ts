import { z } from 'zod';
import { EnrollRequest, EnrollResponse } from '@mamori/policy';
import { Ok, TenantParams, type RouteRegistry } from '../http/registry.js';
import { ApiError } from '../errors.js';
import { GatewayView, gatewayView } from '../services/gateways.js';

const GatewayParams = TenantParams.extend({ gatewayId: z.string().min(1).max(64) });
const actorOf = (auth: { kind: string; account?: { id: string } }) => (auth.kind === 'session' && auth.account ? auth.account.id : 'system');

export function gatewayRoutes(r: RouteRegistry): void {
  r.add({
    method: 'POST',
    url: '/api/gateway/enroll',
    area: 'gateways',
    summary: 'Enroll a gateway: a one-time token and a CSR in, a client certificate (signed by the console) out',
    access: 'public',
    tenantScoped: false,
    listener: 'both',
    csrfExempt: true,
    body: EnrollRequest,
    response: EnrollResponse,
    handler: async ({ body, services }) => services.gateways.enroll(body),
  });
  r.add({
    method: 'GET',
    url: '/api/gateway/sync',
    area: 'gateways',
    summary: 'WebSocket sync channel (mutual TLS): ServerMessage / GatewayMessage of @mamori/policy sync.ts, one JSON per frame',
    access: 'gateway',
    tenantScoped: false,
    listener: 'gateway',
    websocket: true,
    response: z.strictObject({}),
    handler: async () => {
      throw new ApiError('not_found');
    },
  });
  r.add({
    method: 'GET',
    url: '/api/gateway/whoami',
    area: 'gateways',
    summary: 'The gateway and tenant a client certificate belongs to',
    access: 'gateway',
    tenantScoped: false,
    listener: 'gateway',
    response: z.strictObject({ gatewayId: z.string(), tenantId: z.string() }),
    handler: async ({ auth }) => {
      if (auth.kind !== 'gateway') throw new ApiError('gateway.certificate_required');
      return { gatewayId: auth.gatewayId, tenantId: auth.tenantId };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/tenants/:tenantId/gateways/enrollment-tokens',
    area: 'gateways',
    summary: 'Create a one-time enrollment token (valid 7 days) for a new gateway',
    access: 'tenantAdmin',
    tenantScoped: true,
    status: 201,
    params: TenantParams,
    body: z.strictObject({ name: z.string().trim().min(1).max(128), groups: z.array(z.string().max(64)).max(32).default([]) }),
    response: z.strictObject({ id: z.string(), token: z.string(), expiresAt: z.number(), enrollUrl: z.string() }),
    handler: async ({ tenantId, body, auth, services }) => {
      const t = await services.gateways.createEnrollmentToken(tenantId, body, actorOf(auth));
      return { ...t, enrollUrl: `${services.gatewayUrl() ?? services.publicUrl()}/api/gateway/enroll` };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/gateways/enrollment-tokens',
    area: 'gateways',
    summary: 'Enrollment tokens (without the secret)',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    response: z.strictObject({ tokens: z.array(z.strictObject({ id: z.string(), name: z.string(), groups: z.array(z.string()), expiresAt: z.number(), usedAt: z.number().nullable(), createdAt: z.number() })) }),
    handler: async ({ tenantId, services }) => ({
      tokens: (await services.store.tenant(tenantId).enrollmentTokens.list()).map((t) => ({ id: t.id, name: t.name, groups: JSON.parse(t.groups_json) as string[], expiresAt: t.expires_at, usedAt: t.used_at, createdAt: t.created_at })),
    }),
  });
  r.add({
    method: 'DELETE',
    url: '/api/tenants/:tenantId/gateways/enrollment-tokens/:tokenId',
    area: 'gateways',
    summary: 'Revoke an enrollment token',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: TenantParams.extend({ tokenId: z.string().min(1).max(64) }),
    response: Ok,
    handler: async ({ tenantId, params, auth, services }) => {
      const ts = services.store.tenant(tenantId);
      if (!(await ts.enrollmentTokens.delete(params.tokenId))) throw new ApiError('not_found');
      await ts.audit.add({ actor: actorOf(auth), action: 'gateway.enrollment_token.delete', target: params.tokenId });
      return { ok: true as const };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/gateways',
    area: 'gateways',
    summary: 'Gateways with status (online/offline after 15 minutes without contact), version, interfaces and the last deployment result',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    response: z.strictObject({ gateways: z.array(GatewayView) }),
    handler: async ({ tenantId, services }) => ({ gateways: (await services.store.tenant(tenantId).gateways.list()).map((g) => gatewayView(g)) }),
  });
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/gateways/:gatewayId',
    area: 'gateways',
    summary: 'One gateway',
    access: 'tenantViewer',
    tenantScoped: true,
    params: GatewayParams,
    response: GatewayView,
    handler: async ({ tenantId, params, services }) => {
      const g = await services.store.tenant(tenantId).gateways.get(params.gatewayId);
      if (!g) throw new ApiError('not_found');
      return gatewayView(g);
    },
  });
  r.add({
    method: 'PATCH',
    url: '/api/tenants/:tenantId/gateways/:gatewayId',
    area: 'gateways',
    summary: 'Rename a gateway or set its gateway groups',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: GatewayParams,
    body: z.strictObject({ name: z.string().trim().min(1).max(128).optional(), groups: z.array(z.string().max(64)).max(32).optional() }),
    response: GatewayView,
    handler: async ({ tenantId, params, body, auth, services }) => {
      const ts = services.store.tenant(tenantId);
      const before = await ts.gateways.get(params.gatewayId);
      if (!before) throw new ApiError('not_found');
      if (body.groups) await services.gateways.checkGroups(tenantId, body.groups);
      await ts.gateways.update(params.gatewayId, { ...(body.name ? { name: body.name } : {}), ...(body.groups ? { groups_json: JSON.stringify(body.groups) } : {}) });
      const after = await ts.gateways.get(params.gatewayId);
      await ts.audit.add({ actor: actorOf(auth), action: 'gateway.update', target: params.gatewayId, before: { name: before.name, groups: JSON.parse(before.groups_json) }, after: body });
      return gatewayView(after ?? before);
    },
  });
  r.add({
    method: 'DELETE',
    url: '/api/tenants/:tenantId/gateways/:gatewayId',
    area: 'gateways',
    summary: 'Remove a gateway (its certificate stops working)',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: GatewayParams,
    response: Ok,
    handler: async ({ tenantId, params, auth, services }) => {
      const ts = services.store.tenant(tenantId);
      const g = await ts.gateways.get(params.gatewayId);
      if (!g || !(await ts.gateways.delete(params.gatewayId))) throw new ApiError('not_found');
      services.hub.disconnect(params.gatewayId);
      await ts.audit.add({ actor: actorOf(auth), action: 'gateway.delete', target: params.gatewayId, before: { name: g.name, hostname: g.hostname } });
      return { ok: true as const };
    },
  });
}
