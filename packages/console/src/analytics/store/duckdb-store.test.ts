import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { LogEvent, type EventBatch } from '@mamori/policy';
import { generateEvents } from '../demo/generator.js';
import { eventStoreContract } from './event-store.contract.js';
import { ROLLUPS_DDL } from './sql-event-store.js';
import { bucketOf } from './rollups.js';
import { DuckDbEventStore, sizeBytes } from './duckdb-store.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-an-duck-'));
let n = 0;
eventStoreContract('duckdb', async (hooks) => DuckDbEventStore.open({ path: path.join(dir, `events-${n++}.duckdb`), threads: 2, ...(hooks ? { hooks } : {}) }));

describe('duckdb rollup rows', () => {
  const T = Date.UTC(2026, 10, 25, 3);
  const batch = (i: number): EventBatch => ({
    batchId: `b${i}`,
    gatewayId: 'gw1',
    events: [...generateEvents({ seed: i + 1, from: T + i * 60_000, to: T + (i + 1) * 60_000, count: 500, idPrefix: `b${i}-` })].map((e) => LogEvent.parse(e)),
  });
  const rowCount = async (s: DuckDbEventStore) =>
    Number((await (s as unknown as { all(t: string, p: unknown[]): Promise<Array<{ n: unknown }>> }).all('SELECT (SELECT COUNT(*) FROM rollups_minute) + (SELECT COUNT(*) FROM rollups_hour) + (SELECT COUNT(*) FROM rollups_day) AS n', []))[0]!.n);
  const sums = (s: DuckDbEventStore) => Promise.all([
    s.rollup('t1', { metric: 'bandwidth.app', from: T - 86_400_000, to: T + 86_400_000, groupBy: 'k1k2', limit: 1000 }),
    s.rollup('t1', { metric: 'events', from: T, to: T + 10 * 60_000, groupBy: 'bucket', grain: 'minute' }),
    s.rollup('t1', { metric: 'access.user', from: T, to: T + 3 * 3_600_000, groupBy: 'k1', limit: 1000 }),
  ]);

  it('appends deltas and compacts them to one row per key and bucket without changing any sum', async () => {
    const s = await DuckDbEventStore.open({ path: path.join(dir, `compact-${n++}.duckdb`), compactAfterRows: 1e12 });
    try {
      // each batch loaded on its own (a query waits for the load), so each appends its own deltas
      for (let i = 0; i < 6; i++) {
        await s.ingest('t1', batch(i % 3 === 2 ? 1 : i));
        await s.flush();
      }
      const before = await sums(s);
      const rowsBefore = await rowCount(s);
      // a journal_state row per load (4: two of the six batches are resends), plus the one made at creation, until a compaction keeps the newest
      const state = async () => (await (s as unknown as { all(t: string, p: unknown[]): Promise<Array<{ n: unknown; m: unknown }>> }).all('SELECT COUNT(*) AS n, MAX(loaded_through) AS m FROM journal_state', []))[0]!;
      const last = (await state()).m;
      expect((await state()).n).toBe(5);
      await s.compact();
      expect(await state()).toEqual({ n: 1, m: last });
      expect(await sums(s)).toEqual(before);
      const rowsAfter = await rowCount(s);
      expect(rowsAfter).toBeLessThan(rowsBefore);
      // one row per key: compacting again changes nothing
      await s.compact();
      expect(await rowCount(s)).toBe(rowsAfter);
    } finally {
      await s.close();
    }
  });

  it('compacts by itself after enough delta rows, keeping every sum', async () => {
    const auto = await DuckDbEventStore.open({ path: path.join(dir, `auto-${n++}.duckdb`), compactAfterRows: 1000 });
    const never = await DuckDbEventStore.open({ path: path.join(dir, `never-${n++}.duckdb`), compactAfterRows: 1e12 });
    try {
      for (let i = 0; i < 8; i++) {
        await auto.ingest('t1', batch(i % 2));
        await never.ingest('t1', batch(i % 2));
        await Promise.all([auto.flush(), never.flush()]);
      }
      expect(await sums(auto)).toEqual(await sums(never));
      expect(await rowCount(auto)).toBeLessThan(await rowCount(never));
    } finally {
      await auto.close();
      await never.close();
    }
  });

  it('compacts less often as the merged rows grow (at most as many new delta rows as merged ones), keeping every sum', async () => {
    const auto = await DuckDbEventStore.open({ path: path.join(dir, `geo-${n++}.duckdb`), compactAfterRows: 100 });
    const never = await DuckDbEventStore.open({ path: path.join(dir, `geo-never-${n++}.duckdb`), compactAfterRows: 1e12 });
    try {
      for (let i = 0; i < 8; i++) {
        await auto.ingest('t1', batch(i));
        await never.ingest('t1', batch(i));
        await Promise.all([auto.flush(), never.flush()]);
        // every load appends more than 100 delta rows
        expect(never.lastLoad!.rollupRows).toBeGreaterThan(100);
      }
      expect(auto.loadTotals.loads).toBe(8);
      expect(auto.loadTotals.compactions).toBeGreaterThan(0);
      expect(auto.loadTotals.compactions).toBeLessThan(8);
      expect(await sums(auto)).toEqual(await sums(never));
    } finally {
      await auto.close();
      await never.close();
    }
  });

  it('opens a store whose rollups table still has the old primary key, keeping its rows', async () => {
    const file = path.join(dir, `old-${n++}.duckdb`);
    const inst = await DuckDBInstance.create(file);
    const con = await inst.connect();
    await con.run(ROLLUPS_DDL);
    await con.run(`INSERT INTO rollups VALUES ('t1', 'day', ${bucketOf(T, 'day')}, 'events', 'access', 'gw1', 7, 0, 0)`);
    con.closeSync();
    inst.closeSync();
    const s = await DuckDbEventStore.open({ path: file });
    try {
      await s.ingest('t1', batch(0));
      const access = (await s.rollup('t1', { metric: 'events', k1: 'access', from: bucketOf(T, 'day'), to: bucketOf(T, 'day') + 86_400_000, groupBy: 'none' }))[0]!.count;
      expect(access).toBe(7 + batch(0).events.filter((e) => e.type === 'access').length);
    } finally {
      await s.close();
    }
  });
});

describe('duckdb journal segments', () => {
  const T = Date.UTC(2026, 10, 25, 3);
  const events = (seed: number, prefix: string) => [...generateEvents({ seed, from: T, to: T + 3 * 3_600_000, count: 1500, idPrefix: prefix })].map((e) => LogEvent.parse(e));
  const snapshot = async (s: DuckDbEventStore) => {
    const all = (t: string) => (s as unknown as { all(t: string, p: unknown[]): Promise<Array<Record<string, unknown>>> }).all(t, []);
    return {
      access: await all('SELECT * EXCLUDE (tenant_id) FROM events_access ORDER BY id'),
      security: await all('SELECT * EXCLUDE (tenant_id) FROM events_security ORDER BY id'),
      rollups: await all(`SELECT grain, bucket, metric, k1, k2, SUM(count) AS n, SUM(bytes_up) AS up, SUM(bytes_down) AS down FROM (SELECT * FROM rollups_minute UNION ALL SELECT * FROM rollups_hour UNION ALL SELECT * FROM rollups_day) GROUP BY ALL ORDER BY ALL`),
      batches: await all('SELECT tenant_id, gateway_id, batch_id, accepted FROM ingested_batches ORDER BY ALL'),
    };
  };

  it('loads the same rows from the journal file as from memory', async () => {
    const mem = await DuckDbEventStore.open({ path: path.join(dir, `mem-${n++}.duckdb`) });
    const file = await DuckDbEventStore.open({ path: path.join(dir, `file-${n++}.duckdb`), keepParsedEvents: -1 });
    try {
      for (const s of [mem, file]) {
        for (let i = 0; i < 3; i++) await s.ingest('t1', { batchId: `b${i}`, gatewayId: `gw${i % 2}`, events: events(i + 1, `e${i}-`) });
        await s.flush();
      }
      expect(mem.lastLoad?.fromMemory).toBe(true);
      expect(file.lastLoad?.fromMemory).toBe(false);
      const a = await snapshot(mem);
      expect(a.access.length + a.security.length).toBeGreaterThan(500);
      expect(a.batches).toHaveLength(3);
      expect(await snapshot(file)).toEqual(a);
    } finally {
      await mem.close();
      await file.close();
    }
  });

  it('journals a request body as received (pretty-printed, without the defaults) and loads the same rows from it', async () => {
    const ref = await DuckDbEventStore.open({ path: path.join(dir, `rawref-${n++}.duckdb`) });
    const raw = await DuckDbEventStore.open({ path: path.join(dir, `raw-${n++}.duckdb`), keepParsedEvents: -1 });
    try {
      for (let i = 0; i < 3; i++) {
        const batch = { batchId: `b${i}`, gatewayId: `gw${i % 2}`, events: events(i + 1, `e${i}-`) };
        await ref.ingest('t1', batch);
        // the body a gateway sent: no `categories: []` / `severity: 'medium'`, newlines between tokens
        const sent = { ...batch, events: batch.events.map((e) => { const c: Record<string, unknown> = { ...e }; if (e.type === 'access' && e.categories.length === 0) delete c['categories']; if (e.type === 'security' && e.severity === 'medium') delete c['severity']; return c; }) };
        expect(await raw.ingest('t1', batch, { rawJson: Buffer.from(JSON.stringify(sent, null, 1)) })).toEqual({ accepted: batch.events.length, duplicate: false });
      }
      await ref.flush();
      await raw.flush();
      expect(raw.lastLoad?.fromMemory).toBe(false);
      expect(await snapshot(raw)).toEqual(await snapshot(ref));
    } finally {
      await ref.close();
      await raw.close();
    }
  });

  it('loads a segment left in the older one-event-per-line format by an earlier version', async () => {
    const p = path.join(dir, `old-journal-${n++}.duckdb`);
    fs.mkdirSync(`${p}.journal`);
    const evs = events(9, 'old-');
    const head = `{"_t":"t1","_g":"gw1","_b":"old-1",`;
    const lines = [`${head}"_n":${evs.length},"type":"_batch"}`, ...evs.map((e) => head + JSON.stringify(e).slice(1))];
    fs.writeFileSync(path.join(`${p}.journal`, 'segment-000000000001.ndjson'), lines.join('\n') + '\n');
    const s = await DuckDbEventStore.open({ path: p });
    const ref = await DuckDbEventStore.open({ path: path.join(dir, `old-ref-${n++}.duckdb`) });
    try {
      await ref.ingest('t1', { batchId: 'old-1', gatewayId: 'gw1', events: evs });
      await ref.flush();
      expect(await snapshot(s)).toEqual(await snapshot(ref));
      expect(await s.ingest('t1', { batchId: 'old-1', gatewayId: 'gw1', events: evs })).toEqual({ accepted: evs.length, duplicate: true });
    } finally {
      await s.close();
      await ref.close();
    }
  });
});

describe('duckdb checkpoint threshold', () => {
  const setting = async (s: DuckDbEventStore): Promise<string> =>
    String((await (s as unknown as { all(t: string, p: unknown[]): Promise<Array<{ v: unknown }>> }).all("SELECT current_setting('checkpoint_threshold') AS v", []))[0]!.v);
  const T = Date.UTC(2026, 10, 25, 3);
  const batch = (i: number): EventBatch => ({
    batchId: `c${i}`,
    gatewayId: 'gw1',
    events: [...generateEvents({ seed: i + 7, from: T + i * 60_000, to: T + (i + 1) * 60_000, count: 3000, idPrefix: `c${i}-` })].map((e) => LogEvent.parse(e)),
  });

  /** a tenant's events of every log type over the test's day */
  const countAll = async (s: DuckDbEventStore, t: string): Promise<number> => {
    let c = 0;
    for (const type of ['access', 'bandwidth', 'policy', 'security'] as const) c += await s.count(t, { type, from: 0, to: T + 86_400_000, filters: [] });
    return c;
  };

  it('reads sizes in bytes, decimal and binary units', () => {
    expect(sizeBytes('256MB')).toBe(256_000_000);
    expect(sizeBytes('1.5 GiB')).toBe(1.5 * 2 ** 30);
    expect(sizeBytes('4096B')).toBe(4096);
    expect(sizeBytes('32kb')).toBe(32_000);
    expect(() => sizeBytes('12 parsecs')).toThrow(/a size such as '256MB'/);
  });

  it('checkpoints beside the next load once the WAL reaches the threshold (DuckDB itself only at four times it), losing nothing', async () => {
    const file = path.join(dir, `ckpt-${n++}.duckdb`);
    const a = await DuckDbEventStore.open({ path: path.join(dir, `ckpt-${n++}.duckdb`) });
    const s = await DuckDbEventStore.open({ path: file, checkpointThreshold: '1MB' });
    let total = 0;
    try {
      expect(await setting(a)).toMatch(/^(1\.0 ?GB|976\.5 ?MiB)$/);
      expect(await setting(s)).toMatch(/^(4\.0 ?MB|3\.8 ?MiB)$/);
      let walSeen = 0;
      for (let i = 0; i < 6; i++) {
        const b = batch(i);
        total += b.events.length;
        await s.ingest('t1', b);
        await s.flush();
        walSeen = Math.max(walSeen, fs.existsSync(`${file}.wal`) ? fs.statSync(`${file}.wal`).size : 0);
      }
      // two loads of 3,000 events write more than 1MB of WAL: the third starts with a checkpoint, so does the fifth
      expect(walSeen).toBeGreaterThan(1_000_000);
      expect(s.loadTotals.checkpoints).toBeGreaterThanOrEqual(2);
      // they ran on DuckDB's thread (where an appender's flush waits for a running one)
      expect((await s.threadTimes())['checkpoint']).toBeGreaterThan(0);
      expect((await a.threadTimes())['checkpoint']).toBeUndefined();
      expect(a.loadTotals.checkpoints).toBe(0);
      expect(await s.count('t1', { type: 'access', from: 0, to: T + 86_400_000, filters: [] }) + (await s.count('t1', { type: 'bandwidth', from: 0, to: T + 86_400_000, filters: [] }))).toBeGreaterThan(0);
    } finally {
      await a.close();
      await s.close();
    }
    // reopened: every event is there
    const again = await DuckDbEventStore.open({ path: file });
    try {
      expect(await countAll(again, 't1')).toBe(total);
    } finally {
      await again.close();
    }
  });

  it('checkpoints without vacuum beside the loads, and vacuums after a purge that removed rows, keeping the rest', async () => {
    const file = path.join(dir, `vac-${n++}.duckdb`);
    const s = await DuckDbEventStore.open({ path: file });
    let kept = 0;
    try {
      const setting = async () => String((await (s as unknown as { all(t: string, p: unknown[]): Promise<Array<{ v: unknown }>> }).all("SELECT current_setting('max_vacuum_tasks') AS v", []))[0]!.v);
      for (let i = 0; i < 4; i++) {
        await s.ingest('t1', batch(i));
        await s.ingest('t2', batch(i + 10));
      }
      await s.flush();
      expect(await setting()).toBe('0');
      const all = (t: string) => countAll(s, t);
      const t2Before = await all('t2');
      // nothing before the cutoff: no vacuum
      expect(await s.purgeBefore('t1', T - 86_400_000)).toBe(0);
      expect(s.loadTotals.vacuums).toBe(0);
      // t1's first two minutes go
      const removed = await s.purgeBefore('t1', T + 2 * 60_000);
      expect(removed).toBeGreaterThan(0);
      expect(s.loadTotals.vacuums).toBe(1);
      expect(await setting()).toBe('0');
      kept = await all('t1');
      expect(kept + removed).toBe(4 * 3000);
      expect(await all('t2')).toBe(t2Before);
    } finally {
      await s.close();
    }
    const again = await DuckDbEventStore.open({ path: file });
    try {
      expect(await countAll(again, 't1')).toBe(kept);
    } finally {
      await again.close();
    }
  });

  it('refuses a threshold that is not a size', async () => {
    await expect(DuckDbEventStore.open({ path: path.join(dir, `ckpt-${n++}.duckdb`), checkpointThreshold: "1GB'; DROP TABLE x; --" })).rejects.toThrow(/checkpointThreshold: a size such as '256MB'/);
  });
});
