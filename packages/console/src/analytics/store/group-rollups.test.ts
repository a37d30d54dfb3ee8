import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogEvent } from '@mamori/policy';
import { generateEvents } from '../demo/generator.js';
import { groupRollupPlan } from './group-rollups.js';
import { parseLogQuery, type LogQueryInput } from './query-model.js';
import { SqliteEventStore } from './sqlite-store.js';

const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
const T1 = T0 + 3 * 86_400_000;

describe('group rollups (long-range group-bys without scanning raw events)', () => {
  let store: SqliteEventStore;
  beforeAll(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    const events = [...generateEvents({ seed: 9, from: T0, to: T1, count: 6000, idPrefix: 'g-' })].map((e) => LogEvent.parse(e));
    for (let i = 0; i < events.length; i += 1000) await store.ingest('t1', { batchId: `b${i}`, gatewayId: 'gw1', events: events.slice(i, i + 1000) });
  });
  afterAll(async () => store.close());

  it('plans only group-bys on covered fields with "eq" filters on them', () => {
    const q = (x: Partial<LogQueryInput>) => parseLogQuery({ type: 'access', from: T0, to: T1, ...x });
    expect(groupRollupPlan(q({ groupBy: ['category'], filters: [{ field: 'action', op: 'eq', value: 'block' }] }))).toEqual({ metric: 'g:access:category,action', groupCols: ['k1'], where: [{ col: 'k2', value: 'block' }] });
    expect(groupRollupPlan(q({ groupBy: ['host', 'user'] }))).toEqual({ metric: 'g:access:user,host', groupCols: ['k2', 'k1'], where: [] });
    expect(groupRollupPlan(q({ groupBy: ['user', 'host'], filters: [{ field: 'action', op: 'eq', value: 'allow' }] }))).toBeNull();
    expect(groupRollupPlan(q({ groupBy: ['host'], filters: [{ field: 'host', op: 'contains', value: 'x' }] }))).toBeNull();
    expect(groupRollupPlan(q({ groupBy: ['url'] }))).toBeNull();
    expect(groupRollupPlan(q({}))).toBeNull();
  });

  it('answers exactly as the raw events do, for ranges with partial hours at both edges', async () => {
    const raw = (store as unknown as { groupByRaw(t: string, q: unknown): Promise<unknown> }).groupByRaw.bind(store);
    const cases: LogQueryInput[] = [
      { type: 'access', from: T0 + 1234567, to: T1 - 987654, groupBy: ['category'], filters: [{ field: 'action', op: 'eq', value: 'block' }], limit: 10 },
      { type: 'access', from: T0 + 59_999, to: T1 - 1, groupBy: ['user', 'host'], orderBy: 'bytes', limit: 20 },
      { type: 'bandwidth', from: T0 + 3_600_000 * 5 + 7, to: T0 + 86_400_000 * 2 + 11, groupBy: ['app'], orderBy: 'bytes', limit: 10 },
      { type: 'security', from: T0, to: T1, groupBy: ['host'], filters: [{ field: 'threatType', op: 'eq', value: 'cnc' }], limit: 10 },
      { type: 'security', from: T0 + 1, to: T1, groupBy: ['threatType', 'action'], limit: 50 },
    ];
    for (const c of cases) {
      const q = parseLogQuery(c);
      expect(groupRollupPlan(q)).not.toBeNull();
      const fromRollups = await store.groupBy('t1', q);
      expect(fromRollups.length).toBeGreaterThan(0);
      expect(fromRollups.map((r) => r.count)).toEqual(((await raw('t1', q)) as typeof fromRollups).map((r) => r.count));
      const rawRows = (await raw('t1', { ...q, limit: 100_000 })) as typeof fromRollups;
      for (const r of fromRollups) expect(rawRows.find((x) => JSON.stringify(x.keys) === JSON.stringify(r.keys))).toEqual(r);
      expect(await store.groupBy('other', q)).toEqual([]);
    }
  });
});
