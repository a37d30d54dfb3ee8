/**
 * The query half shared by the SQL stores: they differ in how they write a batch and in the
 * driver, not in the SQL they read with.
 */
import type { LogType } from '@mamori/policy';
import { LOG_TYPES } from '@mamori/policy';
import type { EventStore, EventStoreKind, IngestBatch, IngestOptions, IngestResult, StoredEvent } from './event-store.js';
import { FIELDS, eventOfRow, tableName } from './fields.js';
import type { GroupRow, LogQuery } from './query-model.js';
import { countSql, groupSql, rawSql, type RowCursor, type Sql } from './sql-builder.js';
import { DAY, GRAINS, HOUR, decomposeRange, rollupRowOf, rollupScanSql, rollupSql, type Grain, type RollupQuery, type RollupRow } from './rollups.js';
import { groupRollupPlan, type GroupRollupPlan } from './group-rollups.js';

export type Row = Record<string, unknown>;

/** raw(): the first time window looked at, back from the end of the range */
const RAW_FIRST_WINDOW_MS = HOUR;
/** raw(): pages deeper than this (offset + limit) are read with one query over the whole range */
const RAW_WINDOW_MAX_ROWS = 20_000;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export abstract class SqlEventStore implements EventStore {
  abstract readonly kind: EventStoreKind;
  protected abstract all(text: string, params: Sql['params']): Promise<Row[]>;
  protected abstract exec(text: string, params: Sql['params']): Promise<number>;
  abstract ingest(tenantId: string, batch: IngestBatch, opts?: IngestOptions): Promise<IngestResult>;
  abstract close(): Promise<void>;

  /**
   * Whether count() may sum group rollups. Not where raw events are dropped without their
   * rollups (PostgreSQL drops whole day partitions and keeps the rollups for reports).
   */
  protected readonly countsFromRollups: boolean = true;

  /** the table of a grain's rollup rows: one `rollups` table here; DuckDB keeps one per grain */
  protected rollupTable(_grain: Grain): string {
    return 'rollups';
  }

  /** Maintenance and benchmark use only (bulk loads): runs a statement with no parameters. */
  execMaintenance(text: string): Promise<number> {
    this.exactFromCache.clear();
    return this.exec(text, []);
  }

  /**
   * Group-by with top-N. When a group rollup covers the fields and filters (group-rollups.ts)
   * and the range holds whole hours, those hours are summed from the rollups and only the
   * partial hours at the edges are scanned raw; otherwise the raw events are grouped.
   */
  async groupBy(tenantId: string, q: LogQuery): Promise<GroupRow[]> {
    const plan = groupRollupPlan(q);
    if (plan) {
      const [hFrom, hTo] = await this.exactHours(tenantId, q.from, q.to);
      if (hTo - hFrom >= HOUR) return this.groupByFromRollups(tenantId, q, plan, hFrom, hTo);
    }
    return this.groupByRaw(tenantId, q);
  }

  /** tenant → the first bucket from which the rollups equal the raw events (see exactHours) */
  protected readonly exactFromCache = new Map<string, Promise<number>>();

  /**
   * The whole hours of [from, to) that the rollups answer exactly. A retention purge deletes raw
   * events before its cutoff but only the rollup buckets wholly before it, so the oldest day
   * bucket left may count events that are gone: rollups are used from the day after it on, and
   * the rest is read raw (a purge leaves at most a day of raw events before that).
   */
  private async exactHours(tenantId: string, from: number, to: number): Promise<[number, number]> {
    let p = this.exactFromCache.get(tenantId);
    if (!p) {
      p = this.all(`SELECT MIN(bucket) AS b FROM ${this.rollupTable('day')} WHERE tenant_id = ? AND grain = 'day'`, [tenantId]).then((r) => {
        const b = r[0]?.['b'];
        // nothing stored yet: not kept, the first events will have rollups
        if (b === null || b === undefined) {
          this.exactFromCache.delete(tenantId);
          return Number.MAX_SAFE_INTEGER;
        }
        return num(b) + DAY;
      });
      this.exactFromCache.set(tenantId, p);
      p.catch(() => this.exactFromCache.delete(tenantId));
    }
    const exactFrom = await p;
    return [Math.max(Math.ceil(from / HOUR) * HOUR, Math.min(exactFrom, to)), Math.floor(to / HOUR) * HOUR];
  }

  private async groupByRaw(tenantId: string, q: LogQuery): Promise<GroupRow[]> {
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

  private async groupByFromRollups(tenantId: string, q: LogQuery, plan: GroupRollupPlan, hFrom: number, hTo: number): Promise<GroupRow[]> {
    const scan = rollupScanSql(tenantId, plan.metric, decomposeRange(hFrom, hTo), plan.where, 'k1, k2, count, bytes_up, bytes_down', (g) => this.rollupTable(g));
    const params: Sql['params'] = scan.params;
    const cols = [...new Set(plan.groupCols)];
    const text = `SELECT ${cols.join(', ')}, SUM(count) AS n, SUM(bytes_up) AS sum_up, SUM(bytes_down) AS sum_down FROM (${scan.text}) AS r GROUP BY ${cols.join(', ')}`;
    const merged = new Map<string, GroupRow>();
    const add = (keys: GroupRow['keys'], n: number, up: number, down: number) => {
      const id = JSON.stringify(q.groupBy.map((g) => keys[g] ?? null));
      const m = merged.get(id);
      if (m) {
        m.count += n;
        m.bytesUp += up;
        m.bytesDown += down;
      } else merged.set(id, { keys, count: n, bytesUp: up, bytesDown: down });
    };
    for (const r of await this.all(text, params)) {
      const keys: GroupRow['keys'] = {};
      q.groupBy.forEach((g, i) => {
        const v = r[plan.groupCols[i]!];
        keys[g] = v === null || v === undefined || v === '' ? null : String(v);
      });
      add(keys, num(r['n']), num(r['sum_up']), num(r['sum_down']));
    }
    // the partial hours at the edges, from raw events (all their groups: the top-N is taken after merging)
    for (const [from, to] of [[q.from, hFrom], [hTo, q.to]] as const) {
      if (to <= from) continue;
      for (const g of await this.groupByRaw(tenantId, { ...q, from, to, limit: Number.MAX_SAFE_INTEGER, offset: 0 })) add(g.keys, g.count, g.bytesUp, g.bytesDown);
    }
    const value = (g: GroupRow): number => (q.orderBy === 'count' ? g.count : q.orderBy === 'bytesUp' ? g.bytesUp : q.orderBy === 'bytesDown' ? g.bytesDown : g.bytesUp + g.bytesDown);
    const cmpKey = (a: GroupRow, b: GroupRow): number => {
      for (const g of q.groupBy) {
        const x = a.keys[g] ?? null;
        const y = b.keys[g] ?? null;
        if (x === y) continue;
        if (x === null) return 1;
        if (y === null) return -1;
        return String(x) < String(y) ? -1 : 1;
      }
      return 0;
    };
    return [...merged.values()].sort((a, b) => value(b) - value(a) || cmpKey(a, b)).slice(q.offset, q.offset + q.limit);
  }

  /**
   * Newest first. The newest rows are looked for in time windows going back from the end of the
   * range (an hour, then 8 times longer each time) until the page is full, so a page over a month
   * reads the last hours, not the month (rows are stored in time order; zone maps / partitions
   * skip the rest). Windows are disjoint and in descending time, so their rows concatenate in the
   * same order as one query over the whole range.
   */
  async raw(tenantId: string, q: LogQuery, after?: RowCursor): Promise<StoredEvent[]> {
    const offset = after ? 0 : q.offset;
    const need = offset + q.limit;
    const top = Math.min(q.to, after ? after.ts + 1 : q.to);
    const rows: Row[] = [];
    if (need > RAW_WINDOW_MAX_ROWS || top - q.from <= RAW_FIRST_WINDOW_MS) {
      const sql = rawSql(tenantId, { ...q, to: top }, after, q.limit, offset);
      rows.push(...(await this.all(sql.text, sql.params)));
    } else {
      let hi = top;
      let width = RAW_FIRST_WINDOW_MS;
      while (hi > q.from && rows.length < need) {
        const lo = Math.max(q.from, hi - width);
        const sql = rawSql(tenantId, { ...q, from: lo, to: hi }, after, need - rows.length, 0);
        rows.push(...(await this.all(sql.text, sql.params)));
        hi = lo;
        width *= 8;
      }
      rows.splice(0, offset);
    }
    return rows.map((r) => eventOfRow(q.type, r) as unknown as StoredEvent);
  }

  /**
   * The number of matching events. When a group rollup covers the filters (only "eq" on its two
   * fields, or no filter at all), whole hours are summed from the rollups and only the partial
   * hours at the edges are counted raw; otherwise the raw events are counted.
   */
  async count(tenantId: string, q: Pick<LogQuery, 'type' | 'from' | 'to' | 'filters'>): Promise<number> {
    const plan = this.countsFromRollups ? groupRollupPlan({ ...q, groupBy: [], orderBy: 'count', limit: 1, offset: 0 }, { forCount: true }) : null;
    const [hFrom, hTo] = plan ? await this.exactHours(tenantId, q.from, q.to) : [0, 0];
    if (plan && hTo - hFrom >= HOUR) {
      const scan = rollupScanSql(tenantId, plan.metric, decomposeRange(hFrom, hTo), plan.where, 'count', (g) => this.rollupTable(g));
      let n = num((await this.all(`SELECT SUM(count) AS n FROM (${scan.text}) AS r`, scan.params))[0]?.['n']);
      for (const [from, to] of [[q.from, hFrom], [hTo, q.to]] as const) if (to > from) n += await this.countRaw(tenantId, { ...q, from, to });
      return n;
    }
    return this.countRaw(tenantId, q);
  }

  private async countRaw(tenantId: string, q: Pick<LogQuery, 'type' | 'from' | 'to' | 'filters'>): Promise<number> {
    const sql = countSql(tenantId, q);
    const rows = await this.all(sql.text, sql.params);
    return num(rows[0]?.['n']);
  }

  async rollup(tenantId: string, q: RollupQuery): Promise<RollupRow[]> {
    const sql = rollupSql(tenantId, q, (g) => this.rollupTable(g));
    const rows = await this.all(sql.text, sql.params);
    return rows.map(rollupRowOf);
  }

  async purgeBefore(tenantId: string, cutoffMs: number): Promise<number> {
    this.exactFromCache.delete(tenantId);
    let n = 0;
    for (const t of LOG_TYPES) n += await this.exec(`DELETE FROM ${tableName(t)} WHERE tenant_id = ? AND ts < ?`, [tenantId, cutoffMs]);
    // a rollup bucket is dropped only when it lies wholly before the cutoff
    for (const table of new Set(GRAINS.map((g) => this.rollupTable(g)))) {
      await this.exec(
        `DELETE FROM ${table} WHERE tenant_id = ? AND ((grain = 'minute' AND bucket + 60000 <= ?) OR (grain = 'hour' AND bucket + 3600000 <= ?) OR (grain = 'day' AND bucket + 86400000 <= ?))`,
        [tenantId, cutoffMs, cutoffMs, cutoffMs],
      );
    }
    await this.exec('DELETE FROM ingested_batches WHERE tenant_id = ? AND received_at < ?', [tenantId, cutoffMs]);
    return n;
  }

  /**
   * Last event time per gateway. The day rollups say on which day each gateway last sent
   * something, so the raw scan for the exact time covers only the days since the earliest of
   * those (zone maps / partitions prune the rest) instead of every event ever kept.
   */
  async lastEventByGateway(tenantId: string): Promise<Record<string, number>> {
    const days = await this.all(`SELECT MIN(b) AS since FROM (SELECT k2, MAX(bucket) AS b FROM ${this.rollupTable('day')} WHERE tenant_id = ? AND metric = 'events' AND grain = 'day' GROUP BY k2) AS last_days`, [tenantId]);
    const since = days[0]?.['since'];
    if (since === null || since === undefined) return {};
    const out: Record<string, number> = {};
    for (const t of LOG_TYPES) {
      const rows = await this.all(`SELECT gateway_id, MAX(ts) AS ts FROM ${tableName(t)} WHERE tenant_id = ? AND ts >= ? GROUP BY gateway_id`, [tenantId, num(since)]);
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
