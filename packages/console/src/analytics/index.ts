export type { EventStore, EventStoreKind, IngestResult, StoredEvent, IngestHooks } from './store/event-store.js';
export { SqliteEventStore } from './store/sqlite-store.js';
export { DuckDbEventStore } from './store/duckdb-store.js';
export { PostgresEventStore } from './store/postgres-store.js';
export { parseLogQuery, type LogQuery, type LogQueryInput, type GroupRow, type Filter } from './store/query-model.js';
export { FIELDS, LOG_TYPE_LABELS } from './store/fields.js';
export { generateEvents, Rng } from './demo/generator.js';
