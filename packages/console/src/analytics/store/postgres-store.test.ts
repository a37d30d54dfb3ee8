import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, uniqueSchema, type TestDatabase } from '../test-support/postgres.js';
import { eventStoreContract } from './event-store.contract.js';
import { PostgresEventStore } from './postgres-store.js';
import { generateEvents } from '../demo/generator.js';
import { parseLogQuery } from './query-model.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
}, 60_000);
afterAll(async () => {
  await db.stop();
});

eventStoreContract('postgres', async (hooks) => PostgresEventStore.open({ connectionString: db.url, schema: uniqueSchema('ev'), ...(hooks ? { hooks } : {}) }));

describe('postgres partitions', () => {
  it('creates one partition per day on demand and drops whole days past the retention', async () => {
    const store = await PostgresEventStore.open({ connectionString: db.url, schema: uniqueSchema('part') });
    try {
      const from = Date.UTC(2026, 0, 30, 20);
      const events = [...generateEvents({ seed: 3, from, to: from + 30 * 3_600_000, count: 200, mix: { access: 1, bandwidth: 0, policy: 0, security: 0 } })];
      await store.ingest('t1', { batchId: 'b1', gatewayId: 'g', events });
      expect(await store.partitionNames()).toEqual(['events_access_p20260130', 'events_access_p20260131', 'events_access_p20260201']);
      // a second node (own cache) ingesting into the same days does not fail on existing partitions
      const node2 = await PostgresEventStore.open({ connectionString: db.url, schema: (store as unknown as { opts: { schema: string } }).opts.schema });
      await node2.ingest('t1', { batchId: 'b2', gatewayId: 'g', events: events.slice(0, 10).map((e) => ({ ...e, id: `n2-${e.id}` })) });
      await node2.close();
      expect(await store.dropPartitionsBefore(Date.UTC(2026, 0, 31, 12))).toEqual(['events_access_p20260130']);
      const left = await store.count('t1', { type: 'access', from: 0, to: Date.UTC(2027, 0, 1), filters: [] });
      expect(left).toBe(events.filter((e) => e.ts >= Date.UTC(2026, 0, 31)).length + events.slice(0, 10).filter((e) => e.ts >= Date.UTC(2026, 0, 31)).length);
      // a later drop of a second day: a group-by the rollups can answer counts only the events
      // still stored, like the raw count (the rollup buckets of dropped days go with them)
      expect(await store.dropPartitionsBefore(Date.UTC(2026, 1, 1, 12))).toEqual(['events_access_p20260131']);
      const kept = [...events, ...events.slice(0, 10)].filter((e) => e.ts >= Date.UTC(2026, 1, 1)).length;
      const all = { type: 'access' as const, from: 0, to: Date.UTC(2027, 0, 1) };
      expect(await store.count('t1', { ...all, filters: [] })).toBe(kept);
      const byHost = await store.groupBy('t1', parseLogQuery({ ...all, groupBy: ['host', 'action'], limit: 1000 }));
      expect(byHost.reduce((n, r) => n + r.count, 0)).toBe(kept);
    } finally {
      await store.close();
    }
  });
});
