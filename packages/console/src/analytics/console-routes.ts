/**
 * The analytics half plugged into the console: the gateway events endpoint declared in the
 * console's route registry (mutual-TLS listener), one analytics instance per console (created on
 * start, closed with the console) whose timers run the admin alerts, scheduled reports and retention;
 * ConsoleFacts come from the console's services/analytics-facts.ts.
 */
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { preParsingAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { EventBatchAck } from '@mamori/policy';
import { ApiError } from '../errors.js';
import type { RouteRegistry } from '../http/registry.js';
import { consoleFacts } from '../services/analytics-facts.js';
import type { Services } from '../services/services.js';
import { createAnalytics, openEventStore, type Analytics } from './analytics.js';
import { EventBatchBody, IngestError } from './ingest/ingestor.js';
import type { AnalyticsTables } from './meta/meta-store.js';
import type { IngestBatch } from './store/event-store.js';

const instances = new WeakMap<Services, Promise<Analytics>>();

/** The console's analytics (event store in dataDir, or PostgreSQL with MAMORI_DATABASE_URL). */
export function analyticsFor(services: Services): Promise<Analytics> {
  let a = instances.get(services);
  if (!a) {
    a = (async () => {
      const events = await openEventStore({ dataDir: services.options.dataDir, ...(services.options.databaseUrl ? { databaseUrl: services.options.databaseUrl } : {}) });
      const analytics = await createAnalytics({
        events, meta: services.store.db as unknown as Kysely<AnalyticsTables>, metaDialect: services.store.dialect, facts: consoleFacts(services),
        tenantName: async (t) => (await services.store.tenants.get(t))?.name ?? t,
        ...(services.options.analyticsClock ? { clock: services.options.analyticsClock } : {}),
        onError: (job, err) => services.log.error({ job: `analytics.${job}`, err: err instanceof Error ? err.message : String(err) }, 'analytics job failed'),
      });
      services.onClose.push(async () => {
        await analytics.stop();
        await events.close();
      });
      return analytics;
    })();
    instances.set(services, a);
  }
  return a;
}

/** Opens the console's analytics and starts its timers (alerts, scheduled reports, retention); stopped when the console closes. */
export async function startAnalytics(services: Services): Promise<Analytics> {
  const analytics = await analyticsFor(services);
  analytics.start();
  return analytics;
}

/** the raw body of each events request, kept by the route's preParsing hook for the journal */
const rawBodies = new WeakMap<IncomingMessage, Buffer>();
const EVENTS_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * The events route's preParsing hook: reads the body once, keeps its bytes (the DuckDB store
 * journals them as received, checked, instead of serialising the batch again; rawBodyOf()) and
 * hands the same bytes on to the JSON parser.
 */
export const keepRawBody: preParsingAsyncHookHandler = async (req, _reply, payload) => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of payload) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    size += b.length;
    if (size > EVENTS_BODY_LIMIT) throw Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    chunks.push(b);
  }
  const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  rawBodies.set(req.raw, raw);
  const out = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
  out.receivedEncodedLength = size;
  return out;
};

/** the body kept by keepRawBody for this request */
export function rawBodyOf(req: IncomingMessage): Buffer | undefined {
  return rawBodies.get(req);
}

export function analyticsRoutes(r: RouteRegistry): void {
  r.add({
    method: 'POST',
    url: '/api/gateway/events',
    area: 'analytics',
    summary: 'Log events from a gateway (EventBatch, or its columns form mamori.columns/1 → EventBatchAck); idempotent by batch id, acknowledged after commit',
    access: 'gateway',
    listener: 'gateway',
    tenantScoped: false,
    bodyLimit: EVENTS_BODY_LIMIT,
    preParsing: keepRawBody,
    // the hand-written checks of either form (zod's own cost ~5 µs per event), documented as either (anyOf)
    body: EventBatchBody,
    response: EventBatchAck,
    handler: async ({ auth, body, services, req, reply }) => {
      if (auth.kind !== 'gateway') throw new ApiError('auth.required');
      const analytics = await analyticsFor(services);
      try {
        return await analytics.ingestor.ingestBatch(auth.tenantId, auth.gatewayId, body as IngestBatch, rawBodies.get(req.raw));
      } catch (err) {
        if (err instanceof IngestError) {
          if (err.retryAfterSec !== undefined) void reply.header('retry-after', String(err.retryAfterSec));
          if (err.statusCode === 503) throw new ApiError('events.overloaded');
          if (err.statusCode === 429) throw new ApiError('events.too_many_requests');
          if (err.statusCode === 403) throw new ApiError('events.gateway_mismatch');
          throw new ApiError('validation.failed', { details: { reason: err.message } });
        }
        throw err;
      }
    },
  });
}
