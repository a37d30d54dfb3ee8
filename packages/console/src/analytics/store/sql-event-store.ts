/**
 * The query half shared by the SQL stores: they differ in how they write a batch and in the
 * driver, not in the SQL they read with.
 */
import type { EventBatch, LogType } from '@mamori/policy';
import { LOG_TYPES } from '@mamori/policy';
import type { EventStore, EventStoreKind, IngestResult, StoredEvent } from './event-store.js';
import { FIELDS, eventOfRow, tableName } from './fields.js';
import type { GroupRow, LogQuery } from './query-model.js';
import { countSql, groupSql, rawSql, type RowCursor, type Sql } from './sql-builder.js';
import { rollupRowOf, rollupSql, type RollupQuery, type RollupRow } from './rollups.js';

export type Row = Record<string, unknown>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export abstract class SqlEventStore implements EventStore {
  abstract readonly kind: EventStoreKind;
  protected abstract all(text: string, params: Sql['params']): Promise<Row[]>;
  protected abstract exec(text: string, params: Sql['params']): Promise<number>;
  abstract ingest(tenantId: string, batch: EventBatch): Promise<IngestResult>;
  abstract close(): Promise<void>;

  /** Maintenance and benchmark use only (bulk loads): runs a statement with no parameters. */
  execMaintenance(text: string): Promise<number> {
    return this.exec(text, []);
  }

  async groupBy(tenantId: string, q: LogQuery): Promise<GroupRow[]> {
    const sql = groupSql(tenantId, q);
    const rows = await this.all(sql.text, sql.params);
    return rows.map((r) => {
      const keys: GroupRow['keys'] = {};
      q.groupBy.forEach((g, i) => {
        let v = r[`g${i}`];
        if (typeof v === 'bigint') v = Number(v);
        const def = FIELDS[q.type].find((d) => d.name === g)!;
        if (def.kind === 'int' && typeof v === 'string') v = Number(v);
        if (def.kind === 'bool' && v !== null && v !== undefined) v = v === true || v === 1;
        keys[g] = (v ?? null) as string | number | boolean | null;
      });
      return { keys, count: num(r['n']), bytesUp: num(r['sum_up']), bytesDown: num(r['sum_down']) };
    });
  }

  async raw(tenantId: string, q: LogQuery, after?: RowCursor): Promise<StoredEvent[]> {
    const sql = rawSql(tenantId, q, after, q.limit, after ? 0 : q.offset);
    const rows = await this.all(sql.text, sql.params);
    return rows.map((r) => eventOfRow(q.type, r) as unknown as StoredEvent);
  }

  async count(tenantId: string, q: Pick<LogQuery, 'type' | 'from' | 'to' | 'filters'>): Promise<number> {
    const sql = countSql(tenantId, q);
    const rows = await this.all(sql.text, sql.params);
    return num(rows[0]?.['n']);
  }

  async rollup(tenantId: string, q: RollupQuery): Promise<RollupRow[]> {
    const sql = rollupSql(tenantId, q);
    const rows = await this.all(sql.text, sql.params);
    return rows.map(rollupRowOf);
  }

  async purgeBefore(tenantId: string, cutoffMs: number): Promise<number> {
    let n = 0;
    for (const t of LOG_TYPES) n += await this.exec(`DELETE FROM ${tableName(t)} WHERE tenant_id = ? AND ts < ?`, [tenantId, cutoffMs]);
    // a rollup bucket is dropped only when it lies wholly before the cutoff
    await this.exec(
      `DELETE FROM rollups WHERE tenant_id = ? AND ((grain = 'minute' AND bucket + 60000 <= ?) OR (grain = 'hour' AND bucket + 3600000 <= ?) OR (grain = 'day' AND bucket + 86400000 <= ?))`,
      [tenantId, cutoffMs, cutoffMs, cutoffMs],
    );
    await this.exec('DELETE FROM ingested_batches WHERE tenant_id = ? AND received_at < ?', [tenantId, cutoffMs]);
    return n;
  }

  async lastEventByGateway(tenantId: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of LOG_TYPES) {
      const rows = await this.all(`SELECT gateway_id, MAX(ts) AS ts FROM ${tableName(t)} WHERE tenant_id = ? GROUP BY gateway_id`, [tenantId]);
      for (const r of rows) {
        const g = String(r['gateway_id']);
        out[g] = Math.max(out[g] ?? 0, num(r['ts']));
      }
    }
    return out;
  }
}

export type SqlFlavor = 'sqlite' | 'duckdb' | 'postgres';

function columnType(kind: string, flavor: SqlFlavor): string {
  if (kind === 'int') return 'BIGINT';
  if (kind === 'bool') return flavor === 'sqlite' ? 'INTEGER' : 'BOOLEAN';
  return 'TEXT';
}

export function eventTableDdl(type: LogType, flavor: SqlFlavor): string {
  const cols = ['tenant_id TEXT NOT NULL', ...FIELDS[type].map((d) => `${d.column} ${columnType(d.kind, flavor)}${d.name === 'ts' || d.name === 'id' || d.name === 'gatewayId' ? ' NOT NULL' : ''}`)];
  const partition = flavor === 'postgres' ? ' PARTITION BY RANGE (ts)' : '';
  return `CREATE TABLE IF NOT EXISTS ${tableName(type)} (${cols.join(', ')})${partition}`;
}

export const ROLLUPS_DDL = `CREATE TABLE IF NOT EXISTS rollups (
  tenant_id TEXT NOT NULL, grain TEXT NOT NULL, bucket BIGINT NOT NULL, metric TEXT NOT NULL,
  k1 TEXT NOT NULL, k2 TEXT NOT NULL, count BIGINT NOT NULL, bytes_up BIGINT NOT NULL, bytes_down BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, metric, grain, bucket, k1, k2))`;

export const BATCHES_DDL = `CREATE TABLE IF NOT EXISTS ingested_batches (
  tenant_id TEXT NOT NULL, gateway_id TEXT NOT NULL, batch_id TEXT NOT NULL, accepted BIGINT NOT NULL, received_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, gateway_id, batch_id))`;
