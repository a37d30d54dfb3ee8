/**
 * Mounts registry routes on a Fastify instance: authentication (session cookie or client
 * certificate), CSRF, tenant access, zod validation of params/query/body (typed errors with
 * the policy package's coded problems) and of the response.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import type { z } from 'zod';
import { toProblems } from '@mamori/policy';
import { ApiError } from '../errors.js';
import type { Services } from '../services/services.js';
import type { AnyRoute, Auth, FileResponse, SessionAuth } from './registry.js';

export const SESSION_COOKIE = 'mamori_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Routes a signed-in account may use before accepting the privacy notice. */
const BEFORE_PRIVACY = new Set(['/api/auth/session', '/api/auth/privacy', '/api/auth/logout']);

function parse<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): z.output<S> | undefined {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!r.success) {
    const problems = toProblems(r.error).map((p) => ({ ...p, path: p.path ? `${where}.${p.path}` : where }));
    throw new ApiError('validation.failed', { problems });
  }
  return r.data;
}

export async function sessionAuth(req: FastifyRequest, services: Services): Promise<SessionAuth | null> {
  const sid = req.cookies[SESSION_COOKIE];
  if (!sid) return null;
  const s = await services.auth.session(sid);
  return s ? { kind: 'session', account: s.account, sessionId: sid, csrf: s.csrf } : null;
}

export async function gatewayAuth(req: FastifyRequest, services: Services): Promise<Auth> {
  const sock = req.raw.socket as Partial<TLSSocket>;
  if (typeof sock.getPeerCertificate !== 'function' || !sock.authorized) throw new ApiError('gateway.certificate_required');
  const cert = sock.getPeerCertificate();
  if (!cert?.fingerprint256) throw new ApiError('gateway.certificate_required');
  const gw = await services.store.gatewayByFingerprint(cert.fingerprint256.replace(/:/g, '').toLowerCase());
  if (!gw) throw new ApiError('gateway.certificate_required');
  return { kind: 'gateway', gatewayId: gw.id, tenantId: gw.tenantId };
}

/** Authentication, CSRF and tenant access for one route. Returns auth and the tenant id. */
export async function authorize(route: AnyRoute, req: FastifyRequest, services: Services, params: Record<string, unknown> | undefined): Promise<{ auth: Auth; tenantId: string }> {
  if (route.access === 'gateway') {
    const auth = await gatewayAuth(req, services);
    return { auth, tenantId: auth.kind === 'gateway' ? auth.tenantId : '' };
  }
  const session = await sessionAuth(req, services);
  if (route.access === 'public') return { auth: session ?? { kind: 'none' }, tenantId: '' };
  if (!session) throw new ApiError('auth.required');
  if (req.method !== 'GET' && req.method !== 'HEAD' && !route.csrfExempt) {
    const given = req.headers[CSRF_HEADER];
    if (typeof given !== 'string' || given !== session.csrf) throw new ApiError('auth.csrf');
  }
  if (session.account.privacy_accepted_at === null && !BEFORE_PRIVACY.has(route.url)) throw new ApiError('auth.privacy_not_accepted');
  const a = session.account;
  let tenantId = '';
  if (route.tenantScoped) {
    tenantId = String(params?.['tenantId'] ?? '');
    // another tenant's resources do not exist for a tenant account
    if (a.role !== 'operator' && a.tenant_id !== tenantId) throw new ApiError('tenant.not_found');
    if (a.role === 'operator' && !(await services.store.tenants.get(tenantId))) throw new ApiError('tenant.not_found');
  }
  switch (route.access) {
    case 'operator':
      if (a.role !== 'operator') throw new ApiError(route.url.includes('admin-alerts') ? 'auth.admin_alerts_read_only' : 'auth.forbidden');
      break;
    case 'tenantAdmin':
      if (a.role === 'tenantViewer') throw new ApiError('auth.forbidden');
      break;
    case 'tenantViewer':
    case 'signedIn':
      break;
  }
  return { auth: session, tenantId };
}

export function mountRoutes(app: FastifyInstance, routes: AnyRoute[], services: Services, listener: 'api' | 'gateway'): void {
  for (const route of routes) {
    const on = route.listener ?? 'api';
    if ((on !== 'both' && on !== listener) || route.websocket) continue;
    app.route({
      method: route.method,
      url: route.url,
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      ...(route.preParsing ? { preParsing: route.preParsing } : {}),
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const params = parse(route.params, req.params, 'params') as Record<string, unknown> | undefined;
        const { auth, tenantId } = await authorize(route, req, services, (params ?? req.params) as Record<string, unknown>);
        const query = parse(route.query, req.query, 'query');
        const body = parse(route.body, req.body, 'body');
        const result = await route.handler({ params, query, body, auth, tenantId, services, req, reply });
        if (route.response === 'file') {
          const f = result as FileResponse;
          reply.header('content-type', f.contentType);
          if (f.filename) reply.header('content-disposition', `attachment; filename="${f.filename}"`);
          return reply.code(route.status ?? 200).send(f.file);
        }
        const out = (route.response as z.ZodType).safeParse(result);
        if (!out.success) {
          services.log.error({ route: `${route.method} ${route.url}`, issues: out.error.issues.slice(0, 5) }, 'response does not match its schema');
          throw new ApiError('internal');
        }
        return reply.code(route.status ?? 200).send(out.data);
      },
    });
  }
}

/** Maps every error to the typed error body; internals are logged, never sent. */
export function installErrorHandling(app: FastifyInstance, services: Services): void {
  app.setErrorHandler((err: unknown, req, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send(err.body());
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      const ae = new ApiError('request.malformed', { details: { reason: e.code ?? 'bad request' } });
      return reply.code(e.statusCode).send(ae.body());
    }
    services.log.error({ err, url: req.url }, 'unhandled error');
    return reply.code(500).send(new ApiError('internal').body());
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(new ApiError('not_found').body()));
}
