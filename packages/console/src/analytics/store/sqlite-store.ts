/**
 * SQLite event store (better-sqlite3, WAL). A batch, its rollups and its batch record are one
 * synchronous transaction; a separate read connection serves queries so that long reads (CSV
 * streaming) never hold the writer.
 */
import Database from 'better-sqlite3';
import type { EventBatch, LogType } from '@mamori/policy';
import { LOG_TYPES } from '@mamori/policy';
import type { IngestBatch, IngestHooks, IngestResult } from './event-store.js';
import { groupByType, rowsOf } from './event-store.js';
import { FIELDS, cellOf, tableName } from './fields.js';
import { computeRollupDeltas } from './rollup-accumulator.js';
import type { Sql } from './sql-builder.js';
import { BATCHES_DDL, ROLLUPS_DDL, SqlEventStore, eventTableDdl, type Row } from './sql-event-store.js';

export interface SqliteEventStoreOptions {
  /** file path, or ':memory:' */
  path: string;
  hooks?: IngestHooks;
  now?: () => number;
}

type Bindable = string | number | bigint | null;
const bind = (v: string | number | boolean | null): Bindable => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

export class SqliteEventStore extends SqlEventStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly reader: Database.Database;
  private readonly inserts: Map<LogType, Database.Statement>;
  private readonly ingestTx: (tenantId: string, batch: EventBatch) => IngestResult;

  constructor(private readonly opts: SqliteEventStoreOptions) {
    super();
    this.db = new Database(opts.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('cache_size = -65536');
    for (const t of LOG_TYPES) {
      this.db.exec(eventTableDdl(t, 'sqlite'));
      this.db.exec(`CREATE INDEX IF NOT EXISTS ${tableName(t)}_tenant_ts ON ${tableName(t)} (tenant_id, ts)`);
    }
    this.db.exec(ROLLUPS_DDL);
    this.db.exec(BATCHES_DDL);
    this.reader = opts.path === ':memory:' ? this.db : new Database(opts.path, { readonly: true });
    this.inserts = new Map(
      LOG_TYPES.map((t) => {
        const cols = ['tenant_id', ...FIELDS[t].map((d) => d.column)];
        return [t, this.db.prepare(`INSERT INTO ${tableName(t)} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)];
      }),
    );
    const findBatch = this.db.prepare('SELECT accepted FROM ingested_batches WHERE tenant_id = ? AND gateway_id = ? AND batch_id = ?');
    const addBatch = this.db.prepare('INSERT INTO ingested_batches (tenant_id, gateway_id, batch_id, accepted, received_at) VALUES (?, ?, ?, ?, ?)');
    const upsert = this.db.prepare(
      `INSERT INTO rollups (tenant_id, grain, bucket, metric, k1, k2, count, bytes_up, bytes_down) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, metric, grain, bucket, k1, k2) DO UPDATE SET count = count + excluded.count, bytes_up = bytes_up + excluded.bytes_up, bytes_down = bytes_down + excluded.bytes_down`,
    );
    const now = opts.now ?? Date.now;
    this.ingestTx = this.db.transaction((tenantId: string, batch: EventBatch): IngestResult => {
      const seen = findBatch.get(tenantId, batch.gatewayId, batch.batchId) as { accepted: number } | undefined;
      if (seen) return { accepted: Number(seen.accepted), duplicate: true };
      for (const [type, events] of groupByType(batch.events)) {
        const stmt = this.inserts.get(type)!;
        const defs = FIELDS[type];
        const vals: Bindable[] = new Array(defs.length + 1);
        vals[0] = tenantId;
        for (const ev of events) {
          for (let i = 0; i < defs.length; i++) vals[i + 1] = bind(cellOf(ev, batch.gatewayId, defs[i]!));
          stmt.run(vals);
        }
      }
      const hook = this.opts.hooks?.afterEventsWritten;
      if (hook) void hook(batch.events.length);
      for (const d of computeRollupDeltas(batch.events, batch.gatewayId)) {
        upsert.run(tenantId, d.grain, d.bucket, d.metric, d.k1, d.k2, d.count, d.bytesUp, d.bytesDown);
      }
      addBatch.run(tenantId, batch.gatewayId, batch.batchId, batch.events.length, now());
      return { accepted: batch.events.length, duplicate: false };
    });
  }

  async ingest(tenantId: string, batch: IngestBatch): Promise<IngestResult> {
    return this.ingestTx(tenantId, rowsOf(batch));
  }

  protected async all(text: string, params: Sql['params']): Promise<Row[]> {
    return this.reader.prepare(text).all(params.map(bind)) as Row[];
  }

  protected async exec(text: string, params: Sql['params']): Promise<number> {
    return this.db.prepare(text).run(params.map(bind)).changes;
  }

  async close(): Promise<void> {
    if (this.reader !== this.db) this.reader.close();
    this.db.close();
  }
}
