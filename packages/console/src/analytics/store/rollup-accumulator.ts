/**
 * Sums events into rollup deltas in one pass (rollups.ts metrics per minute, group-rollups.ts
 * pairs per hour), for any number of tenants and gateways: the minute rows are summed per event,
 * the hour rows from the minute rows and the group pairs, the day rows from the hour rows. Used
 * by every store: per batch (SQLite, PostgreSQL) and per journal segment (DuckDB's loader).
 *
 * The sums sit in growable typed arrays, found through nested maps keyed by the values
 * themselves (tenant, bucket, metric, k1, k2): no key string is built per event and no object is
 * made per row, which kept the garbage collector busier than the sums with a million rows.
 */
import type { LogEvent } from '@mamori/policy';
import { groupRollupKeys } from './group-rollups.js';
import { HOUR, MINUTE, ROLLUP_METRICS, bucketOf, type Grain, type RollupDelta, type RollupMetric } from './rollups.js';

type KeysOf = (ev: LogEvent) => Array<[string, string]>;

const METRICS_BY_TYPE = new Map<LogEvent['type'], Array<[RollupMetric, KeysOf]>>();
for (const [name, def] of Object.entries(ROLLUP_METRICS) as Array<[RollupMetric, { type: LogEvent['type']; keys: KeysOf }]>) {
  if (name === 'events') continue;
  const list = METRICS_BY_TYPE.get(def.type) ?? [];
  list.push([name, def.keys]);
  METRICS_BY_TYPE.set(def.type, list);
}

const cut = (s: string): string => (s.length > 512 ? s.slice(0, 512) : s);

/** one grain's rows: how many, the earliest bucket (Infinity when none), and a walk over them */
export interface GrainRows {
  rows: number;
  firstBucket: number;
  each(fn: RowVisitor): void;
}

export type RowVisitor = (tenantId: string, bucket: number, metric: string, k1: string, k2: string, count: number, bytesUp: number, bytesDown: number) => void;

type K2Map = Map<string, number>;
type K1Map = Map<string, K2Map>;
type MetricMap = Map<string, K1Map>;
type BucketMap = Map<number, MetricMap>;

/** one grain's sums: tenant → bucket → metric → k1 → k2 → row number */
class Sums {
  readonly keys = new Map<string, BucketMap>();
  count = new Float64Array(1024);
  up = new Float64Array(1024);
  down = new Float64Array(1024);
  rows = 0;
  private lastTenant = '';
  private lastBucket = Number.NaN;
  private lastMetrics: MetricMap | null = null;

  /** the metric map of (tenant, bucket), cached for runs of events in the same bucket */
  metrics(tenantId: string, bucket: number): MetricMap {
    if (this.lastMetrics && bucket === this.lastBucket && tenantId === this.lastTenant) return this.lastMetrics;
    let byBucket = this.keys.get(tenantId);
    if (!byBucket) this.keys.set(tenantId, (byBucket = new Map()));
    let m = byBucket.get(bucket);
    if (!m) byBucket.set(bucket, (m = new Map()));
    this.lastTenant = tenantId;
    this.lastBucket = bucket;
    this.lastMetrics = m;
    return m;
  }

  add(metrics: MetricMap, metric: string, k1: string, k2: string, n: number, up: number, down: number): void {
    let a = metrics.get(metric);
    if (!a) metrics.set(metric, (a = new Map()));
    let b = a.get(k1);
    if (!b) a.set(k1, (b = new Map()));
    let i = b.get(k2);
    if (i === undefined) {
      i = this.rows++;
      if (i === this.count.length) this.grow();
      b.set(k2, i);
    }
    this.count[i]! += n;
    this.up[i]! += up;
    this.down[i]! += down;
  }

  private grow(): void {
    const g = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.count = g(this.count);
    this.up = g(this.up);
    this.down = g(this.down);
  }

  /** the earliest bucket of any tenant (Infinity when there are no rows) */
  firstBucket(): number {
    let first = Infinity;
    for (const byBucket of this.keys.values()) for (const bucket of byBucket.keys()) if (bucket < first) first = bucket;
    return first;
  }

  /** calls `fn` for every row */
  each(fn: RowVisitor): void {
    for (const [tenantId, byBucket] of this.keys) {
      for (const [bucket, metrics] of byBucket) {
        for (const [metric, a] of metrics) {
          for (const [k1, b] of a) {
            for (const [k2, i] of b) fn(tenantId, bucket, metric, k1, k2, this.count[i]!, this.up[i]!, this.down[i]!);
          }
        }
      }
    }
  }

  /** adds every row of `from` into this, at `grain`'s buckets */
  rollInto(into: Sums, grain: Grain): void {
    for (const [tenantId, byBucket] of this.keys) {
      for (const [bucket, metrics] of byBucket) {
        const target = into.metrics(tenantId, bucketOf(bucket, grain));
        for (const [metric, a] of metrics) {
          for (const [k1, b] of a) {
            for (const [k2, i] of b) into.add(target, metric, k1, k2, this.count[i]!, this.up[i]!, this.down[i]!);
          }
        }
      }
    }
  }
}

/** One gateway's batch summed into rollup deltas (SQLite, PostgreSQL: written with the batch). */
export function computeRollupDeltas(events: readonly LogEvent[], gatewayId: string): RollupDelta[] {
  const acc = new RollupAccumulator();
  for (const ev of events) acc.add('', gatewayId, ev);
  const out: RollupDelta[] = [];
  for (const [grain, g] of Object.entries(acc.grains()) as Array<[Grain, GrainRows]>) {
    g.each((_t, bucket, metric, k1, k2, count, bytesUp, bytesDown) => out.push({ grain, bucket, metric: metric as RollupDelta['metric'], k1, k2, count, bytesUp, bytesDown }));
  }
  return out;
}

export class RollupAccumulator {
  private readonly minutes = new Sums();
  /** group-rollup pairs, kept per hour and day only */
  private readonly groupHours = new Sums();

  add(tenantId: string, gatewayId: string, ev: LogEvent): void {
    const bw = ev.type === 'bandwidth' || ev.type === 'access';
    const up = bw ? (ev.bytesUp ?? 0) : 0;
    const down = bw ? (ev.bytesDown ?? 0) : 0;
    const m = this.minutes.metrics(tenantId, ev.ts - (ev.ts % MINUTE));
    this.minutes.add(m, 'events', ev.type, gatewayId, 1, up, down);
    for (const [name, keys] of METRICS_BY_TYPE.get(ev.type) ?? []) {
      for (const [k1, k2] of keys(ev)) this.minutes.add(m, name, cut(k1), cut(k2), 1, up, down);
    }
    const g = this.groupHours.metrics(tenantId, ev.ts - (ev.ts % HOUR));
    for (const [metric, k1, k2] of groupRollupKeys(ev, gatewayId)) this.groupHours.add(g, metric, k1, k2, 1, up, down);
  }

  /** the minute, hour and day rows (hour and day summed from the minute rows and the group pairs) */
  grains(): Record<Grain, GrainRows> {
    const hours = new Sums();
    this.minutes.rollInto(hours, 'hour');
    const days = new Sums();
    hours.rollInto(days, 'day');
    this.groupHours.rollInto(days, 'day');
    const gh = this.groupHours;
    return {
      minute: { rows: this.minutes.rows, firstBucket: this.minutes.firstBucket(), each: (fn) => this.minutes.each(fn) },
      hour: {
        rows: hours.rows + gh.rows,
        firstBucket: Math.min(hours.firstBucket(), gh.firstBucket()),
        each: (fn) => {
          hours.each(fn);
          gh.each(fn);
        },
      },
      day: { rows: days.rows, firstBucket: days.firstBucket(), each: (fn) => days.each(fn) },
    };
  }
}
