/**
 * Demo data for `mamori demo`: a few days of generated office activity for the demo tenant, so
 * that the dashboard, log analysis and reports show something on first start. Clearly marked:
 * event ids start with "demo-", the gateway ids are the demo gateways', and the tenant carries a
 * `demo-data` marker (isDemoData) that the UI and the reports show as "デモデータ".
 * Idempotent: batch ids are fixed per tenant, day and chunk, so a second start adds nothing.
 */
import { LogEvent, type EventBatch } from '@mamori/policy';
import type { MetaDb } from '../meta/meta-store.js';
import type { EventStore } from '../store/event-store.js';
import { generateEvents } from './generator.js';

export interface SeedDemoOptions {
  now?: number;
  days?: number;
  eventsPerDay?: number;
  gatewayIds?: string[];
  seed?: number;
}

const DAY = 86_400_000;

export async function seedDemoEvents(events: EventStore, meta: MetaDb, tenantId: string, opts: SeedDemoOptions = {}): Promise<{ stored: number; duplicate: number }> {
  const now = opts.now ?? Date.now();
  const days = opts.days ?? 3;
  const perDay = opts.eventsPerDay ?? 20_000;
  const gateways = opts.gatewayIds && opts.gatewayIds.length > 0 ? opts.gatewayIds : ['demo-gateway'];
  const end = Math.floor(now / 60_000) * 60_000;
  let stored = 0;
  let duplicate = 0;
  for (let d = days; d >= 1; d--) {
    const from = end - d * DAY;
    for (const [gi, gatewayId] of gateways.entries()) {
      const all = [...generateEvents({ seed: (opts.seed ?? 20261125) + d * 31 + gi, from, to: from + DAY, count: Math.round(perDay / gateways.length), idPrefix: `demo-${gatewayId}-${d}-` })];
      for (let i = 0; i < all.length; i += 5000) {
        const batch: EventBatch = { batchId: `demo-${d}-${i / 5000}`, gatewayId, events: all.slice(i, i + 5000).map((e) => LogEvent.parse(e)) };
        const r = await events.ingest(tenantId, batch);
        if (r.duplicate) duplicate += r.accepted;
        else stored += r.accepted;
      }
    }
  }
  const value_json = JSON.stringify({ seededAt: now, days, note: 'デモ用に生成されたデータです (demo data)' });
  await meta.insertInto('analytics_kv').values({ tenant_id: tenantId, key: 'demo-data', value_json }).onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing()).execute();
  return { stored, duplicate };
}

export async function isDemoData(meta: MetaDb, tenantId: string): Promise<boolean> {
  const r = await meta.selectFrom('analytics_kv').select('key').where('tenant_id', '=', tenantId).where('key', '=', 'demo-data').executeTakeFirst();
  return r !== undefined;
}
