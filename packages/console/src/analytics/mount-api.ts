/**
 * Mounts the analytics HTTP API (/api/analytics/…: log analysis, dashboard widgets and layout,
 * reports, alerts, saved queries, retention) on the console's API listener, behind the
 * console's own session and CSRF checks. The event store is opened on the first request, so a
 * console that never shows analytics never opens it.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import { CSRF_HEADER, sessionAuth } from '../http/mount.js';
import type { Role as AccountRole } from '../store/schema.js';
import type { Services } from '../services/services.js';
import type { Analytics } from './analytics.js';
import { analyticsFor } from './console-routes.js';
import type { Role } from './reports/definitions.js';
import { registerAnalyticsRoutes } from './routes.js';

const ROLES: Record<AccountRole, Role> = { operator: 'operator', tenantAdmin: 'tenant-admin', tenantViewer: 'tenant-viewer' };

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
        if (!s || s.account.tenant_id === null || s.account.privacy_accepted_at === null) return null;
        return { tenantId: s.account.tenant_id, userId: s.account.id, role: ROLES[s.account.role] };
      },
      // ingestion is served on the mutual-TLS gateway listener by the route registry, not here
      gateway: async () => null,
    });
  });
}
