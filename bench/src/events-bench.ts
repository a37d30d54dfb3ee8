/**
 * Event store benchmark (issue 7): ingestion events/s on DuckDB, SQLite and PostgreSQL, and
 * log-analysis query latency p50/p95 over generated events. Not part of npm test.
 *
 *   npx tsx bench/src/events-bench.ts --stores duckdb,sqlite,postgres --ingest 1000000
 *   npx tsx bench/src/events-bench.ts --stores duckdb --sizes 10000000,50000000
 *
 * --ingest N: a fresh store per engine, N events in 5,000-event batches (the gateway's batch),
 *             rollups maintained in the same transaction, as in production.
 * --sizes a,b: grows one store per engine to each size (same ingestion path) and times the
 *             typical §9 queries at each size.
 * PostgreSQL: MAMORI_BENCH_DATABASE_URL, else a private server (as in the tests).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LogEvent, type EventBatch } from '@mamori/policy';
import { DuckDbEventStore, PostgresEventStore, SqliteEventStore, generateEvents, parseLogQuery, type EventStore } from '@mamori/console/analytics';
import { startTestDatabase } from '../../packages/console/src/analytics/test-support/postgres.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const stores = (args.get('stores') ?? 'duckdb,sqlite').split(',').filter(Boolean);
const ingestN = Number(args.get('ingest') ?? 0);
const sizes = (args.get('sizes') ?? '').split(',').filter(Boolean).map(Number);
const batchSize = Number(args.get('batch') ?? 5000);
const validate = args.get('validate') !== 'no';
/** batches in flight at once (gateways posting concurrently); >1 measures wall-clock throughput */
const concurrency = Number(args.get('concurrency') ?? 1);
const DAY = 86_400_000;
/** events span 30 days ending at END, like a month of an office's logs */
const END = Date.UTC(2026, 10, 25);
const SPAN = 30 * DAY;
const dir = fs.mkdtempSync(path.join(args.get('dir') ?? os.tmpdir(), 'mamori-events-bench-'));

let pgUrl: string | undefined;
let stopPg: (() => Promise<void>) | undefined;

async function open(kind: string, tag: string): Promise<EventStore> {
  if (kind === 'duckdb') return DuckDbEventStore.open({ path: path.join(dir, `${tag}.duckdb`) });
  if (kind === 'sqlite') return new SqliteEventStore({ path: path.join(dir, `${tag}.sqlite`) });
  if (!pgUrl) {
    pgUrl = process.env['MAMORI_BENCH_DATABASE_URL'];
    if (!pgUrl) {
      const db = await startTestDatabase();
      pgUrl = db.url;
      stopPg = db.stop;
    }
  }
  return PostgresEventStore.open({ connectionString: pgUrl, schema: `bench_${tag}_${process.pid}`, poolSize: 4 });
}

/** Ingests `count` events spread over the span with a fixed seed per chunk; returns seconds spent in ingest(). */
async function fill(store: EventStore, start: number, count: number, seed: number): Promise<{ sec: number; genSec: number }> {
  let sec = 0;
  let genSec = 0;
  let batch: LogEvent[] = [];
  let n = 0;
  const t0 = performance.now();
  const inflight = new Set<Promise<unknown>>();
  for (const ev of generateEvents({ seed, from: END - SPAN, to: END, count, idPrefix: `s${seed}-`, hosts: 200 })) {
    batch.push(ev);
    if (batch.length === batchSize) {
      const g = performance.now();
      const b: EventBatch = { batchId: `b-${seed}-${n++}`, gatewayId: `gw-${seed % 3}`, events: validate ? batch.map((e) => LogEvent.parse(e)) : batch };
      const s = performance.now();
      genSec += (s - g) / 1000;
      if (concurrency > 1) {
        const p: Promise<unknown> = store.ingest('bench-tenant', b).finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= concurrency) await Promise.race(inflight);
      } else {
        await store.ingest('bench-tenant', b);
        sec += (performance.now() - s) / 1000;
      }
      batch = [];
    }
  }
  await Promise.all(inflight);
  if (concurrency > 1) sec = (performance.now() - t0) / 1000 - genSec;
  if (batch.length > 0) {
    const s = performance.now();
    await store.ingest('bench-tenant', { batchId: `b-${seed}-${n++}`, gatewayId: 'gw-0', events: batch });
    sec += (performance.now() - s) / 1000;
  }
  void start;
  void t0;
  return { sec, genSec };
}

/**
 * Bulk-generates `n` events per log type straight in SQL (same tables and columns, similar
 * distributions: 30 days, 200 hosts, 60 users, 500 sites, Zipf-free modulo spread) and the hour/day
 * rollups the dashboard queries read. Used for the 10M/50M query-latency datasets, because pushing
 * 50M events through ingest() takes longer than this machine's budget; ingest() speed is measured
 * separately by --ingest.
 */
async function bulkLoad(kind: string, store: EventStore, n: number, offset: number): Promise<void> {
  const s = store as unknown as { execMaintenance(sql: string): Promise<number> };
  if (store instanceof PostgresEventStore) await store.preparePartitions(END - SPAN, END + 86_400_000);
  const seq = kind === 'duckdb' ? `(SELECT range AS i FROM range(${offset}, ${offset + n}))` : kind === 'postgres' ? `(SELECT i FROM generate_series(${offset}::bigint, ${offset + n - 1}::bigint) AS i)` : `(WITH RECURSIVE r(i) AS (SELECT ${offset} UNION ALL SELECT i + 1 FROM r WHERE i < ${offset + n - 1}) SELECT i FROM r)`;
  const cat = (k: string, list: string[]) => `CASE ${k} % ${list.length} ${list.map((v, i) => `WHEN ${i} THEN '${v}'`).join(' ')} END`;
  const h = '((i * 2654435761) % 1000003)';
  const ts = `(${END - SPAN} + (i - ${offset}) * ${Math.floor(SPAN / n)} + (${h} % 1000))`;
  const cats = ['news', 'search-engines', 'shopping', 'webmail', 'streaming-media', 'finance', 'social-networking', 'malware', 'phishing', 'gambling', 'games', 'government'];
  const apps = ['youtube', 'microsoft-365', 'google-drive', 'line', 'zoom', 'chatwork', 'dropbox', 'slack', 'windows-update', 'gmail', 'teams', 'netflix', 'dns', 'ntp', 'bittorrent'];
  const threats = ['webReputation', 'ips', 'malware', 'spam', 'cnc', 'phishing', 'portScan', 'dos'];
  const user = `CASE WHEN ${h} % 5 = 0 THEN NULL ELSE 'user' || (${h} % 60) END`;
  const sql = [
    `INSERT INTO events_access (tenant_id, ts, gateway_id, id, src_ip, user_name, action, host, category, categories, bytes_up, bytes_down, status) SELECT 'bench-tenant', ${ts}, 'gw-' || (i % 3), 'a' || i, '10.0.0.' || (${h} % 200), ${user}, CASE WHEN ${h} % 12 IN (7, 8, 9) THEN 'block' ELSE 'allow' END, 'site' || (${h} % 500) || '.example', ${cat(h, cats)}, ',' || ${cat(h, cats)} || ',', ${h} % 5000, ${h} % 500000, 200 FROM ${seq} AS g`,
    `INSERT INTO events_bandwidth (tenant_id, ts, gateway_id, id, src_ip, user_name, app, bytes_up, bytes_down) SELECT 'bench-tenant', ${ts}, 'gw-' || (i % 3), 'b' || i, '10.0.0.' || (${h} % 200), ${user}, ${cat(h, apps)}, ${h} % 200000, ${h} % 5000000 FROM ${seq} AS g`,
    `INSERT INTO events_security (tenant_id, ts, gateway_id, id, src_ip, user_name, threat_type, action, signature, severity, host) SELECT 'bench-tenant', ${ts}, 'gw-' || (i % 3), 's' || i, '10.0.0.' || (${h} % 200), ${user}, ${cat(h, threats)}, 'block', 'sig-' || (${h} % 300), 'medium', 'site' || (${h} % 500) || '.example' FROM ${seq} AS g`,
  ];
  for (const q of sql) await s.execMaintenance(q);
}

async function buildRollups(store: EventStore): Promise<void> {
  const s = store as unknown as { execMaintenance(sql: string): Promise<number> };
  await s.execMaintenance('DELETE FROM rollups');
  for (const [grain, size] of [['hour', 3_600_000], ['day', 86_400_000]] as const) {
    await s.execMaintenance(`INSERT INTO rollups SELECT tenant_id, '${grain}', ts - ts % ${size}, 'bandwidth.app', app, '', COUNT(*), SUM(bytes_up), SUM(bytes_down) FROM events_bandwidth GROUP BY tenant_id, ts - ts % ${size}, app`);
    await s.execMaintenance(`INSERT INTO rollups SELECT tenant_id, '${grain}', ts - ts % ${size}, 'security.threat', threat_type, action, COUNT(*), 0, 0 FROM events_security GROUP BY tenant_id, ts - ts % ${size}, threat_type, action`);
  }
}

interface NamedQuery {
  name: string;
  run(store: EventStore): Promise<unknown>;
}

const week = { from: END - 7 * DAY, to: END };
const day = { from: END - DAY, to: END };
const month = { from: END - SPAN, to: END };
const QUERIES: NamedQuery[] = [
  { name: 'access: top 10 blocked categories, 7 days', run: (s) => s.groupBy('bench-tenant', parseLogQuery({ type: 'access', ...week, filters: [{ field: 'action', op: 'eq', value: 'block' }], groupBy: ['category'], limit: 10 })) },
  { name: 'bandwidth: top 10 apps by bytes, 1 day', run: (s) => s.groupBy('bench-tenant', parseLogQuery({ type: 'bandwidth', ...day, groupBy: ['app'], orderBy: 'bytes', limit: 10 })) },
  { name: 'access: top 20 users x host, 30 days', run: (s) => s.groupBy('bench-tenant', parseLogQuery({ type: 'access', ...month, groupBy: ['user', 'host'], limit: 20 })) },
  { name: 'security: C&C hosts, 30 days', run: (s) => s.groupBy('bench-tenant', parseLogQuery({ type: 'security', ...month, filters: [{ field: 'threatType', op: 'eq', value: 'cnc' }], groupBy: ['host'], limit: 10 })) },
  { name: 'access: host contains "yahoo", count, 7 days', run: (s) => s.count('bench-tenant', { type: 'access', ...week, filters: [{ field: 'host', op: 'contains', value: 'yahoo' }] }) },
  { name: 'access: drill-down 100 newest of one user, 30 days', run: (s) => s.raw('bench-tenant', parseLogQuery({ type: 'access', ...month, filters: [{ field: 'user', op: 'eq', value: 'tanaka' }], limit: 100 })) },
  { name: 'security: 100 newest, 1 day', run: (s) => s.raw('bench-tenant', parseLogQuery({ type: 'security', ...day, limit: 100 })) },
  { name: 'dashboard (rollup): top apps 30 days', run: (s) => s.rollup('bench-tenant', { metric: 'bandwidth.app', ...month, groupBy: 'k1', orderBy: 'bytes', limit: 10 }) },
  { name: 'dashboard (rollup): threats per hour 7 days', run: (s) => s.rollup('bench-tenant', { metric: 'security.threat', ...week, groupBy: 'bucket', grain: 'hour' }) },
];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function timeQueries(store: EventStore, reps: number): Promise<void> {
  const all: number[] = [];
  for (const q of QUERIES) {
    await q.run(store); // warm
    const t: number[] = [];
    for (let i = 0; i < reps; i++) {
      const s = performance.now();
      await q.run(store);
      t.push(performance.now() - s);
    }
    all.push(...t);
    process.stdout.write(`    ${q.name.padEnd(52)} p50 ${pct(t, 50).toFixed(1).padStart(8)} ms   p95 ${pct(t, 95).toFixed(1).padStart(8)} ms\n`);
  }
  process.stdout.write(`    ${'ALL QUERIES'.padEnd(52)} p50 ${pct(all, 50).toFixed(1).padStart(8)} ms   p95 ${pct(all, 95).toFixed(1).padStart(8)} ms\n`);
}

process.stdout.write(`events bench: load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; node ${process.version}, ${os.cpus().length} cpus, batch ${batchSize}, concurrency ${concurrency}, zod validation ${validate ? 'on' : 'off'}, dir ${dir}\n`);
try {
  if (ingestN > 0) {
    for (const kind of stores) {
      const store = await open(kind, `ingest_${kind}`);
      const { sec, genSec } = await fill(store, 0, ingestN, 1);
      process.stdout.write(`ingest ${kind.padEnd(8)} ${ingestN} events in ${sec.toFixed(1)} s store time: ${Math.round(ingestN / sec)} events/s (validation ${genSec.toFixed(1)} s, ${Math.round(ingestN / genSec)} events/s)\n`);
      await store.close();
    }
  }
  if (sizes.length > 0) {
    for (const kind of stores) {
      const store = await open(kind, `query_${kind}`);
      let have = 0;
      const seed = 100;
      for (const size of sizes) {
        // size = total events over the three log types queried (access, bandwidth, security)
        const perType = Math.floor(size / 3);
        const t = performance.now();
        await bulkLoad(kind, store, perType - have, have);
        have = perType;
        await buildRollups(store);
        process.stdout.write(`  ${kind}: ${perType * 3} events bulk-generated in SQL + rollups in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
        void seed;
        process.stdout.write(`query latency ${kind} at ${size} events:\n`);
        await timeQueries(store, Number(args.get('reps') ?? 20));
      }
      await store.close();
    }
  }
} finally {
  if (stopPg) await stopPg();
  if (args.get('keep') !== 'yes') fs.rmSync(dir, { recursive: true, force: true });
}
