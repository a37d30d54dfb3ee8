/**
 * DuckDB event store (@duckdb/node-api, columnar). Raw events go in through the Appender, rollup
 * deltas through a staging table and one upsert, all inside one transaction; writes are
 * serialized on the writer connection, reads use their own connection.
 */
import { BIGINT, BOOLEAN, DuckDBDataChunk, DuckDBInstance, VARCHAR, type DuckDBAppender, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { EventBatch } from '@mamori/policy';
import { LOG_TYPES } from '@mamori/policy';
import type { IngestHooks, IngestResult } from './event-store.js';
import { groupByType } from './event-store.js';
import { FIELDS, cellOf, tableName, type FieldDef } from './fields.js';
import { computeRollupDeltas } from './rollups.js';
import type { Sql } from './sql-builder.js';
import { BATCHES_DDL, ROLLUPS_DDL, SqlEventStore, eventTableDdl, type Row } from './sql-event-store.js';

export interface DuckDbEventStoreOptions {
  /** file path, or ':memory:' */
  path: string;
  hooks?: IngestHooks;
  now?: () => number;
  threads?: number;
}

/** DuckDB's vector size: a data chunk holds at most this many rows */
const CHUNK_ROWS = 2048;

function duckType(def: FieldDef): DuckDBType {
  return def.kind === 'int' ? BIGINT : def.kind === 'bool' ? BOOLEAN : VARCHAR;
}

function duckCell(def: FieldDef, v: string | number | boolean | null): DuckDBValue {
  if (v === null) return null;
  if (def.kind === 'int') return BigInt(v as number);
  if (def.kind === 'bool') return v as boolean;
  return String(v);
}

/** Appends rows column by column through data chunks (far fewer native calls than per value). */
function appendColumns(app: DuckDBAppender, types: DuckDBType[], columns: DuckDBValue[][]): void {
  const rows = columns[0]?.length ?? 0;
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const end = Math.min(rows, start + CHUNK_ROWS);
    const chunk = DuckDBDataChunk.create(types, end - start);
    chunk.setColumns(columns.map((c) => (start === 0 && end === rows ? c : c.slice(start, end))));
    app.appendDataChunk(chunk);
  }
}

/** integers bind as BIGINT so that comparisons with BIGINT columns keep zone-map pruning */
function toDuck(params: Sql['params']): DuckDBValue[] {
  return params.map((v) => (typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v));
}

function plain(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

export class DuckDbEventStore extends SqlEventStore {
  readonly kind = 'duckdb' as const;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    private readonly opts: DuckDbEventStoreOptions,
  ) {
    super();
  }

  static async open(opts: DuckDbEventStoreOptions): Promise<DuckDbEventStore> {
    const config: Record<string, string> = {};
    if (opts.threads) config['threads'] = String(opts.threads);
    const instance = await DuckDBInstance.create(opts.path, config);
    const writer = await instance.connect();
    for (const t of LOG_TYPES) await writer.run(eventTableDdl(t, 'duckdb'));
    await writer.run(ROLLUPS_DDL);
    await writer.run(BATCHES_DDL);
    await writer.run(
      'CREATE TABLE IF NOT EXISTS rollup_staging (tenant_id TEXT, grain TEXT, bucket BIGINT, metric TEXT, k1 TEXT, k2 TEXT, count BIGINT, bytes_up BIGINT, bytes_down BIGINT)',
    );
    const reader = await instance.connect();
    return new DuckDbEventStore(instance, writer, reader, opts);
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  ingest(tenantId: string, batch: EventBatch): Promise<IngestResult> {
    return this.serialize(async () => {
      const w = this.writer;
      await w.run('BEGIN TRANSACTION');
      try {
        const seen = await w.runAndReadAll('SELECT accepted FROM ingested_batches WHERE tenant_id = ? AND gateway_id = ? AND batch_id = ?', [
          tenantId,
          batch.gatewayId,
          batch.batchId,
        ]);
        const prev = seen.getRowObjects()[0];
        if (prev) {
          await w.run('ROLLBACK');
          return { accepted: Number(prev['accepted']), duplicate: true };
        }
        for (const [type, events] of groupByType(batch.events)) {
          const app = await w.createAppender(tableName(type));
          const defs = FIELDS[type];
          const columns: DuckDBValue[][] = [events.map(() => tenantId), ...defs.map((def) => events.map((ev) => duckCell(def, cellOf(ev, batch.gatewayId, def))))];
          appendColumns(app, [VARCHAR, ...defs.map(duckType)], columns);
          app.flushSync();
          app.closeSync();
        }
        await this.opts.hooks?.afterEventsWritten?.(batch.events.length);
        const deltas = computeRollupDeltas(batch.events, batch.gatewayId);
        await w.run('DELETE FROM rollup_staging');
        const app = await w.createAppender('rollup_staging');
        appendColumns(app, [VARCHAR, VARCHAR, BIGINT, VARCHAR, VARCHAR, VARCHAR, BIGINT, BIGINT, BIGINT], [
          deltas.map(() => tenantId),
          deltas.map((d) => d.grain),
          deltas.map((d) => BigInt(d.bucket)),
          deltas.map((d) => d.metric),
          deltas.map((d) => d.k1),
          deltas.map((d) => d.k2),
          deltas.map((d) => BigInt(d.count)),
          deltas.map((d) => BigInt(d.bytesUp)),
          deltas.map((d) => BigInt(d.bytesDown)),
        ]);
        app.flushSync();
        app.closeSync();
        await w.run(
          `INSERT INTO rollups SELECT * FROM rollup_staging ON CONFLICT (tenant_id, metric, grain, bucket, k1, k2)
           DO UPDATE SET count = count + EXCLUDED.count, bytes_up = bytes_up + EXCLUDED.bytes_up, bytes_down = bytes_down + EXCLUDED.bytes_down`,
        );
        await w.run('INSERT INTO ingested_batches VALUES (?, ?, ?, ?, ?)', [tenantId, batch.gatewayId, batch.batchId, batch.events.length, (this.opts.now ?? Date.now)()]);
        await w.run('COMMIT');
        return { accepted: batch.events.length, duplicate: false };
      } catch (err) {
        await w.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  protected async all(text: string, params: Sql['params']): Promise<Row[]> {
    const r = await this.reader.runAndReadAll(text.replace(/ LIKE /g, ' ILIKE '), toDuck(params));
    return r.getRowObjects().map((o) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(o)) out[k] = plain(v);
      return out;
    });
  }

  protected exec(text: string, params: Sql['params']): Promise<number> {
    return this.serialize(async () => {
      const r = await this.writer.run(text, toDuck(params));
      return Number(r.rowsChanged);
    });
  }

  async close(): Promise<void> {
    await this.queue;
    this.reader.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
  }
}
