/**
 * Wires the analytics half of the console: event store, ingestion, alerts, reports, retention
 * and their background timers. The console calls createAnalytics() at start with its meta
 * database (Kysely) and its facts (gateways, deployments, alert settings, mail), then
 * registerAnalyticsRoutes() on its Fastify app.
 */
import path from 'node:path';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { ConsoleFacts } from './console-facts.js';
import { AlertEngine, type AlertEngineOptions } from './alerts/engine.js';
import { Ingestor, type IngestorOptions } from './ingest/ingestor.js';
import { applyRetention } from './ingest/retention.js';
import { migrateAnalytics, type MetaDb, type MetaDialect } from './meta/meta-store.js';
import { ReportRunner } from './reports/runner.js';
import { ReportScheduler } from './reports/scheduler.js';
import { DuckDbEventStore } from './store/duckdb-store.js';
import { DuckDbWorkerStore } from './store/duckdb-worker-store.js';
import type { EventStore, EventStoreKind } from './store/event-store.js';
import { PostgresEventStore } from './store/postgres-store.js';
import { SqliteEventStore } from './store/sqlite-store.js';

/**
 * The embedded event store, chosen by measurement (bench/src/events-bench.ts; figures in the
 * README's analytics section): at 10M events DuckDB answered the typical log-analysis queries
 * with p95 216 ms against SQLite's 8.5 s. Ingestion into DuckDB goes through a durable journal
 * (acknowledged after fdatasync) loaded in the background: 1M events in columns over 1 h were
 * acknowledged and loaded at ~134k events/s (~101k per CPU-second; SQLite ~71k/s), so query
 * latency decides.
 * Multi-gateway installs use PostgreSQL.
 */
export const EMBEDDED_EVENT_STORE: Exclude<EventStoreKind, 'postgres'> = 'duckdb';

export interface EventStoreConfig {
  kind?: EventStoreKind;
  /** for the embedded stores */
  dataDir?: string;
  /**
   * DuckDB itself always runs on a thread of its own (duck-link.ts). 'main' (default): the journal,
   * the acknowledgements and the loader's pass in JS stay in the console's thread; 'worker': they
   * move to a worker thread too (DuckDbWorkerStore, measured slower on 2 cores; events-bench
   * reports both as duckdb and duckdb-worker)
   */
  duckdbThread?: 'main' | 'worker';
  /** for PostgreSQL */
  databaseUrl?: string;
  schema?: string;
}

export async function openEventStore(cfg: EventStoreConfig): Promise<EventStore> {
  const kind = cfg.kind ?? (cfg.databaseUrl ? 'postgres' : EMBEDDED_EVENT_STORE);
  if (kind === 'postgres') {
    if (!cfg.databaseUrl) throw new Error('the PostgreSQL event store needs a database URL');
    return PostgresEventStore.open({ connectionString: cfg.databaseUrl, ...(cfg.schema ? { schema: cfg.schema } : {}) });
  }
  if (!cfg.dataDir) throw new Error('the embedded event store needs a data directory');
  if (kind === 'sqlite') return new SqliteEventStore({ path: path.join(cfg.dataDir, 'events.sqlite') });
  const file = path.join(cfg.dataDir, 'events.duckdb');
  return cfg.duckdbThread === 'worker' ? DuckDbWorkerStore.open({ path: file }) : DuckDbEventStore.open({ path: file });
}

export interface AnalyticsOptions {
  events: EventStore;
  meta: MetaDb;
  metaDialect: MetaDialect;
  facts: ConsoleFacts;
  clock?: Clock;
  ingest?: IngestorOptions;
  alerts?: AlertEngineOptions;
  tenantName?(tenantId: string): Promise<string>;
  isDemoTenant?(tenantId: string): boolean;
  /** a background job (alerts, reports, retention) failed; the job runs again at its next time */
  onError?(job: 'alerts' | 'reports' | 'retention', err: unknown): void;
}

export interface Analytics {
  events: EventStore;
  meta: MetaDb;
  facts: ConsoleFacts;
  clock: Clock;
  ingestor: Ingestor;
  alerts: AlertEngine;
  reports: ReportRunner;
  scheduler: ReportScheduler;
  /** true between start() and stop() */
  readonly started: boolean;
  /** starts the timers on the clock: alerts and due scheduled reports every minute, retention hourly */
  start(): void;
  /** stops the timers and waits for running report generations (does not close the stores) */
  stop(): Promise<void>;
}

export async function createAnalytics(opts: AnalyticsOptions): Promise<Analytics> {
  await migrateAnalytics(opts.meta, opts.metaDialect);
  const clock = opts.clock ?? systemClock;
  const alerts = new AlertEngine(opts.events, opts.meta, opts.facts, clock, opts.alerts);
  const reports = new ReportRunner(opts.events, opts.meta, opts.facts, clock, {
    ...(opts.tenantName ? { tenantName: opts.tenantName } : {}),
    ...(opts.isDemoTenant ? { isDemoTenant: opts.isDemoTenant } : {}),
  });
  const scheduler = new ReportScheduler(reports, opts.facts, clock);
  const ingestor = new Ingestor(opts.events, opts.ingest);
  const stops: Array<() => void> = [];
  const onError = (job: 'alerts' | 'reports' | 'retention') => (err: unknown) => opts.onError?.(job, err);
  const everyTenant = async (job: 'alerts' | 'retention', fn: (tenantId: string) => Promise<unknown>) => {
    for (const t of await opts.facts.tenants()) await fn(t.id).catch(onError(job));
  };
  return {
    events: opts.events, meta: opts.meta, facts: opts.facts, clock, ingestor, alerts, reports, scheduler,
    get started() {
      return stops.length > 0;
    },
    start() {
      if (stops.length > 0) return;
      stops.push(clock.every(60_000, () => everyTenant('alerts', (t) => alerts.evaluate(t)), onError('alerts')));
      stops.push(clock.every(60_000, () => scheduler.tick(), onError('reports')));
      stops.push(clock.every(3_600_000, () => everyTenant('retention', (t) => applyRetention(opts.events, opts.meta, clock, [t])), onError('retention')));
    },
    async stop() {
      for (const s of stops.splice(0)) s();
      await reports.whenIdle();
    },
  };
}
