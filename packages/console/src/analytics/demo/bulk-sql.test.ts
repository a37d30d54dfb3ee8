import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_TYPES, LogEvent } from '@mamori/policy';
import { DuckDbEventStore } from '../store/duckdb-store.js';
import { parseLogQuery } from '../store/query-model.js';
import { bulkEventsSql, bulkRollupsSql } from './bulk-sql.js';
import { APPS, SITES, USERS, generateEvents } from './generator.js';

const DAY = 86_400_000;
const FROM = Date.UTC(2026, 10, 1, 3, 30);
const TO = FROM + 3 * DAY;
const N = 20_000;

describe('bulk-built DuckDB store (benchmark datasets)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-an-bulk-'));
  let store: DuckDbEventStore;
  const all = (text: string) => (store as unknown as { all(t: string, p: unknown[]): Promise<Array<Record<string, unknown>>> }).all(text, []);

  beforeAll(async () => {
    store = await DuckDbEventStore.open({ path: path.join(dir, 'bulk.duckdb'), threads: 2 });
    for (const q of bulkEventsSql({ tenantId: 't1', count: N, from: FROM, to: TO, hosts: 200, batchSize: 500 })) await store.execMaintenance(q);
    for (const q of bulkRollupsSql('t1', FROM, TO)) await store.execMaintenance(q);
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('builds every event in range, in time order, with the log-type mix of generateEvents', async () => {
    const counts = await Promise.all(LOG_TYPES.map((type) => store.count('t1', { type, from: 0, to: TO + DAY, filters: [] })));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(N);
    const gen = [...generateEvents({ seed: 3, from: FROM, to: TO, count: N, hosts: 200 })];
    LOG_TYPES.forEach((type, i) => {
      const share = gen.filter((e) => e.type === type).length / N;
      expect(Math.abs(counts[i]! / N - share)).toBeLessThan(0.02);
    });
    const range = await all(`SELECT MIN(ts) AS lo, MAX(ts) AS hi FROM events_access`);
    expect(Number(range[0]!['lo'])).toBeGreaterThanOrEqual(FROM);
    expect(Number(range[0]!['hi'])).toBeLessThan(TO);
    const disorder = await all('SELECT COUNT(*) AS n FROM (SELECT ts, lag(ts) OVER (ORDER BY rowid) AS p FROM events_bandwidth) WHERE ts < p');
    expect(Number(disorder[0]!['n'])).toBe(0);
  });

  it('stores events that read back as valid LogEvents drawn from the generator tables', async () => {
    const sites = new Set(SITES.map(([h]) => h));
    const apps = new Set(APPS.map(([a]) => a));
    for (const type of LOG_TYPES) {
      const rows = await store.raw('t1', parseLogQuery({ type, from: FROM, to: TO, limit: 200 }));
      expect(rows.length).toBe(200);
      for (const r of rows) {
        const { gatewayId, ...ev } = r;
        expect(['gw-0', 'gw-1', 'gw-2']).toContain(gatewayId);
        const parsed = LogEvent.parse(ev);
        if (parsed.user !== undefined) expect(USERS).toContain(parsed.user);
        if (parsed.type === 'access') expect(sites.has(parsed.host)).toBe(true);
        if (parsed.type === 'bandwidth') expect(apps.has(parsed.app)).toBe(true);
      }
    }
  });

  it('builds rollups equal to the raw counts (the loader SQL over the stored events)', async () => {
    const perType = await store.rollup('t1', { metric: 'events', from: FROM, to: TO, groupBy: 'k1' });
    for (const type of LOG_TYPES) {
      const raw = await store.count('t1', { type, from: FROM - FROM % 60_000, to: TO, filters: [] });
      expect(perType.find((r) => r.k1 === type)?.count ?? 0).toBe(raw);
    }
    // a group-by served by the group rollups equals the same group-by over raw events
    const q = { type: 'access' as const, from: FROM, to: TO, groupBy: ['category'], limit: 50 };
    const fromRollups = await store.groupBy('t1', parseLogQuery(q));
    const fromRaw = await store.groupBy('t1', parseLogQuery({ ...q, filters: [{ field: 'id', op: 'exists' }] }));
    expect(fromRollups.length).toBeGreaterThan(3);
    expect(fromRollups).toEqual(fromRaw);
  });
});
