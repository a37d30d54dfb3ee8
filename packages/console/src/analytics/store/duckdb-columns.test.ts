import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBatch, LOG_TYPES, encodeEventColumns, type LogEventInput } from '@mamori/policy';
import { generateEvents } from '../demo/generator.js';
import { DuckDbEventStore } from './duckdb-store.js';
import { DuckDbWorkerStore } from './duckdb-worker-store.js';
import { tableName } from './fields.js';
import { parseLogQuery } from './query-model.js';
import { GRAINS } from './rollups.js';
import { rollupTableOf } from './rollup-sql.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-an-cols-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const T = Date.UTC(2026, 10, 25, 3);

/** strings at the edges of DuckDB's inlining (12 bytes) and of ASCII, empty strings, defaults, lists */
const EDGES: LogEventInput[] = [
  { type: 'access', id: 'e-twelve-byt', ts: T + 1, srcIp: '10.0.0.1', action: 'allow', host: 'abcdefghijkl', url: 'abcdefghijklm', categories: ['news', 'portal', 'sns'], user: '' },
  { type: 'access', id: 'e-2', ts: T + 2, srcIp: '10.0.0.2', action: 'block', host: 'テスト', url: 'https://例え.jp/テストテストテスト', appFunction: 'テストテストテスト' },
  { type: 'access', id: 'e-3', ts: T + 3, srcIp: '10.0.0.3', action: 'allow', host: 'x.example', categories: ['news'], decrypted: false, status: 0, bytesUp: 2 ** 40 + 3 },
  { type: 'security', id: 'e-4', ts: T + 4, srcIp: '10.0.0.4', threatType: 'spam', action: 'block', signature: 'スパム送信元リスト 2026-11', mailTo: ['a@x.jp', 'b@x.jp'], subject: '【重要】アカウント確認のお願い' },
  { type: 'security', id: 'e-5', ts: T + 5, srcIp: '10.0.0.5', threatType: 'cnc', action: 'block', signature: 'c2', severity: 'critical', host: 'c2.bad.example', mailTo: ['only@x.jp'] },
  { type: 'policy', id: 'e-6', ts: T + 60_001, srcIp: '10.0.0.6', action: 'block', reasonKind: 'default' },
  // the largest exact byte count, alone in its rollup rows (an app and source of its own): rollup sums are
  // JS numbers, exact up to 2^53 per row; beyond, the row and column paths round in different orders
  { type: 'bandwidth', id: 'e-7', ts: T + 3_600_001, srcIp: '10.0.0.7', app: 'edge-app', bytesUp: 0, bytesDown: 9_007_199_254_740_991 },
];

function batches(): EventBatch[] {
  const out: EventBatch[] = [EventBatch.parse({ batchId: 'edges', gatewayId: 'gw-e', events: EDGES })];
  // 4 batches of 3,000: each type's rows cross the 2,048-row chunks, long strings (URLs) repeat across chunks
  for (let i = 0; i < 4; i++) {
    const events = [...generateEvents({ seed: 7 + i, from: T + i * 1_800_000, to: T + (i + 1) * 1_800_000, count: 3000, idPrefix: `g${i}-`, hosts: 200 })];
    // gateway ids longer than 12 bytes: one dictionary entry's bytes go to the string heap of each log type's table
    out.push(EventBatch.parse({ batchId: `gen-${i}`, gatewayId: `gateway-long-name-${i % 2}`, events }));
  }
  return out;
}

/** every stored row of every table, in a stable order, as JSON text */
async function dump(file: string): Promise<Record<string, string[]>> {
  const inst = await DuckDBInstance.create(file);
  const c = await inst.connect();
  const out: Record<string, string[]> = {};
  const rows = async (sql: string): Promise<string[]> => (await c.runAndReadAll(sql)).getRows().map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  for (const t of LOG_TYPES) out[t] = await rows(`SELECT * FROM ${tableName(t)} ORDER BY ALL`);
  for (const g of GRAINS) out[g] = await rows(`SELECT tenant_id, grain, bucket, metric, k1, k2, SUM(count), SUM(bytes_up), SUM(bytes_down) FROM ${rollupTableOf(g)} GROUP BY ALL ORDER BY ALL`);
  out['batches'] = await rows('SELECT tenant_id, gateway_id, batch_id, accepted FROM ingested_batches ORDER BY ALL');
  c.closeSync();
  inst.closeSync();
  return out;
}

describe('duckdb: batches in columns', () => {
  it('store exactly the rows, rollups and batch records of the same batches as rows, whether loaded from memory, from the journal or on the worker thread', async () => {
    const bs = batches();
    const files = { rows: path.join(dir, 'rows.duckdb'), cols: path.join(dir, 'cols.duckdb'), json: path.join(dir, 'json.duckdb'), worker: path.join(dir, 'worker.duckdb') };
    const rows = await DuckDbEventStore.open({ path: files.rows });
    for (const b of bs) await rows.ingest('t1', b);
    await rows.close();
    const cols = await DuckDbEventStore.open({ path: files.cols });
    for (const b of bs) await cols.ingest('t1', encodeEventColumns(b));
    await cols.close();
    // as the events endpoint gives them: the body as received (JSON), read back from the journal segment
    const json = await DuckDbEventStore.open({ path: files.json, keepParsedEvents: 0 });
    for (const b of bs) {
      const c = encodeEventColumns(b);
      await json.ingest('t1', JSON.parse(JSON.stringify(c)), { rawJson: Buffer.from(JSON.stringify(c)) });
    }
    await json.close();
    // the embedded default: DuckDB on a worker thread, the checked columns moved there as typed arrays
    const worker = await DuckDbWorkerStore.open({ path: files.worker });
    for (const b of bs) {
      const c = encodeEventColumns(b);
      await worker.ingest('t1', JSON.parse(JSON.stringify(c)), { rawJson: Buffer.from(JSON.stringify(c)) });
    }
    await worker.close();

    const want = await dump(files.rows);
    expect(want['access']!.length).toBe(3 + bs.slice(1).reduce((n, b) => n + b.events.filter((e) => e.type === 'access').length, 0));
    expect(want['access']!.length).toBeGreaterThan(2 * 2048);
    expect(want['minute']!.length).toBeGreaterThan(100);
    expect(await dump(files.cols)).toEqual(want);
    expect(await dump(files.json)).toEqual(want);
    expect(await dump(files.worker)).toEqual(want);
  });

  it('keep the defaults, long and non-ASCII strings and lists of the edge cases', async () => {
    const s = await DuckDbEventStore.open({ path: path.join(dir, 'edges.duckdb') });
    try {
      const edges = EventBatch.parse({ batchId: 'edges', gatewayId: 'gw-e', events: EDGES });
      expect(await s.ingest('t1', encodeEventColumns(edges))).toEqual({ accepted: EDGES.length, duplicate: false });
      expect(await s.ingest('t1', encodeEventColumns(edges))).toEqual({ accepted: EDGES.length, duplicate: true });
      const access = await s.raw('t1', parseLogQuery({ type: 'access', from: T, to: T + 10 }));
      const byId = new Map(access.map((e) => [e.id, e as unknown as Record<string, unknown>]));
      expect(byId.get('e-twelve-byt')).toMatchObject({ host: 'abcdefghijkl', url: 'abcdefghijklm', categories: ['news', 'portal', 'sns'], user: '' });
      expect(byId.get('e-2')).toMatchObject({ host: 'テスト', url: 'https://例え.jp/テストテストテスト', appFunction: 'テストテストテスト', categories: [] });
      expect(byId.get('e-3')).toMatchObject({ decrypted: false, status: 0, bytesUp: 2 ** 40 + 3, categories: ['news'] });
      const sec = await s.raw('t1', parseLogQuery({ type: 'security', from: T, to: T + 10 }));
      const byIdS = new Map(sec.map((e) => [e.id, e as unknown as Record<string, unknown>]));
      expect(byIdS.get('e-4')).toMatchObject({ severity: 'medium', mailTo: ['a@x.jp', 'b@x.jp'], subject: '【重要】アカウント確認のお願い', signature: 'スパム送信元リスト 2026-11' });
      expect(byIdS.get('e-5')).toMatchObject({ severity: 'critical', mailTo: ['only@x.jp'], host: 'c2.bad.example' });
    } finally {
      await s.close();
    }
  });
});
