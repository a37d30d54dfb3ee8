/**
 * Event store benchmark (issue 7): ingestion events/s on DuckDB, SQLite and PostgreSQL, and
 * log-analysis query latency p50/p95 over generated events. Not part of npm test.
 *
 *   npx tsx bench/src/events-bench.ts --stores duckdb,sqlite,postgres --ingest 1000000
 *   npx tsx bench/src/events-bench.ts --stores duckdb --sizes 10000000,50000000
 *   npm run bench -- --only events            (full: the figures in README "Analytics")
 *   npm run bench -- --only events --quick    (CI: small sizes, a few minutes)
 *
 * Every figure is printed with wall-clock time and with the process's CPU time (user + system,
 * DuckDB's threads included): on a shared, loaded machine the CPU figure is the stable one.
 *
 * --ingest N: a fresh store per engine and span (--span-hours, default 1 h and 30 days), N events
 *             in 5,000-event batches (the gateway's batch), generated and encoded as the gateway
 *             sends them (--form columns, the gateway's wire form, or rows: the JSON body) before
 *             the clock starts; then per batch what the events endpoint does with a body: parse
 *             it, check it (Ingestor.parse) and Ingestor.ingestBatch with the body, --concurrency
 *             (default 4) in flight; rollups maintained as in production. A batch holds
 *             consecutive events (a gateway ships what it logged since the last batch). Rates:
 *             acknowledged, and (DuckDB) acknowledged AND loaded, per wall second and per
 *             CPU-second, plus the DuckDB loader's time per step. Stores: duckdb (the embedded
 *             default, DuckDbEventStore: journal, acks and the loader's pass on the main thread,
 *             DuckDB on a thread of its own), duckdb-worker (DuckDbWorkerStore: all of it on a
 *             worker thread), sqlite, postgres. With DuckDB, the CPU time by thread (Linux
 *             /proc: the Node thread, DuckDB's JS thread, all others) from the first batch until
 *             everything is loaded.
 * --sizes a,b: builds a store per size and times the typical §9 queries (as the log-analysis
 *             API runs them) and the dashboard widgets, p50/p95. DuckDB: the store is BULK-BUILT
 *             in SQL (demo/bulk-sql.ts: generateEvents' distributions, 30 days, time-ordered,
 *             rollups by the loader's own SQL), not through ingest(), which --ingest measures.
 *             SQLite/PostgreSQL: an older, simplified SQL generator (three log types).
 * PostgreSQL: MAMORI_BENCH_DATABASE_URL, else a private server (as in the tests).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LOG_TYPES, asciiJson, encodeEventColumns, type EventBatch, type LogEvent } from '@mamori/policy';
import { DuckDbEventStore, PostgresEventStore, SqliteEventStore, emptyFacts, generateEvents, parseLogQuery, type EventStore } from '@mamori/console/analytics';
import { DuckDbWorkerStore } from '../../packages/console/src/analytics/store/duckdb-worker-store.js';
import { WIDGETS } from '../../packages/console/src/analytics/dashboard/registry.js';
import { bulkEventsSql, bulkRollupsSql } from '../../packages/console/src/analytics/demo/bulk-sql.js';
import { startTestDatabase } from '../../packages/console/src/analytics/test-support/postgres.js';
import { keepRawBody, rawBodyOf } from '../../packages/console/src/analytics/console-routes.js';
import { EventBatchBody, Ingestor } from '../../packages/console/src/analytics/ingest/ingestor.js';
import Fastify from 'fastify';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const stores = (args.get('stores') ?? 'duckdb,sqlite').split(',').filter(Boolean);
const ingestN = Number(args.get('ingest') ?? 0);
const sizes = (args.get('sizes') ?? '').split(',').filter(Boolean).map(Number);
const batchSize = Number(args.get('batch') ?? 5000);
/** --form columns|rows: the wire form of the batches (default columns, as the gateway ships them) */
const form = args.get('form') ?? 'columns';
if (form !== 'columns' && form !== 'rows') {
  console.error(`--form takes columns or rows (got ${form})`);
  process.exit(2);
}
/** --http yes: ingest through the events endpoint (fillHttp) instead of calling ingest() */
const http = args.get('http') === 'yes';
/** batches in flight at once (gateways posting concurrently; default 4) */
const concurrency = Number(args.get('concurrency') ?? 4);
for (const [name, v] of [['sizes', sizes], ['batch', [batchSize]], ['concurrency', [concurrency]], ['ingest', ingestN === 0 ? [] : [ingestN]], ...(['load-delay-ms', 'load-at', 'threads'] as const).filter((k) => args.has(k)).map((k) => [k, [Number(args.get(k))]] as const)] as const) {
  if (v.some((x) => !Number.isInteger(x) || x < 1)) {
    console.error(`--${name} takes positive whole numbers (got ${args.get(name)})`);
    process.exit(2);
  }
}
const DAY = 86_400_000;
/** events span 30 days ending at END, like a month of an office's logs */
const END = Date.UTC(2026, 10, 25);
const SPAN = 30 * DAY;
/**
 * --span-hours H1,H2: the ingested events cover the last H hours (one run per span). With 30 days
 * (720), 1M events put ~23 events in a minute, so nearly every event has its own minute/hour
 * rollup keys: the worst case for rollups, not what a live load looks like. A gateway fleet
 * really sending at these rates packs each batch into seconds: 1 hour is still sparser than that.
 */
const INGEST_SPANS = (args.get('span-hours') ?? '1,720').split(',').filter(Boolean).map((h) => Number(h) * 3_600_000);
/** --load-delay-ms, --load-at, --checkpoint-threshold, --threads: the DuckDB store's settings (default: the store's defaults) */
const duckOpts = {
  ...(args.has('threads') ? { threads: Number(args.get('threads')) } : {}),
  ...(args.has('load-delay-ms') ? { loadDelayMs: Number(args.get('load-delay-ms')) } : {}),
  ...(args.has('load-at') ? { loadAtEvents: Number(args.get('load-at')) } : {}),
  ...(args.has('checkpoint-threshold') ? { checkpointThreshold: args.get('checkpoint-threshold')! } : {}),
};
/**
 * --rate R: paced (open-loop) ingestion, as a fleet of gateways sending R events/s whatever the
 * console does: batch k is sent at k x batch / R seconds (still at most --concurrency in flight;
 * a batch refused for overload is sent again 50 ms later). The store keeps up with R when its
 * backlog (acknowledged, not yet loaded) stays bounded: the bench prints it every second and the
 * rate at which the loader committed events while the batches were arriving.
 * --repeat K: the generated batches are sent K times (new batch ids; the events' times repeat
 * within the span), so that a long run needs no longer generation.
 */
const rate = args.has('rate') ? Number(args.get('rate')) : 0;
const repeat = args.has('repeat') ? Number(args.get('repeat')) : 1;
for (const [name, v] of [['rate', rate], ['repeat', repeat]] as const) {
  if (args.has(name) && (!Number.isInteger(v) || v < 1)) {
    console.error(`--${name} takes a positive whole number (got ${args.get(name)})`);
    process.exit(2);
  }
}
const dir = fs.mkdtempSync(path.join(args.get('dir') ?? os.tmpdir(), 'mamori-events-bench-'));

let pgUrl: string | undefined;
let stopPg: (() => Promise<void>) | undefined;

async function open(kind: string, tag: string): Promise<EventStore> {
  if (kind === 'duckdb') return DuckDbEventStore.open({ path: path.join(dir, `${tag}.duckdb`), ...duckOpts });
  if (kind === 'duckdb-worker') return DuckDbWorkerStore.open({ path: path.join(dir, `${tag}.duckdb`), ...duckOpts });
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

/** CPU seconds (user + system) of each of this process's threads by kernel thread id (Linux /proc; empty elsewhere) */
function threadCpu(): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = fs.readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  const hz = 100;
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) / hz);
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** CPU seconds between two threadCpu() samples: the Node thread, DuckDB's JS thread, and every other thread (DuckDB's query threads, libuv's pool, V8's helpers) */
function threadSplit(before: Map<number, number>, after: Map<number, number>, duckTid: number | null): string {
  let main = 0;
  let duck = 0;
  let other = 0;
  for (const [tid, cpu] of after) {
    const d = cpu - (before.get(tid) ?? 0);
    if (tid === process.pid) main += d;
    else if (tid === duckTid) duck += d;
    else other += d;
  }
  return `Node thread ${main.toFixed(1)} s, DuckDB's JS thread ${duck.toFixed(1)} s, other threads ${other.toFixed(1)} s`;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** `count` generated events in batches of `batchSize`, each a consecutive slice of `span` ms ending at END, in time order */
function* batchSlices(count: number, seed: number, span: number): Generator<{ i: number; raw: LogEvent[] }> {
  const nb = Math.ceil(count / batchSize);
  const slice = span / nb;
  for (let i = 0; i < nb; i++) {
    const size = Math.min(batchSize, count - i * batchSize);
    const from = END - span + Math.floor(i * slice);
    const raw = [...generateEvents({ seed: seed * 100_003 + i, from, to: from + Math.max(1, Math.floor(slice)), count: size, idPrefix: `s${seed}-${i}-`, hosts: 200 })].sort((a, b) => a.ts - b.ts);
    yield { i, raw };
  }
}

/** the request body of a batch in the bench's wire form, as the gateway sends it (http-client.ts: ASCII JSON) */
const bodyOf = (b: EventBatch): Buffer => Buffer.from(asciiJson(form === 'columns' ? encodeEventColumns(b) : b), 'latin1');

/**
 * Ingests `count` events spread over `span` ms ending at END, each batch a consecutive slice of
 * time (as a gateway ships them). The batches are generated and encoded as request bodies (the
 * gateway's work) BEFORE the clock starts, so that generation neither counts nor overlaps the
 * background load; then, `concurrency` batches in flight, each body goes through what the events
 * endpoint does with it: JSON.parse, the check (Ingestor.parse: zod's rules, written by hand) and
 * Ingestor.ingestBatch with the body. Returns wall and CPU seconds until every batch is
 * acknowledged, and until everything acknowledged is loaded (DuckDB's loader runs in the
 * background; the other stores load before they acknowledge).
 */
async function fill(store: EventStore, count: number, seed: number, span: number): Promise<FillTimes> {
  const bodies: Array<{ gw: string; body: Buffer }> = [];
  const g = performance.now();
  for (const { i, raw } of batchSlices(count, seed, span)) {
    const gw = `gw-${i % 3}`;
    bodies.push({ gw, body: bodyOf({ batchId: `b-${seed}-${i}`, gatewayId: gw, events: raw }) });
  }
  const genSec = (performance.now() - g) / 1000;
  const ingestor = new Ingestor(store, { maxInFlight: concurrency, maxQueued: 1024, maxPerGateway: 1024 });
  return send(store, ingestor, bodies, seed, genSec);
}

/** the body of batch `id` sent again under the id `id`-r`r` (the id is the body's first string value: asciiJson keeps key order) */
function resentBody(body: Buffer, id: string, r: number): Buffer {
  if (r === 0) return body;
  const key = Buffer.from(`"batchId":${JSON.stringify(id)}`, 'latin1');
  const at = body.indexOf(key);
  if (at < 0) throw new Error(`bench: batch ${id} has no batchId where expected`);
  const cut = at + key.length - 1;
  return Buffer.concat([body.subarray(0, cut), Buffer.from(`-r${r}`, 'latin1'), body.subarray(cut)]);
}

/**
 * Sends the bodies as the events endpoint gets them (JSON.parse, the check, ingestBatch with the
 * body; `concurrency` in flight; one refused for overload sent again 50 ms later): as fast as they
 * are acknowledged, or with --rate / --repeat `repeat` times paced at `rate` events/s, the backlog
 * sampled every second and printed.
 */
async function send(store: EventStore, ingestor: Ingestor, bodies: Array<{ gw: string; body: Buffer }>, seed: number, genSec: number): Promise<FillTimes> {
  const duck = store instanceof DuckDbEventStore ? store : null;
  const samples: string[] = [];
  let refused = 0;
  let maxBacklog = 0;
  let steady: { t: number; loaded: number } | null = null;
  let last: { t: number; loaded: number } | null = null;
  /**
   * the backlog's low point in each 10 s while batches arrive: loads take 500k events at a time,
   * so the backlog saws between about that and twice that; the store keeps up when the low points
   * do not climb (the rate over the run depends on where in a load the last batch falls)
   */
  const lows: number[] = [];
  let arriving = true;
  const t0 = performance.now();
  const sampler = setInterval(() => {
    if (!duck) return;
    const t = (performance.now() - t0) / 1000;
    const loaded = duck.loadTotals.events;
    maxBacklog = Math.max(maxBacklog, duck.backlog);
    samples.push(`${t.toFixed(0)}s ${(duck.backlog / 1000).toFixed(0)}k`);
    if (arriving) {
      const w = Math.floor(t / 10);
      lows[w] = Math.min(lows[w] ?? Infinity, duck.backlog);
    }
    // the loader's rate while batches arrive, from the 3rd second (the first load is under way by then)
    if (t >= 3) {
      steady ??= { t, loaded };
      last = { t, loaded };
    }
  }, 1000);
  const times = await timed(store, genSec, async () => {
    const inflight = new Set<Promise<unknown>>();
    let k = 0;
    for (let r = 0; r < repeat; r++) {
      for (let i = 0; i < bodies.length; i++, k++) {
        if (rate > 0) {
          const due = t0 + (1000 * k * batchSize) / rate;
          const wait = due - performance.now();
          if (wait > 1) await new Promise((res) => setTimeout(res, wait));
        }
        const { gw, body: original } = bodies[i]!;
        const body = resentBody(original, `b-${seed}-${i}`, r);
        const send = async (): Promise<void> => {
          for (;;) {
            try {
              await ingestor.ingestBatch('bench-tenant', gw, Ingestor.parse(JSON.parse(body.toString('utf8'))), body);
              return;
            } catch (err) {
              if (!(err instanceof Error && 'code' in err && (err as { code: unknown }).code === 'analytics.overloaded')) throw err;
              refused++;
              await new Promise((res) => setTimeout(res, 50));
            }
          }
        };
        const p: Promise<unknown> = send().finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= concurrency) await Promise.race(inflight);
      }
    }
    await Promise.all(inflight);
    arriving = false;
  });
  clearInterval(sampler);
  const total = bodies.length * repeat * batchSize;
  const s = steady as { t: number; loaded: number } | null;
  const l = last as { t: number; loaded: number } | null;
  const loaderRate = s && l && l.t > s.t ? Math.round((l.loaded - s.loaded) / (l.t - s.t)) : null;
  if (rate === 0 && repeat === 1) return times;
  process.stdout.write(
    `paced: ${total} events (${bodies.length} batches x ${repeat}) offered at ${rate > 0 ? `${rate} events/s` : 'the acknowledgement rate'}; refused for overload and sent again: ${refused}; ` +
      (duck ? `backlog (acknowledged, not loaded) per second: ${samples.join(', ')}; max ${maxBacklog}; low point per 10 s: ${Array.from(lows, (v) => (v === undefined ? 'no sample' : `${(v / 1000).toFixed(0)}k`)).join(', ')}; loader while batches arrived: ${loaderRate === null ? 'n/a (run too short)' : `${loaderRate} events/s`}\n` : 'backlog: only sampled on the duckdb store\n'),
  );
  return times;
}

interface FillTimes {
  sec: number;
  cpuSec: number;
  genSec: number;
  flushSec: number;
  flushCpuSec: number;
  /** CPU by thread from the first batch sent until everything is loaded (threadSplit) */
  threads?: string;
}

/** wall and CPU seconds of `send` (until every batch is acknowledged), then of DuckDB's loader catching up */
async function timed(store: EventStore, genSec: number, send: () => Promise<void>): Promise<FillTimes> {
  const t0 = performance.now();
  const c0 = cpuNow();
  const threads0 = threadCpu();
  await send();
  const sec = (performance.now() - t0) / 1000;
  const cpuSec = cpuNow() - c0;
  const f = performance.now();
  const fc = cpuNow();
  if (store instanceof DuckDbEventStore || store instanceof DuckDbWorkerStore) await store.flush();
  const threads = threadSplit(threads0, threadCpu(), store instanceof DuckDbEventStore ? await store.threadId() : null);
  return { sec, cpuSec, genSec, flushSec: (performance.now() - f) / 1000, flushCpuSec: cpuNow() - fc, threads };
}

/**
 * --http: the same ingestion through HTTP, as the console's events route does it (the body read
 * once and kept for the journal, the hand-written EventBatch check, the Ingestor's limits), on
 * plain HTTP over loopback (the console's route adds mutual TLS and the client-certificate
 * lookup). The bodies are serialised before the clock starts; the client (node:http, `concurrency`
 * requests in flight on kept-alive connections) runs in this process, so its CPU time is counted too.
 */
async function fillHttp(store: EventStore, count: number, seed: number, span: number): Promise<FillTimes> {
  const bodies: Array<{ gw: string; body: Buffer }> = [];
  const g = performance.now();
  for (const { i, raw: events } of batchSlices(count, seed, span)) {
    bodies.push({ gw: `gw-${i % 3}`, body: bodyOf({ batchId: `h-${seed}-${i}`, gatewayId: `gw-${i % 3}`, events }) });
  }
  const genSec = (performance.now() - g) / 1000;
  const ingestor = new Ingestor(store, { maxInFlight: concurrency, maxQueued: 1024, maxPerGateway: 1024 });
  const app = Fastify({ logger: false });
  app.post('/api/gateway/events', { bodyLimit: 64 * 1024 * 1024, preParsing: keepRawBody }, async (req, reply) => {
    const r = EventBatchBody.safeParse(req.body);
    if (!r.success) return reply.code(400).send({ error: r.error.issues.slice(0, 3) });
    return ingestor.ingestBatch('bench-tenant', String(req.headers['x-gateway']), r.data as EventBatch, rawBodyOf(req.raw));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const agent = new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  /** one POST of a ready body over a kept-alive connection (node:http: the client's own cost stays small) */
  const post = (b: { gw: string; body: Buffer }): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/api/gateway/events', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': b.body.length, 'x-gateway': b.gw } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(b.body);
    });
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < bodies.length) {
        const b = bodies[next++]!;
        const res = await post(b);
        if (res.status !== 200 || typeof (JSON.parse(res.text) as { accepted?: unknown }).accepted !== 'number') throw new Error(`events endpoint answered ${res.status}: ${res.text.slice(0, 300)}`);
      }
    };
    return await timed(store, genSec, async () => {
      await Promise.all(Array.from({ length: concurrency }, worker));
    });
  } finally {
    agent.destroy();
    await app.close();
  }
}

/**
 * Bulk-generates `n` events per log type straight in SQL (same tables and columns, similar
 * distributions: 30 days, 200 hosts, 60 users, 500 sites, Zipf-free modulo spread) and the hour/day
 * rollups the dashboard queries read, for SQLite and PostgreSQL (the DuckDB stores use
 * demo/bulk-sql.ts). Used for the 10M/50M query-latency datasets, because pushing
 * 50M events through ingest() takes longer than this machine's budget; ingest() speed is measured
 * separately by --ingest.
 */
async function bulkLoad(kind: string, store: EventStore, n: number, offset: number): Promise<void> {
  const s = store as unknown as { execMaintenance(sql: string): Promise<number> };
  if (store instanceof PostgresEventStore) await store.preparePartitions(END - SPAN, END + 86_400_000);
  const seq = kind === 'postgres' ? `(SELECT i FROM generate_series(${offset}::bigint, ${offset + n - 1}::bigint) AS i)` : `(WITH RECURSIVE r(i) AS (SELECT ${offset} UNION ALL SELECT i + 1 FROM r WHERE i < ${offset + n - 1}) SELECT i FROM r)`;
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

/**
 * The hour/day rollups of the bulk-generated events, computed in SQL with the same keys as
 * rollups.ts / group-rollups.ts would give them at ingestion (days in JST): the metrics the
 * dashboard widgets read and the group rollups that serve long-range group-bys.
 */
async function buildRollups(store: EventStore): Promise<void> {
  const s = store as unknown as { execMaintenance(sql: string): Promise<number> };
  await s.execMaintenance('DELETE FROM rollups');
  const metrics: Array<[string, string, string, string, string?]> = [
    // [metric, table, k1, k2, where]
    ['events', 'events_access', "'access'", 'gateway_id'],
    ['events', 'events_bandwidth', "'bandwidth'", 'gateway_id'],
    ['events', 'events_security', "'security'", 'gateway_id'],
    ['bandwidth.app', 'events_bandwidth', 'app', "COALESCE(app_category, '')"],
    ['bandwidth.user', 'events_bandwidth', 'COALESCE(user_name, src_ip)', "''"],
    ['access.category', 'events_access', "COALESCE(category, 'uncategorized')", 'action'],
    ['access.blockedHost', 'events_access', 'host', "''", "action = 'block'"],
    ['access.user', 'events_access', 'COALESCE(user_name, src_ip)', 'action'],
    ['security.threat', 'events_security', 'threat_type', 'action'],
    ['security.signature', 'events_security', 'threat_type', 'signature'],
    ['security.user', 'events_security', 'COALESCE(user_name, src_ip)', 'threat_type'],
    ['security.cncHost', 'events_security', 'COALESCE(host, dst_ip, signature)', 'src_ip', "threat_type = 'cnc'"],
    ['g:access:category,action', 'events_access', "COALESCE(category, '')", "COALESCE(action, '')"],
    ['g:access:user,host', 'events_access', "COALESCE(user_name, '')", "COALESCE(host, '')"],
    ['g:access:host,action', 'events_access', "COALESCE(host, '')", "COALESCE(action, '')"],
    ['g:bandwidth:app,user', 'events_bandwidth', "COALESCE(app, '')", "COALESCE(user_name, '')"],
    ['g:security:threatType,host', 'events_security', "COALESCE(threat_type, '')", "COALESCE(host, '')"],
    ['g:security:threatType,action', 'events_security', "COALESCE(threat_type, '')", "COALESCE(action, '')"],
  ];
  const bytes = (t: string) => (t === 'events_security' ? '0, 0' : 'SUM(bytes_up), SUM(bytes_down)');
  for (const [metric, table, k1, k2, where] of metrics) {
    await s.execMaintenance(
      `INSERT INTO rollups SELECT tenant_id, 'hour', ts - ts % 3600000, '${metric}', ${k1}, ${k2}, COUNT(*), ${bytes(table)} FROM ${table}${where ? ` WHERE ${where}` : ''} GROUP BY tenant_id, ts - ts % 3600000, ${k1}, ${k2}`,
    );
  }
  // days (JST) from the hours
  await s.execMaintenance(
    `INSERT INTO rollups SELECT tenant_id, 'day', bucket - (bucket + 32400000) % 86400000, metric, k1, k2, SUM(count), SUM(bytes_up), SUM(bytes_down) FROM rollups WHERE grain = 'hour' GROUP BY tenant_id, bucket - (bucket + 32400000) % 86400000, metric, k1, k2`,
  );
}

interface NamedQuery {
  name: string;
  run(store: EventStore): Promise<unknown>;
}

const week = { from: END - 7 * DAY, to: END };
const day = { from: END - DAY, to: END };
const month = { from: END - SPAN, to: END };
const T = 'bench-tenant';
/** a group-by as the log-analysis API runs it: the top-N and the total matching count together */
const grouped = (s: EventStore, q: Parameters<typeof parseLogQuery>[0]) => {
  const lq = parseLogQuery(q);
  return Promise.all([s.groupBy(T, lq), s.count(T, lq)]);
};
const QUERIES: NamedQuery[] = [
  { name: 'access: top 10 blocked categories, 7 days', run: (s) => grouped(s, { type: 'access', ...week, filters: [{ field: 'action', op: 'eq', value: 'block' }], groupBy: ['category'], limit: 10 }) },
  { name: 'bandwidth: top 10 apps by bytes, 1 day', run: (s) => grouped(s, { type: 'bandwidth', ...day, groupBy: ['app'], orderBy: 'bytes', limit: 10 }) },
  { name: 'access: top 20 users x host, 30 days', run: (s) => grouped(s, { type: 'access', ...month, groupBy: ['user', 'host'], limit: 20 }) },
  { name: 'security: C&C hosts, 30 days', run: (s) => grouped(s, { type: 'security', ...month, filters: [{ field: 'threatType', op: 'eq', value: 'cnc' }], groupBy: ['host'], limit: 10 }) },
  { name: 'policy: top 10 rules x action, 30 days', run: (s) => grouped(s, { type: 'policy', ...month, groupBy: ['ruleName', 'action'], limit: 10 }) },
  { name: 'access: top 10 source IPs (no rollup), 7 days', run: (s) => grouped(s, { type: 'access', ...week, groupBy: ['srcIp'], limit: 10 }) },
  { name: 'access: host contains "yahoo", count, 7 days', run: (s) => s.count(T, { type: 'access', ...week, filters: [{ field: 'host', op: 'contains', value: 'yahoo' }] }) },
  { name: 'access: host contains "yahoo", 100 newest, 30 days', run: (s) => s.raw(T, parseLogQuery({ type: 'access', ...month, filters: [{ field: 'host', op: 'contains', value: 'yahoo' }], limit: 100 })) },
  { name: 'access: drill-down 100 newest of one user, 30 days', run: (s) => s.raw(T, parseLogQuery({ type: 'access', ...month, filters: [{ field: 'user', op: 'eq', value: 'tanaka' }], limit: 100 })) },
  { name: 'security: 100 newest malware, 30 days', run: (s) => s.raw(T, parseLogQuery({ type: 'security', ...month, filters: [{ field: 'threatType', op: 'eq', value: 'malware' }], limit: 100 })) },
  { name: 'security: 100 newest, 1 day', run: (s) => s.raw(T, parseLogQuery({ type: 'security', ...day, limit: 100 })) },
  { name: 'dashboard (rollup): top apps 30 days', run: (s) => s.rollup(T, { metric: 'bandwidth.app', ...month, groupBy: 'k1', orderBy: 'bytes', limit: 10 }) },
  { name: 'dashboard (rollup): threats per hour 7 days', run: (s) => s.rollup(T, { metric: 'security.threat', ...week, groupBy: 'bucket', grain: 'hour' }) },
];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/**
 * p50/p95 wall time per query, and the median CPU time it took (this process's user + system
 * time, DuckDB's threads included): on a loaded machine the CPU figure is the stable one.
 */
async function timeQueries(store: EventStore, reps: number): Promise<void> {
  const all: number[] = [];
  const line = (name: string, t: number[], c: number[]) =>
    process.stdout.write(`    ${name.padEnd(56)} p50 ${pct(t, 50).toFixed(1).padStart(8)} ms   p95 ${pct(t, 95).toFixed(1).padStart(8)} ms   CPU p50 ${pct(c, 50).toFixed(1).padStart(7)} ms\n`);
  const time = async (name: string, run: () => Promise<unknown>, into?: number[]) => {
    await run(); // warm
    const t: number[] = [];
    const c: number[] = [];
    for (let i = 0; i < reps; i++) {
      const s = performance.now();
      const sc = cpuNow();
      await run();
      t.push(performance.now() - s);
      c.push((cpuNow() - sc) * 1000);
    }
    into?.push(...t);
    line(name, t, c);
  };
  for (const q of QUERIES) await time(q.name, () => q.run(store), all);
  process.stdout.write(`    ${'ALL QUERIES'.padEnd(56)} p50 ${pct(all, 50).toFixed(1).padStart(8)} ms   p95 ${pct(all, 95).toFixed(1).padStart(8)} ms\n`);
  // the default dashboard: every widget's endpoint at once, as the page loads them, then each alone
  const facts = emptyFacts({ gateways: async () => [0, 1, 2].map((i) => ({ id: `gw-${i}`, name: `gw-${i}`, lastSeenAt: END })) });
  const ctx = (w: (typeof WIDGETS)[number]) => ({ tenantId: T, events: store, facts, from: END - w.defaultHours * 3_600_000, to: END, now: END, limit: 10 });
  await time(`dashboard: all ${WIDGETS.length} widgets together`, () => Promise.all(WIDGETS.map((w) => w.load(ctx(w)))));
  for (const w of WIDGETS) await time(`  widget ${w.id} (${w.defaultHours} h)`, () => w.load(ctx(w)));
}

process.stdout.write(`events bench: started ${new Date().toISOString()}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; node ${process.version}, ${os.cpus().length} cpus, batch ${batchSize}, concurrency ${concurrency}, batches as ${form}, DuckDB loader settings ${Object.keys(duckOpts).length ? JSON.stringify(duckOpts) : 'the defaults'}, ingested events over ${INGEST_SPANS.map((x) => `${x / 3_600_000} h`).join(' and ')}, dir ${dir}\n`);
try {
  if (ingestN > 0) {
    process.stdout.write(`ingest: ${execFileSync('uptime').toString().trim()}\n`);
    process.stdout.write('ingest: CPU-seconds are this process\'s user + system time (process.cpuUsage): the JS thread, the libuv pool (fdatasync, file writes) and DuckDB\'s threads; not PostgreSQL\'s server processes.\n');
    for (const span of INGEST_SPANS) {
      const spanName = span >= DAY ? `${(span / DAY).toFixed(0)} days` : `${(span / 3_600_000).toFixed(span < 3_600_000 ? 2 : 0)} h`;
      for (const kind of stores) {
        const store = await open(kind, `ingest_${kind}_${Math.round(span / 60_000)}`);
        const { sec, cpuSec, genSec, flushSec, flushCpuSec, threads } = await (http ? fillHttp : fill)(store, ingestN, 1, span);
        const sent = ingestN * (http ? 1 : repeat);
        const tag = `ingest${http ? ' via HTTP' : ''} ${kind.padEnd(13)} ${sent} events (${form}${!http && rate > 0 ? `, offered at ${rate}/s` : ''}) over ${spanName}:`;
        process.stdout.write(`${tag} acknowledged ${Math.round(sent / sec)} events/s wall (${sec.toFixed(1)} s), ${Math.round(sent / cpuSec)} events per CPU-second (${cpuSec.toFixed(1)} s CPU)  [generation + encoding as ${form} beforehand: ${Math.round(ingestN / genSec)} events/s, not counted]\n`);
        if (store instanceof DuckDbEventStore || store instanceof DuckDbWorkerStore) {
          const all = sec + flushSec;
          process.stdout.write(`${tag} acknowledged AND loaded (queryable) ${Math.round(sent / all)} events/s wall (${all.toFixed(1)} s: ${flushSec.toFixed(1)} s of loading after the last ack), ${Math.round(sent / (cpuSec + flushCpuSec))} events per CPU-second\n`);
          const t = store instanceof DuckDbWorkerStore ? (await store.stats()).loadTotals : store.loadTotals;
          process.stdout.write(`${tag} loader: ${t.loads} segment loads, ${t.events} events, ${t.rollupRows} rollup delta rows, ${t.compactions} compactions, ${t.checkpoints ?? 0} checkpoints; ms per step (all loads): ${Object.entries(t.ms).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}; ${((1000 * (t.ms['total'] ?? 0)) / Math.max(1, t.events)).toFixed(1)} µs wall per event loaded\n`);
          if (store instanceof DuckDbEventStore) {
            const d = await store.threadTimes();
            process.stdout.write(`${tag} DuckDB's thread, ms per step: ${Object.entries(d).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}\n`);
            if (threads) process.stdout.write(`${tag} CPU by thread from the first batch until all loaded: ${threads}\n`);
          }
        }
        await store.close();
      }
    }
  }
  if (sizes.length > 0) {
    for (const kind of stores) {
      if (kind === 'duckdb' || kind === 'duckdb-worker') {
        // a fresh store per size, bulk-built in SQL with generateEvents' distributions (the worker
        // store: the same DuckDB store on a worker thread, queried through it)
        for (const size of sizes) {
          // --reuse DIR: keep the bulk-built stores in DIR and reuse them on the next run
          const reuse = args.get('reuse');
          const file = path.join(reuse ?? dir, `query_${kind}_${size}.duckdb`);
          const built = reuse !== undefined && fs.existsSync(file);
          const store = kind === 'duckdb' ? await DuckDbEventStore.open({ path: file, ...duckOpts }) : await DuckDbWorkerStore.open({ path: file, ...duckOpts });
          const t = performance.now();
          const opts = { tenantId: T, count: size, from: END - SPAN, to: END, hosts: 200, batchSize, idPrefix: 'q-' };
          if (!built) for (const q of bulkEventsSql(opts)) await store.execMaintenance(q);
          const te = performance.now();
          if (!built) for (const q of bulkRollupsSql(T, END - SPAN, END)) await store.execMaintenance(q);
          const counts = await Promise.all(LOG_TYPES.map((type) => store.count(T, { type, from: 0, to: END + DAY, filters: [] })));
          // the rollup row count is asked of the store in this thread only (the worker store has no SQL of its own)
          const rollupRows = store instanceof DuckDbEventStore ? Number((await (store as unknown as { all(t: string, p: unknown[]): Promise<Array<{ n: unknown }>> }).all('SELECT (SELECT COUNT(*) FROM rollups_minute) + (SELECT COUNT(*) FROM rollups_hour) + (SELECT COUNT(*) FROM rollups_day) AS n', []))[0]!.n) : null;
          process.stdout.write(`  ${kind}: STORE BULK-BUILT IN SQL (not through ingest())${built ? ` (built by an earlier run, reused from ${file})` : ''}: ${size} events over 30 days with generateEvents' distributions (${LOG_TYPES.map((type, i) => `${type} ${counts[i]}`).join(', ')}) in ${((te - t) / 1000).toFixed(0)} s, ${rollupRows === null ? 'its (not counted through the worker)' : rollupRows} rollup rows (minute/hour/day, the loader's SQL) in ${((performance.now() - te) / 1000).toFixed(0)} s; file ${(fs.statSync(file).size / 2 ** 30).toFixed(2)} GiB\n`);
          process.stdout.write(`query latency ${kind} at ${size} events (bulk-built store):\n`);
          await timeQueries(store, Number(args.get('reps') ?? 20));
          await store.close();
          if (!reuse) fs.rmSync(file, { force: true });
        }
        continue;
      }
      const store = await open(kind, `query_${kind}`);
      let have = 0;
      for (const size of sizes) {
        // size = total events over the three log types queried (access, bandwidth, security)
        const perType = Math.floor(size / 3);
        const t = performance.now();
        await bulkLoad(kind, store, perType - have, have);
        have = perType;
        await buildRollups(store);
        process.stdout.write(`  ${kind}: ${perType * 3} events bulk-generated in SQL with SIMPLIFIED distributions (not generateEvents') + hour/day rollups in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
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
