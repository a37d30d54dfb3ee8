/**
 * The event (log) store: its own interface, apart from the configuration store, because its
 * shape is analytical. Implementations: DuckDB and SQLite (embedded), PostgreSQL with
 * time-partitioned tables (multi-node). All pass event-store.contract.ts.
 */
import { decodeEventColumns, isEventColumns, type EventBatch, type EventColumns, type LogEvent, type LogType } from '@mamori/policy';
import type { GroupRow, LogQuery } from './query-model.js';
import type { RowCursor } from './sql-builder.js';
import type { RollupQuery, RollupRow } from './rollups.js';

export type EventStoreKind = 'duckdb' | 'sqlite' | 'postgres';

/** a checked batch in either wire form */
export type IngestBatch = EventBatch | EventColumns;

/** The row form of a batch (stores that write event by event). */
export function rowsOf(batch: IngestBatch): EventBatch {
  return isEventColumns(batch) ? decodeEventColumns(batch) : batch;
}

export interface IngestResult {
  accepted: number;
  duplicate: boolean;
}

/** A stored event: the LogEvent fields plus the gateway that sent it. */
export type StoredEvent = LogEvent & { gatewayId: string };

export interface IngestHooks {
  /**
   * called after the raw events are written and before they are committed (tests); with the
   * DuckDB store's journal: once the batch is encoded, before its journal append
   */
  afterEventsWritten?(count: number): void | Promise<void>;
  /** DuckDB store: called inside a journal segment's load transaction, before its commit (tests) */
  beforeLoadCommit?(count: number): void | Promise<void>;
}

export interface IngestOptions {
  /**
   * The request body the batch was parsed from and checked against (UTF-8 JSON of the
   * EventBatch or EventColumns, before defaults): a store that journals batches may write it as received
   * instead of serialising the batch again. Stores that do not journal ignore it.
   */
  rawJson?: Buffer;
}

/** The store cannot take more now (its loader is behind); the gateway should retry later. */
export class EventStoreOverloadedError extends Error {}

export interface EventStore {
  readonly kind: EventStoreKind;
  /**
   * Stores a validated batch (row form, or columns as gateways ship them: @mamori/policy
   * event-columns.ts) and its rollups in one transaction; a batch id seen before is a no-op.
   */
  ingest(tenantId: string, batch: IngestBatch, opts?: IngestOptions): Promise<IngestResult>;
  groupBy(tenantId: string, q: LogQuery): Promise<GroupRow[]>;
  /** newest first; `after` continues from the last row of the previous page */
  raw(tenantId: string, q: LogQuery, after?: RowCursor): Promise<StoredEvent[]>;
  count(tenantId: string, q: Pick<LogQuery, 'type' | 'from' | 'to' | 'filters'>): Promise<number>;
  rollup(tenantId: string, q: RollupQuery): Promise<RollupRow[]>;
  /** retention: deletes raw events, rollups and batch records older than the cutoff */
  purgeBefore(tenantId: string, cutoffMs: number): Promise<number>;
  /** last event time per gateway (epoch ms) */
  lastEventByGateway(tenantId: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export function cursorOf(ev: StoredEvent): RowCursor {
  return { ts: ev.ts, gatewayId: ev.gatewayId, id: ev.id };
}

export function groupByType(events: LogEvent[]): Map<LogType, LogEvent[]> {
  const m = new Map<LogType, LogEvent[]>();
  for (const ev of events) {
    const list = m.get(ev.type);
    if (list) list.push(ev);
    else m.set(ev.type, [ev]);
  }
  return m;
}
