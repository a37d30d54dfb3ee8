/** The analytics half of the console (manual §4, §7, §8, §9). See README "Analytics". */
export type { EventStore, EventStoreKind, IngestResult, StoredEvent, IngestHooks } from './store/event-store.js';
export { SqliteEventStore } from './store/sqlite-store.js';
export { DuckDbEventStore } from './store/duckdb-store.js';
export { DuckDbWorkerStore } from './store/duckdb-worker-store.js';
export { PostgresEventStore } from './store/postgres-store.js';
export { parseLogQuery, type LogQuery, type LogQueryInput, type GroupRow, type Filter } from './store/query-model.js';
export { FIELDS, LOG_TYPE_LABELS } from './store/fields.js';
export { generateEvents, Rng } from './demo/generator.js';
export { seedDemoEvents, isDemoData, type SeedDemoOptions } from './demo/seed.js';
export { createAnalytics, openEventStore, EMBEDDED_EVENT_STORE, type Analytics, type AnalyticsOptions, type EventStoreConfig } from './analytics.js';
export { registerAnalyticsRoutes, type AnalyticsRouteDeps, type RequestUser } from './routes.js';
export { migrateAnalytics, type AnalyticsTables, type MetaDb, type MetaDialect } from './meta/meta-store.js';
export { emptyFacts, type ConsoleFacts, type GatewayInfo, type DeploymentInfo, type MailMessage, type MailAttachment } from './console-facts.js';
export { systemClock, ManualClock, type Clock } from './clock.js';
export { Ingestor, IngestError } from './ingest/ingestor.js';
export { AlertEngine, type AlertRecord } from './alerts/engine.js';
export { ReportRunner } from './reports/runner.js';
