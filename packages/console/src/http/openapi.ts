/**
 * The OpenAPI 3.1 document, generated from the route registry's zod schemas.
 */
import { z } from 'zod';
import type { AnyRoute } from './registry.js';

type Json = Record<string, unknown>;

function schema(s: z.ZodType, io: 'input' | 'output'): Json {
  return z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' }) as Json;
}

function strip(s: Json): Json {
  const { $schema: _drop, ...rest } = s;
  return rest;
}

const ERROR_SCHEMA: Json = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'object', properties: { ja: { type: 'string' }, en: { type: 'string' } }, required: ['ja', 'en'] },
        problems: { type: 'array', items: { type: 'object' } },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

export function buildOpenApi(routes: AnyRoute[], info: { version: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const url = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const op: Json = {
      operationId: `${r.method.toLowerCase()}${r.url.replace(/[/:{}-]+(\w)?/g, (_m: string, c?: string) => (c ? c.toUpperCase() : ''))}`,
      summary: r.summary,
      tags: [r.area],
      'x-mamori-access': r.access,
      'x-mamori-tenant-scoped': r.tenantScoped,
      'x-mamori-listener': r.listener ?? 'api',
    };
    const parameters: Json[] = [];
    if (r.params) {
      const ps = schema(r.params as z.ZodType, 'input') as { properties?: Record<string, Json> };
      for (const [name, s] of Object.entries(ps.properties ?? {})) parameters.push({ name, in: 'path', required: true, schema: s });
    }
    if (r.query) {
      const qs = schema(r.query as z.ZodType, 'input') as { properties?: Record<string, Json>; required?: string[] };
      for (const [name, s] of Object.entries(qs.properties ?? {})) parameters.push({ name, in: 'query', required: qs.required?.includes(name) ?? false, schema: s });
    }
    if (parameters.length) op['parameters'] = parameters;
    if (r.body) op['requestBody'] = { required: true, content: { 'application/json': { schema: strip(schema(r.body as z.ZodType, 'input')) } } };
    const ok = String(r.status ?? 200);
    op['responses'] = {
      [ok]:
        r.response === 'file'
          ? { description: 'a file', content: { 'application/octet-stream': { schema: { type: 'string', contentEncoding: 'binary' } } } }
          : { description: 'success', content: { 'application/json': { schema: strip(schema(r.response as z.ZodType, 'output')) } } },
      default: { description: 'a typed error', content: { 'application/json': { schema: ERROR_SCHEMA } } },
    };
    if (r.access !== 'public' && r.access !== 'gateway') op['security'] = [{ session: [] }];
    if (r.access === 'gateway') op['security'] = [{ gatewayCertificate: [] }];
    (paths[url] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Mamori console API', version: info.version, description: 'Generated from the route registry (packages/console/src/routes).' },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'mamori_session', description: 'plus the x-csrf-token header on changes' },
        gatewayCertificate: { type: 'mutualTLS' },
      },
    },
    paths,
  };
}
