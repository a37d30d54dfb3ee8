/**
 * Rollups by minute / hour / day, summed in JS (rollup-accumulator.ts) and written in the same
 * transaction as the raw events, so dashboards and reports never scan raw logs. A metric is one
 * entry in ROLLUP_METRICS: a function from an event to its (k1, k2) keys.
 */
import type { LogEvent } from '@mamori/policy';

export const GRAINS = ['minute', 'hour', 'day'] as const;
export type Grain = (typeof GRAINS)[number];

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** Day buckets follow Japan time (UTC+9, no DST), the product's locale. */
export const DAY_OFFSET_MS = 9 * HOUR;

export function bucketOf(ts: number, grain: Grain): number {
  if (grain === 'minute') return Math.floor(ts / MINUTE) * MINUTE;
  if (grain === 'hour') return Math.floor(ts / HOUR) * HOUR;
  return Math.floor((ts + DAY_OFFSET_MS) / DAY) * DAY - DAY_OFFSET_MS;
}

export function nextBucket(b: number, grain: Grain): number {
  return b + (grain === 'minute' ? MINUTE : grain === 'hour' ? HOUR : DAY);
}

function ceilBucket(ts: number, grain: Grain): number {
  const b = bucketOf(ts, grain);
  return b === ts ? b : nextBucket(b, grain);
}

interface MetricDef {
  type: LogEvent['type'];
  keys(ev: LogEvent): Array<[string, string]>;
}

const who = (ev: LogEvent): string => ev.user ?? ev.srcIp;

export const ROLLUP_METRICS = {
  /** every event, by log type and gateway: the totals that must equal raw counts */
  events: { type: 'bandwidth', keys: () => [] } as MetricDef,
  'bandwidth.app': { type: 'bandwidth', keys: (ev) => (ev.type === 'bandwidth' ? [[ev.app, ev.appCategory ?? '']] : []) } as MetricDef,
  'bandwidth.user': { type: 'bandwidth', keys: (ev) => [[who(ev), '']] } as MetricDef,
  'access.category': {
    type: 'access',
    keys: (ev) => (ev.type === 'access' ? (ev.categories.length > 0 ? ev.categories : ['uncategorized']).map((c) => [c, ev.action] as [string, string]) : []),
  } as MetricDef,
  'access.blockedHost': { type: 'access', keys: (ev) => (ev.type === 'access' && ev.action === 'block' ? [[ev.host, '']] : []) } as MetricDef,
  'access.user': { type: 'access', keys: (ev) => (ev.type === 'access' ? [[who(ev), ev.action]] : []) } as MetricDef,
  'security.threat': { type: 'security', keys: (ev) => (ev.type === 'security' ? [[ev.threatType, ev.action]] : []) } as MetricDef,
  'security.signature': { type: 'security', keys: (ev) => (ev.type === 'security' ? [[ev.threatType, ev.signature.slice(0, 256)]] : []) } as MetricDef,
  'security.user': { type: 'security', keys: (ev) => (ev.type === 'security' ? [[who(ev), ev.threatType]] : []) } as MetricDef,
  'security.cncHost': { type: 'security', keys: (ev) => (ev.type === 'security' && ev.threatType === 'cnc' ? [[ev.host ?? ev.dstIp ?? ev.signature, ev.srcIp]] : []) } as MetricDef,
  'policy.rule': { type: 'policy', keys: (ev) => (ev.type === 'policy' ? [[ev.ruleName ?? ev.ruleId ?? ev.reasonKind, ev.action]] : []) } as MetricDef,
} satisfies Record<string, MetricDef>;

export type RollupMetric = keyof typeof ROLLUP_METRICS;

export interface RollupDelta {
  grain: Grain;
  bucket: number;
  /** a ROLLUP_METRICS name, or a group rollup's (group-rollups.ts, hour and day only) */
  metric: RollupMetric | `g:${string}`;
  k1: string;
  k2: string;
  count: number;
  bytesUp: number;
  bytesDown: number;
}

export interface GrainRange {
  grain: Grain;
  from: number;
  to: number;
}

/**
 * Splits [from, to) into the coarsest exact pieces: minutes at the edges, then hours, then days.
 * `from`/`to` are floored to the minute (rollups cannot be finer).
 */
export function decomposeRange(fromMs: number, toMs: number): GrainRange[] {
  const from = bucketOf(fromMs, 'minute');
  const to = bucketOf(toMs, 'minute');
  if (to <= from) return [];
  const out: GrainRange[] = [];
  const h1 = Math.min(ceilBucket(from, 'hour'), to);
  const h2 = Math.max(bucketOf(to, 'hour'), h1);
  if (h1 > from) out.push({ grain: 'minute', from, to: h1 });
  if (h2 > h1) {
    const d1 = Math.min(ceilBucket(h1, 'day'), h2);
    const d2 = Math.max(bucketOf(h2, 'day'), d1);
    if (d1 > h1) out.push({ grain: 'hour', from: h1, to: d1 });
    if (d2 > d1) out.push({ grain: 'day', from: d1, to: d2 });
    if (h2 > d2) out.push({ grain: 'hour', from: d2, to: h2 });
  }
  if (to > h2) out.push({ grain: 'minute', from: h2, to });
  return out;
}

export interface RollupQuery {
  metric: RollupMetric;
  from: number;
  to: number;
  /** restrict k1 / k2 */
  k1?: string;
  k2?: string;
  /** 'k1' | 'k2' | 'k1k2' → top-N; 'bucket' → time series at `grain` */
  groupBy: 'k1' | 'k2' | 'k1k2' | 'bucket' | 'bucketK1' | 'none';
  /** for a time series */
  grain?: Grain;
  orderBy?: 'count' | 'bytes';
  limit?: number;
}

export interface RollupRow {
  k1?: string;
  k2?: string;
  bucket?: number;
  count: number;
  bytesUp: number;
  bytesDown: number;
}

/**
 * The rollup rows of one metric over time pieces, as a UNION ALL of one plain conjunctive scan per
 * piece (grain, bucket range and key equalities), so every predicate reaches the table scan and
 * its zone maps / index; an OR of the pieces would be evaluated row by row after the scan.
 * Selects `cols` of each row.
 */
export function rollupScanSql(tenantId: string, metric: string, pieces: readonly GrainRange[], keys: ReadonlyArray<{ col: 'k1' | 'k2'; value: string }>, cols: string, table: RollupTable = () => 'rollups'): { text: string; params: Array<string | number> } {
  const params: Array<string | number> = [];
  const list = pieces.length > 0 ? pieces : [{ grain: 'minute' as const, from: 0, to: 0 }];
  const parts = list.map((p) => {
    params.push(tenantId, metric, p.grain, p.from, p.to);
    for (const k of keys) params.push(k.value);
    return `SELECT ${cols} FROM ${table(p.grain)} WHERE tenant_id = ? AND metric = ? AND grain = ? AND bucket >= ? AND bucket < ?${keys.map((k) => ` AND ${k.col} = ?`).join('')}`;
  });
  return { text: parts.join(' UNION ALL '), params };
}

/** the table holding a grain's rollup rows (one table for all grains, or one per grain) */
export type RollupTable = (grain: Grain) => string;

export function rollupSql(tenantId: string, q: RollupQuery, table: RollupTable = () => 'rollups'): { text: string; params: Array<string | number> } {
  let pieces: GrainRange[];
  if (q.groupBy === 'bucket' || q.groupBy === 'bucketK1') {
    const grain = q.grain ?? 'hour';
    pieces = [{ grain, from: bucketOf(q.from, grain), to: q.to }];
  } else pieces = decomposeRange(q.from, q.to);
  const keys: Array<{ col: 'k1' | 'k2'; value: string }> = [];
  if (q.k1 !== undefined) keys.push({ col: 'k1', value: q.k1 });
  if (q.k2 !== undefined) keys.push({ col: 'k2', value: q.k2 });
  const scan = rollupScanSql(tenantId, q.metric, pieces, keys, 'bucket, k1, k2, count, bytes_up, bytes_down', table);
  const params = [...scan.params];
  const keyCols = q.groupBy === 'k1' ? ['k1'] : q.groupBy === 'k2' ? ['k2'] : q.groupBy === 'k1k2' ? ['k1', 'k2'] : q.groupBy === 'bucket' ? ['bucket'] : q.groupBy === 'bucketK1' ? ['bucket', 'k1'] : [];
  const sel = [...keyCols, 'SUM(count) AS n', 'SUM(bytes_up) AS sum_up', 'SUM(bytes_down) AS sum_down'].join(', ');
  const group = keyCols.length ? ` GROUP BY ${keyCols.join(', ')}` : '';
  const order = q.groupBy === 'bucket' ? ' ORDER BY bucket' : q.groupBy === 'bucketK1' ? ' ORDER BY bucket, k1' : keyCols.length ? ` ORDER BY ${q.orderBy === 'bytes' ? '(SUM(bytes_up) + SUM(bytes_down))' : 'SUM(count)'} DESC, ${keyCols.join(', ')}` : '';
  let limit = '';
  if (q.limit !== undefined && q.groupBy !== 'bucket' && q.groupBy !== 'bucketK1' && q.groupBy !== 'none') { limit = ' LIMIT ?'; params.push(q.limit); }
  return { text: `SELECT ${sel} FROM (${scan.text}) AS r${group}${order}${limit}`, params };
}

export function rollupRowOf(r: Record<string, unknown>): RollupRow {
  const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
  const out: RollupRow = { count: num(r['n']), bytesUp: num(r['sum_up']), bytesDown: num(r['sum_down']) };
  if (r['k1'] !== undefined) out.k1 = String(r['k1']);
  if (r['k2'] !== undefined) out.k2 = String(r['k2']);
  if (r['bucket'] !== undefined) out.bucket = num(r['bucket']);
  return out;
}
