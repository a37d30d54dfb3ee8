/**
 * Mounts the analytics HTTP API (/api/analytics/…: log analysis, dashboard widgets and layout,
 * reports, alerts, saved queries, retention) on the console's API listener, behind the
 * console's own session and CSRF checks.
 *
 * Which tenant: a tenant account always gets its own tenant (naming another one with `tenant` is
 * "not found", as in the rest of the console). The operator (service provider) has no tenant of
 * its own and names the tenant on every call: `?tenant=<tenantId>` (or the `x-mamori-tenant`
 * header); every store call is scoped by that tenant id.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { CSRF_HEADER, sessionAuth } from '../http/mount.js';
import type { Role as AccountRole } from '../store/schema.js';
import type { Services } from '../services/services.js';
import type { Analytics } from './analytics.js';
import { analyticsFor } from './console-routes.js';
import type { Role } from './reports/definitions.js';
import { registerAnalyticsRoutes } from './routes.js';

const ROLES: Record<AccountRole, Role> = { operator: 'operator', tenantAdmin: 'tenant-admin', tenantViewer: 'tenant-viewer' };
export const TENANT_HEADER = 'x-mamori-tenant';

/** the tenant named by the request (`?tenant=` or the x-mamori-tenant header), if any */
function namedTenant(req: FastifyRequest): string | undefined {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const v = typeof q['tenant'] === 'string' ? q['tenant'] : req.headers[TENANT_HEADER];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export async function mountAnalyticsApi(app: FastifyInstance, services: Services): Promise<void> {
  await app.register(async (scope) => {
    let real: Analytics | undefined;
    scope.addHook('onRequest', async (req) => {
      if (!req.url.startsWith('/api/analytics')) return;
      real ??= await analyticsFor(services);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        const s = await sessionAuth(req, services);
        if (s && req.headers[CSRF_HEADER] !== s.csrf) throw new ApiError('auth.csrf');
      }
    });
    const analytics = new Proxy({} as Analytics, {
      get: (_t, p) => {
        if (!real) throw new ApiError('auth.required');
        return Reflect.get(real, p);
      },
    });
    registerAnalyticsRoutes(scope, {
      analytics,
      user: async (req) => {
        const s = await sessionAuth(req, services);
        if (!s || s.account.privacy_accepted_at === null) return null;
        const named = namedTenant(req);
        if (s.account.role === 'operator') {
          if (!named) throw new ApiError('validation.failed', { details: { reason: 'the operator names the tenant: ?tenant=<tenantId> or the x-mamori-tenant header' } });
          if (!(await services.store.tenants.get(named))) throw new ApiError('tenant.not_found');
          return { tenantId: named, userId: s.account.id, role: 'operator' };
        }
        if (s.account.tenant_id === null) return null;
        // another tenant does not exist for a tenant account
        if (named !== undefined && named !== s.account.tenant_id) throw new ApiError('tenant.not_found');
        return { tenantId: s.account.tenant_id, userId: s.account.id, role: ROLES[s.account.role] };
      },
      // ingestion is served on the mutual-TLS gateway listener by the route registry, not here
      gateway: async () => null,
    });
  });
}
