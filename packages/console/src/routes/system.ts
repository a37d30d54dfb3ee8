import { z } from 'zod';
import type { RouteRegistry } from '../http/registry.js';
import { buildOpenApi } from '../http/openapi.js';

export function systemRoutes(r: RouteRegistry): void {
  r.add({
    method: 'GET',
    url: '/api/health',
    area: 'system',
    summary: 'Liveness and database reachability',
    access: 'public',
    tenantScoped: false,
    listener: 'both',
    response: z.strictObject({ status: z.literal('ok'), database: z.enum(['sqlite', 'postgres']), mail: z.enum(['smtp', 'outbox']), gatewayUrl: z.string().nullable() }),
    handler: async ({ services }) => {
      await services.store.kv.get('health');
      return { status: 'ok' as const, database: services.store.dialect, mail: services.mailer.mode, gatewayUrl: services.gatewayUrl() };
    },
  });
  r.add({
    method: 'GET',
    url: '/api/openapi.json',
    area: 'system',
    summary: 'This API as an OpenAPI 3.1 document',
    access: 'public',
    tenantScoped: false,
    response: z.record(z.string(), z.unknown()),
    handler: async () => buildOpenApi(r.routes, { version: '0.1.0' }),
  });
  r.add({
    method: 'GET',
    url: '/metrics',
    area: 'system',
    summary: 'Prometheus metrics',
    access: 'public',
    tenantScoped: false,
    response: 'file',
    handler: async ({ services }) => ({ file: Buffer.from(await services.metrics.metrics()), contentType: services.metrics.contentType, filename: '' }),
  });
}
