/**
 * DuckDB event store (@duckdb/node-api, columnar). Raw events and the batch's rollup deltas
 * (summed in memory per batch) go in through Appenders inside one transaction; writes are
 * serialized on the writer connection, reads use their own connection.
 *
 * The rollups table has no primary key here: an upsert through DuckDB's ART index costs more
 * than the rest of the batch, so deltas are appended and every rollup query SUMs them (it
 * does anyway). Compaction merges the rows of the buckets touched since the last compaction once
 * enough delta rows piled up, so the table stays about one row per key and bucket.
 */
import { BIGINT, BOOLEAN, DuckDBDataChunk, DuckDBInstance, VARCHAR, type DuckDBAppender, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { EventBatch } from '@mamori/policy';
import { LOG_TYPES } from '@mamori/policy';
import type { IngestHooks, IngestResult } from './event-store.js';
import { FIELDS, cellOf, tableName, type FieldDef } from './fields.js';
import { computeRollupDeltas, type RollupDelta } from './rollups.js';
import type { Sql } from './sql-builder.js';
import { BATCHES_DDL, SqlEventStore, eventTableDdl, type Row } from './sql-event-store.js';
import type { Grain } from './rollups.js';

export interface DuckDbEventStoreOptions {
  /** file path, or ':memory:' */
  path: string;
  hooks?: IngestHooks;
  now?: () => number;
  threads?: number;
  /** compact the rollup rows after this many appended delta rows (default 250,000) */
  compactAfterRows?: number;
}

interface Pending {
  tenantId: string;
  batch: EventBatch;
  resolve(r: IngestResult): void;
  reject(err: unknown): void;
}

/** at most this many events in one group commit */
const GROUP_MAX_EVENTS = 50_000;

/** compact the rollup rows once this many delta rows were appended since the last compaction */
const COMPACT_AFTER_ROWS = 250_000;

const ROLLUP_ROWS_DDL = `CREATE TABLE IF NOT EXISTS rollups (
  tenant_id TEXT NOT NULL, grain TEXT NOT NULL, bucket BIGINT NOT NULL, metric TEXT NOT NULL,
  k1 TEXT NOT NULL, k2 TEXT NOT NULL, count BIGINT NOT NULL, bytes_up BIGINT NOT NULL, bytes_down BIGINT NOT NULL)`;

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
  private readonly pending: Pending[] = [];
  private draining = false;
  /** delta rows appended since the last compaction, and the first bucket they touch per grain */
  private uncompacted = 0;
  private dirtyFrom: Partial<Record<Grain, number>> = {};

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
    // stores made before rollups were append-only have a primary key on rollups: rebuild without it
    const pk = await writer.runAndReadAll("SELECT 1 FROM duckdb_constraints() WHERE table_name = 'rollups' AND constraint_type = 'PRIMARY KEY'");
    if (pk.getRows().length > 0) {
      await writer.run('BEGIN TRANSACTION');
      await writer.run('CREATE TABLE rollups_rebuilt AS SELECT tenant_id, grain, bucket, metric, k1, k2, count, bytes_up, bytes_down FROM rollups');
      await writer.run('DROP TABLE rollups');
      await writer.run(ROLLUP_ROWS_DDL);
      await writer.run('INSERT INTO rollups SELECT * FROM rollups_rebuilt');
      await writer.run('DROP TABLE rollups_rebuilt');
      await writer.run('COMMIT');
    }
    await writer.run(ROLLUP_ROWS_DDL);
    await writer.run(BATCHES_DDL);
    await writer.run('DROP TABLE IF EXISTS rollup_staging');
    const reader = await instance.connect();
    return new DuckDbEventStore(instance, writer, reader, opts);
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Group commit: batches that arrive while a transaction is running are written together in
   * the next one (each still checked for its batch id, each acknowledged only after that
   * commit), so the per-commit cost is shared by concurrent gateways.
   */
  ingest(tenantId: string, batch: EventBatch): Promise<IngestResult> {
    return new Promise<IngestResult>((resolve, reject) => {
      this.pending.push({ tenantId, batch, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    void this.serialize(() => this.drain()).finally(() => {
      this.draining = false;
      if (this.pending.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const group: Pending[] = [];
      let n = 0;
      while (this.pending.length > 0 && (group.length === 0 || n + this.pending[0]!.batch.events.length <= GROUP_MAX_EVENTS)) {
        const p = this.pending.shift()!;
        group.push(p);
        n += p.batch.events.length;
      }
      try {
        const results = await this.commitGroup(group);
        group.forEach((g, i) => g.resolve(results[i]!));
      } catch (err) {
        if (group.length === 1) group[0]!.reject(err);
        else {
          // one bad batch must not fail the others: retry them one by one
          for (const g of group) {
            try {
              g.resolve((await this.commitGroup([g]))[0]!);
            } catch (e) {
              g.reject(e);
            }
          }
        }
      }
    }
  }

  private async commitGroup(group: Pending[]): Promise<IngestResult[]> {
    const w = this.writer;
    await w.run('BEGIN TRANSACTION');
    try {
      const results: IngestResult[] = [];
      const fresh: Pending[] = [];
      const inGroup = new Map<string, number>();
      for (const g of group) {
        const key = `${g.tenantId}\u0000${g.batch.gatewayId}\u0000${g.batch.batchId}`;
        const again = inGroup.get(key);
        if (again !== undefined) {
          results.push({ accepted: again, duplicate: true });
          continue;
        }
        const seen = await w.runAndReadAll('SELECT accepted FROM ingested_batches WHERE tenant_id = ? AND gateway_id = ? AND batch_id = ?', [g.tenantId, g.batch.gatewayId, g.batch.batchId]);
        const prev = seen.getRowObjects()[0];
        if (prev) results.push({ accepted: Number(prev['accepted']), duplicate: true });
        else {
          results.push({ accepted: g.batch.events.length, duplicate: false });
          fresh.push(g);
          inGroup.set(key, g.batch.events.length);
        }
      }
      if (fresh.length === 0) {
        await w.run('ROLLBACK');
        return results;
      }
      for (const type of LOG_TYPES) {
        const defs = FIELDS[type];
        const columns: DuckDBValue[][] = [[], ...defs.map(() => [])];
        for (const g of fresh) {
          const events = g.batch.events.filter((e) => e.type === type);
          if (events.length === 0) continue;
          for (const _e of events) columns[0]!.push(g.tenantId);
          defs.forEach((def, i) => {
            const col = columns[i + 1]!;
            for (const ev of events) col.push(duckCell(def, cellOf(ev, g.batch.gatewayId, def)));
          });
        }
        if (columns[0]!.length === 0) continue;
        const app = await w.createAppender(tableName(type));
        appendColumns(app, [VARCHAR, ...defs.map(duckType)], columns);
        app.flushSync();
        app.closeSync();
      }
      await this.opts.hooks?.afterEventsWritten?.(fresh.reduce((s, g) => s + g.batch.events.length, 0));
      // one delta row per key and batch group
      const merged = new Map<string, RollupDelta & { tenantId: string }>();
      for (const g of fresh) {
        for (const d of computeRollupDeltas(g.batch.events, g.batch.gatewayId)) {
          const key = `${g.tenantId}\u0000${d.grain}\u0000${d.bucket}\u0000${d.metric}\u0000${d.k1}\u0000${d.k2}`;
          const m = merged.get(key);
          if (m) {
            m.count += d.count;
            m.bytesUp += d.bytesUp;
            m.bytesDown += d.bytesDown;
          } else merged.set(key, { ...d, tenantId: g.tenantId });
        }
      }
      const deltas = [...merged.values()];
      const app = await w.createAppender('rollups');
      appendColumns(app, [VARCHAR, VARCHAR, BIGINT, VARCHAR, VARCHAR, VARCHAR, BIGINT, BIGINT, BIGINT], [
        deltas.map((d) => d.tenantId),
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
      const now = BigInt((this.opts.now ?? Date.now)());
      const bapp = await w.createAppender('ingested_batches');
      appendColumns(bapp, [VARCHAR, VARCHAR, VARCHAR, BIGINT, BIGINT], [
        fresh.map((g) => g.tenantId),
        fresh.map((g) => g.batch.gatewayId),
        fresh.map((g) => g.batch.batchId),
        fresh.map((g) => BigInt(g.batch.events.length)),
        fresh.map(() => now),
      ]);
      bapp.flushSync();
      bapp.closeSync();
      await w.run('COMMIT');
      this.uncompacted += deltas.length;
      for (const d of deltas) if (!(this.dirtyFrom[d.grain]! <= d.bucket)) this.dirtyFrom[d.grain] = d.bucket;
      // the batch is committed: a failed compaction only leaves more rows to sum
      if (this.uncompacted >= (this.opts.compactAfterRows ?? COMPACT_AFTER_ROWS)) await this.compactRollups().catch(() => undefined);
      return results;
    } catch (err) {
      await w.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /**
   * Merges the rollup rows of every bucket touched since the last compaction into one row per
   * key (one transaction; readers see either the old rows or the merged ones, same sums).
   * Runs on the writer, between batches.
   */
  private async compactRollups(): Promise<void> {
    const grains = Object.entries(this.dirtyFrom) as Array<[Grain, number]>;
    this.uncompacted = 0;
    this.dirtyFrom = {};
    if (grains.length === 0) return;
    const where = grains.map(([g, b]) => `(grain = '${g}' AND bucket >= ${BigInt(b).toString()})`).join(' OR ');
    const w = this.writer;
    await w.run('BEGIN TRANSACTION');
    try {
      await w.run(`CREATE OR REPLACE TEMP TABLE rollup_merge AS SELECT tenant_id, grain, bucket, metric, k1, k2, SUM(count)::BIGINT AS count, SUM(bytes_up)::BIGINT AS bytes_up, SUM(bytes_down)::BIGINT AS bytes_down FROM rollups WHERE ${where} GROUP BY ALL`);
      await w.run(`DELETE FROM rollups WHERE ${where}`);
      // clustered by tenant, metric, grain and bucket, so that zone maps skip most row groups
      await w.run('INSERT INTO rollups SELECT * FROM rollup_merge ORDER BY tenant_id, metric, grain, bucket');
      await w.run('DROP TABLE rollup_merge');
      await w.run('COMMIT');
    } catch (err) {
      await w.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Compacts the rollup rows now (tests, maintenance). */
  compact(): Promise<void> {
    return this.serialize(async () => {
      this.dirtyFrom = { minute: 0, hour: 0, day: 0 };
      await this.compactRollups();
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
