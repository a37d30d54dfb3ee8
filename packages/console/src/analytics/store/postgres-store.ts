/**
 * PostgreSQL event store for multi-node installs: one table per log type, PARTITION BY RANGE on
 * the event time with one partition per UTC day, created on demand before a batch is written.
 * A batch is claimed by inserting its id first (ON CONFLICT DO NOTHING), so two nodes receiving
 * the same batch store it once: the second waits on the first's row lock and sees a duplicate.
 */
import pg from 'pg';
import type { EventBatch, LogType } from '@mamori/policy';
import { LOG_TYPES } from '@mamori/policy';
import type { IngestBatch, IngestHooks, IngestResult } from './event-store.js';
import { groupByType, rowsOf } from './event-store.js';
import { FIELDS, cellOf, tableName } from './fields.js';
import { computeRollupDeltas } from './rollup-accumulator.js';
import { DAY } from './rollups.js';
import type { Sql } from './sql-builder.js';
import { BATCHES_DDL, ROLLUPS_DDL, SqlEventStore, eventTableDdl, type Row } from './sql-event-store.js';

export interface PostgresEventStoreOptions {
  connectionString: string;
  /** schema to create the tables in (default: public) */
  schema?: string;
  hooks?: IngestHooks;
  now?: () => number;
  poolSize?: number;
}

function numbered(text: string): string {
  let i = 0;
  return text.replace(/\?/g, () => `$${++i}`);
}

const PG_ARRAY_TYPE: Record<string, string> = { int: 'bigint[]', bool: 'boolean[]', text: 'text[]', list: 'text[]' };

function dayName(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10).replace(/-/g, '');
}

export class PostgresEventStore extends SqlEventStore {
  readonly kind = 'postgres' as const;
  protected override readonly countsFromRollups = false;
  private readonly partitions = new Set<string>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly opts: PostgresEventStoreOptions,
  ) {
    super();
  }

  static async open(opts: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const schema = opts.schema ?? 'public';
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
    const pool = new pg.Pool({ connectionString: opts.connectionString, max: opts.poolSize ?? 4, options: `-c search_path=${schema}` });
    const c = await pool.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      // one node at a time creates the schema
      await c.query('SELECT pg_advisory_lock(727274)');
      try {
        for (const t of LOG_TYPES) {
          await c.query(eventTableDdl(t, 'postgres'));
          await c.query(`CREATE INDEX IF NOT EXISTS ${tableName(t)}_tenant_ts ON ${tableName(t)} (tenant_id, ts)`);
        }
        await c.query(ROLLUPS_DDL);
        await c.query(BATCHES_DDL);
      } finally {
        await c.query('SELECT pg_advisory_unlock(727274)');
      }
    } finally {
      c.release();
    }
    return new PostgresEventStore(pool, opts);
  }

  /** Creates the daily partitions a batch needs (outside the batch transaction; DDL races are retried). */
  private async ensurePartitions(type: LogType, tsList: number[]): Promise<void> {
    const days = new Set<number>();
    for (const ts of tsList) days.add(Math.floor(ts / DAY) * DAY);
    for (const day of days) {
      const name = `${tableName(type)}_p${dayName(day)}`;
      if (this.partitions.has(name)) continue;
      for (let attempt = 0; ; attempt++) {
        try {
          await this.pool.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${tableName(type)} FOR VALUES FROM (${day}) TO (${day + DAY})`);
          break;
        } catch (err) {
          const code = (err as { code?: string }).code;
          // another node created it at the same moment
          if ((code === '42P07' || code === '23505' || code === '40P01') && attempt < 3) continue;
          throw err;
        }
      }
      this.partitions.add(name);
    }
  }

  /** Creates the daily partitions of every log type for [from, to) (bulk loads, pre-creation). */
  async preparePartitions(from: number, to: number): Promise<void> {
    const days: number[] = [];
    for (let d = Math.floor(from / DAY) * DAY; d < to; d += DAY) days.push(d);
    for (const t of LOG_TYPES) await this.ensurePartitions(t, days);
  }

  async partitionNames(): Promise<string[]> {
    const r = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = current_schema() AND p.relkind = 'p' ORDER BY 1`,
    );
    return r.rows.map((x) => x.name);
  }

  async ingest(tenantId: string, input: IngestBatch): Promise<IngestResult> {
    const batch = rowsOf(input);
    const byType = groupByType(batch.events);
    for (const [type, events] of byType) await this.ensurePartitions(type, events.map((e) => e.ts));
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.ingestOnce(tenantId, batch, byType);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if ((code === '40P01' || code === '40001') && attempt < 5) continue;
        throw err;
      }
    }
  }

  private async ingestOnce(tenantId: string, batch: EventBatch, byType: ReturnType<typeof groupByType>): Promise<IngestResult> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const claimed = await c.query(
        'INSERT INTO ingested_batches (tenant_id, gateway_id, batch_id, accepted, received_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING batch_id',
        [tenantId, batch.gatewayId, batch.batchId, batch.events.length, (this.opts.now ?? Date.now)()],
      );
      if (claimed.rowCount === 0) {
        await c.query('ROLLBACK');
        const prev = await c.query<{ accepted: string }>('SELECT accepted FROM ingested_batches WHERE tenant_id = $1 AND gateway_id = $2 AND batch_id = $3', [
          tenantId,
          batch.gatewayId,
          batch.batchId,
        ]);
        return { accepted: Number(prev.rows[0]?.accepted ?? 0), duplicate: true };
      }
      for (const [type, events] of byType) {
        const defs = FIELDS[type];
        const columns: unknown[][] = [events.map(() => tenantId), ...defs.map((d) => events.map((ev) => cellOf(ev, batch.gatewayId, d)))];
        const casts = ['text[]', ...defs.map((d) => PG_ARRAY_TYPE[d.kind]!)];
        await c.query(
          `INSERT INTO ${tableName(type)} (tenant_id, ${defs.map((d) => d.column).join(', ')}) SELECT * FROM unnest(${casts.map((t, i) => `$${i + 1}::${t}`).join(', ')})`,
          columns,
        );
      }
      await this.opts.hooks?.afterEventsWritten?.(batch.events.length);
      // a fixed order of upserts keeps concurrent batches from deadlocking on rollup rows
      const deltas = computeRollupDeltas(batch.events, batch.gatewayId).sort((a, b) =>
        a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : a.grain < b.grain ? -1 : a.grain > b.grain ? 1 : a.bucket - b.bucket || (a.k1 < b.k1 ? -1 : a.k1 > b.k1 ? 1 : a.k2 < b.k2 ? -1 : a.k2 > b.k2 ? 1 : 0),
      );
      if (deltas.length > 0) {
        await c.query(
          `INSERT INTO rollups (tenant_id, grain, bucket, metric, k1, k2, count, bytes_up, bytes_down)
           SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[])
           ON CONFLICT (tenant_id, metric, grain, bucket, k1, k2) DO UPDATE SET count = rollups.count + EXCLUDED.count,
             bytes_up = rollups.bytes_up + EXCLUDED.bytes_up, bytes_down = rollups.bytes_down + EXCLUDED.bytes_down`,
          [
            tenantId,
            deltas.map((d) => d.grain),
            deltas.map((d) => d.bucket),
            deltas.map((d) => d.metric),
            deltas.map((d) => d.k1),
            deltas.map((d) => d.k2),
            deltas.map((d) => d.count),
            deltas.map((d) => d.bytesUp),
            deltas.map((d) => d.bytesDown),
          ],
        );
      }
      await c.query('COMMIT');
      return { accepted: batch.events.length, duplicate: false };
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  protected async all(text: string, params: Sql['params']): Promise<Row[]> {
    const r = await this.pool.query(numbered(text.replace(/ LIKE /g, ' ILIKE ')), params);
    return r.rows as Row[];
  }

  protected async exec(text: string, params: Sql['params']): Promise<number> {
    const r = await this.pool.query(numbered(text), params);
    return r.rowCount ?? 0;
  }

  /** Drops whole daily partitions that end before the cutoff (all tenants; for a global maximum retention). */
  async dropPartitionsBefore(cutoffMs: number): Promise<string[]> {
    const dropped: string[] = [];
    let end = 0;
    for (const name of await this.partitionNames()) {
      const m = /_p(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (!m) continue;
      const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      if (start + DAY <= cutoffMs) {
        await this.pool.query(`DROP TABLE IF EXISTS ${name}`);
        this.partitions.delete(name);
        dropped.push(name);
        end = Math.max(end, start + DAY);
      }
    }
    if (dropped.length > 0) {
      // the rollup buckets wholly inside the dropped days go with them (every tenant), as a purge
      // does; a day bucket reaching past them stays and the group-bys read that day raw (exactHours)
      await this.pool.query(
        `DELETE FROM rollups WHERE (grain = 'minute' AND bucket + 60000 <= $1) OR (grain = 'hour' AND bucket + 3600000 <= $1) OR (grain = 'day' AND bucket + 86400000 <= $1)`,
        [end],
      );
      this.exactFromCache.clear();
    }
    return dropped;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
