/**
 * The analytics half plugged into the console: the gateway events endpoint declared in the
 * console's route registry (mutual-TLS listener), one analytics instance per console (created on
 * first use, closed with the console), the admin-alert job, and ConsoleFacts read from the
 * console's store, settings and mailer.
 */
import type { Kysely } from 'kysely';
import { EventBatch, EventBatchAck } from '@mamori/policy';
import { ApiError } from '../errors.js';
import type { RouteRegistry } from '../http/registry.js';
import { getAlertSettings } from '../services/alerts.js';
import type { Services } from '../services/services.js';
import { createAnalytics, openEventStore, type Analytics } from './analytics.js';
import type { ConsoleFacts, DeploymentInfo } from './console-facts.js';
import { IngestError } from './ingest/ingestor.js';
import type { AnalyticsTables } from './meta/meta-store.js';

export function consoleFacts(services: Services): ConsoleFacts {
  const store = services.store;
  return {
    gateways: async (tenantId) =>
      (await store.tenant(tenantId).gateways.list()).map((g) => ({
        id: g.id, name: g.name, lastSeenAt: g.last_seen, ...(g.version ? { version: g.version } : {}),
        ...(g.deploy_version !== null && g.deploy_state
          ? { lastDeployment: { version: g.deploy_version, status: g.deploy_state === 'succeeded' ? ('success' as const) : g.deploy_state, at: g.deploy_at ?? 0, ...(g.deploy_error ? { error: g.deploy_error } : {}) } }
          : {}),
      })),
    deployments: async (tenantId, limit) => {
      const byVersion = new Map<number, DeploymentInfo>();
      for (const g of await store.tenant(tenantId).gateways.list()) {
        if (g.deploy_version === null || !g.deploy_state) continue;
        const d = byVersion.get(g.deploy_version) ?? { id: `v${g.deploy_version}`, version: g.deploy_version, at: 0, results: [] };
        d.at = Math.max(d.at, g.deploy_at ?? 0);
        d.results.push({ gatewayId: g.id, status: g.deploy_state === 'succeeded' ? 'success' : g.deploy_state, ...(g.deploy_error ? { error: g.deploy_error } : {}) });
        byVersion.set(g.deploy_version, d);
      }
      return [...byVersion.values()].sort((a, b) => b.version - a.version).slice(0, limit);
    },
    alertSettings: async (tenantId) => {
      const s = await getAlertSettings(store, tenantId);
      return { enabled: s.enabled, recipients: s.recipients };
    },
    tenants: async () => (await store.tenants.list()).map((t) => ({ id: t.id, name: t.name })),
    // the console's mailer has no attachments yet: the mail says where to download the files
    sendMail: async (tenantId, m) => {
      const note = m.attachments?.length ? `\n\n(添付: ${m.attachments.map((a) => a.filename).join(', ')} は管理コンソールの「分析とレポート」⇒「レポート」からダウンロードできます)` : '';
      await services.mailer.send({ tenantId, to: m.to.join(', '), subject: m.subject, text: m.text + note });
      return true;
    },
  };
}

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
      });
      services.jobs.every('analytics-alerts', 60_000, async () => {
        for (const t of await services.store.tenants.list()) await analytics.alerts.evaluate(t.id);
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

export function analyticsRoutes(r: RouteRegistry): void {
  r.add({
    method: 'POST',
    url: '/api/gateway/events',
    area: 'analytics',
    summary: 'Log events from a gateway (EventBatch → EventBatchAck); idempotent by batch id, acknowledged after commit',
    access: 'gateway',
    listener: 'gateway',
    tenantScoped: false,
    bodyLimit: 64 * 1024 * 1024,
    body: EventBatch,
    response: EventBatchAck,
    handler: async ({ auth, body, services, reply }) => {
      if (auth.kind !== 'gateway') throw new ApiError('auth.required');
      const analytics = await analyticsFor(services);
      try {
        return await analytics.ingestor.ingest(auth.tenantId, auth.gatewayId, body);
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
