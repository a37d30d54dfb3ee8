/**
 * Sums events into rollup deltas in one pass (rollups.ts metrics per minute, group-rollups.ts
 * pairs per hour), for any number of tenants and gateways: the minute rows are summed per event,
 * the hour rows from the minute rows and the group pairs, the day rows from the hour rows. Used
 * by every store: per batch (SQLite, PostgreSQL) and per journal segment (DuckDB's loader).
 *
 * The sums sit in growable typed arrays, found through a per-(tenant, bucket) array indexed by a
 * metric number, then maps keyed by the values themselves (k1, k2): no key string is built per
 * event and no object is made per row, which kept the garbage collector busier than the sums
 * with a million rows. The keys of each log type are written out here (addKeys) instead of
 * asked of ROLLUP_METRICS / groupRollupKeys per event, which allocated a few arrays per event
 * (add(): 1.2-3 µs per event before, 0.6-0.7 µs after, 500k generated events over 1 h on this
 * 2-core machine); rollup-accumulator.test.ts checks both give the same rows, and the
 * event-store contract checks the stored rollups against ROLLUP_METRICS.
 */
import type { LogEvent } from '@mamori/policy';
import { GROUP_ROLLUPS } from './group-rollups.js';
import { HOUR, MINUTE, ROLLUP_METRICS, bucketOf, type Grain, type RollupDelta, type RollupMetric } from './rollups.js';

/** metric numbers: ROLLUP_METRICS, then GROUP_ROLLUPS */
const METRIC_NAMES: string[] = [...Object.keys(ROLLUP_METRICS), ...GROUP_ROLLUPS.map((g) => g.metric)];
const id = (name: RollupMetric | string): number => {
  const i = METRIC_NAMES.indexOf(name);
  if (i < 0) throw new Error(`rollup accumulator: no metric ${name}`);
  return i;
};
const groupId = (type: string, a: string, b: string): number => id(`g:${type}:${a},${b}`);

const M_EVENTS = id('events');
const M_BW_APP = id('bandwidth.app');
const M_BW_USER = id('bandwidth.user');
const M_ACC_CAT = id('access.category');
const M_ACC_BLOCKED = id('access.blockedHost');
const M_ACC_USER = id('access.user');
const M_SEC_THREAT = id('security.threat');
const M_SEC_SIG = id('security.signature');
const M_SEC_USER = id('security.user');
const M_SEC_CNC = id('security.cncHost');
const M_POL_RULE = id('policy.rule');
const G_ACC_CAT_ACTION = groupId('access', 'category', 'action');
const G_ACC_USER_HOST = groupId('access', 'user', 'host');
const G_ACC_HOST_ACTION = groupId('access', 'host', 'action');
const G_BW_APP_USER = groupId('bandwidth', 'app', 'user');
const G_SEC_THREAT_HOST = groupId('security', 'threatType', 'host');
const G_SEC_THREAT_ACTION = groupId('security', 'threatType', 'action');
const G_POL_RULE_ACTION = groupId('policy', 'ruleName', 'action');
/** the metric numbers, for the column loader's sums (column-rollups.ts) and the check below */
export const METRIC_IDS = { M_EVENTS, M_BW_APP, M_BW_USER, M_ACC_CAT, M_ACC_BLOCKED, M_ACC_USER, M_SEC_THREAT, M_SEC_SIG, M_SEC_USER, M_SEC_CNC, M_POL_RULE, G_ACC_CAT_ACTION, G_ACC_USER_HOST, G_ACC_HOST_ACTION, G_BW_APP_USER, G_SEC_THREAT_HOST, G_SEC_THREAT_ACTION, G_POL_RULE_ACTION } as const;
/** every metric and group rollup must be summed by addKeys below: a new one fails here until it is */
const HANDLED = new Set<number>(Object.values(METRIC_IDS));
if (HANDLED.size !== METRIC_NAMES.length) throw new Error(`rollup accumulator: metrics without keys here: ${METRIC_NAMES.filter((_, i) => !HANDLED.has(i)).join(', ')}`);

export const cut = (s: string): string => (s.length > 512 ? s.slice(0, 512) : s);

/** one grain's rows: how many, the earliest bucket (Infinity when none), and a walk over them */
export interface GrainRows {
  rows: number;
  firstBucket: number;
  each(fn: RowVisitor): void;
}

export type RowVisitor = (tenantId: string, bucket: number, metric: string, k1: string, k2: string, count: number, bytesUp: number, bytesDown: number) => void;

type K2Map = Map<string, number>;
type K1Map = Map<string, K2Map>;
/** one (tenant, bucket): K1Map per metric number */
type Slot = Array<K1Map | undefined>;
type BucketMap = Map<number, Slot>;

/** one grain's sums: tenant → bucket → metric number → k1 → k2 → row number */
class Sums {
  readonly keys = new Map<string, BucketMap>();
  count = new Float64Array(1024);
  up = new Float64Array(1024);
  down = new Float64Array(1024);
  rows = 0;
  private lastTenant = '';
  private lastBucket = Number.NaN;
  private lastSlot: Slot | null = null;

  /** the slot of (tenant, bucket), cached for runs of events in the same bucket */
  slot(tenantId: string, bucket: number): Slot {
    if (this.lastSlot && bucket === this.lastBucket && tenantId === this.lastTenant) return this.lastSlot;
    let byBucket = this.keys.get(tenantId);
    if (!byBucket) this.keys.set(tenantId, (byBucket = new Map()));
    let m = byBucket.get(bucket);
    if (!m) byBucket.set(bucket, (m = new Array<K1Map | undefined>(METRIC_NAMES.length).fill(undefined)));
    this.lastTenant = tenantId;
    this.lastBucket = bucket;
    this.lastSlot = m;
    return m;
  }

  add(slot: Slot, metric: number, k1: string, k2: string, n: number, up: number, down: number): void {
    let a = slot[metric];
    if (!a) slot[metric] = a = new Map();
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
      for (const [bucket, slot] of byBucket) {
        for (let m = 0; m < slot.length; m++) {
          const a = slot[m];
          if (!a) continue;
          const metric = METRIC_NAMES[m]!;
          for (const [k1, b] of a) {
            for (const [k2, i] of b) fn(tenantId, bucket, metric, k1, k2, this.count[i]!, this.up[i]!, this.down[i]!);
          }
        }
      }
    }
  }

  /** adds every row of this into `into`, at `grain`'s buckets */
  rollInto(into: Sums, grain: Grain): void {
    for (const [tenantId, byBucket] of this.keys) {
      for (const [bucket, slot] of byBucket) {
        const target = into.slot(tenantId, bucketOf(bucket, grain));
        for (let m = 0; m < slot.length; m++) {
          const a = slot[m];
          if (!a) continue;
          for (const [k1, b] of a) {
            for (const [k2, i] of b) into.add(target, m, k1, k2, this.count[i]!, this.up[i]!, this.down[i]!);
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

  /**
   * The same rows as ROLLUP_METRICS' keys (minute: `m`) and groupRollupKeys (hour: `g`) give:
   * metric keys cut to 512 characters, a group key of an absent field ''.
   */
  add(tenantId: string, gatewayId: string, ev: LogEvent): void {
    const minutes = this.minutes;
    const hours = this.groupHours;
    const m = minutes.slot(tenantId, ev.ts - (ev.ts % MINUTE));
    const g = hours.slot(tenantId, ev.ts - (ev.ts % HOUR));
    switch (ev.type) {
      case 'bandwidth': {
        const up = ev.bytesUp ?? 0;
        const down = ev.bytesDown ?? 0;
        minutes.add(m, M_EVENTS, 'bandwidth', gatewayId, 1, up, down);
        minutes.add(m, M_BW_APP, cut(ev.app), cut(ev.appCategory ?? ''), 1, up, down);
        minutes.add(m, M_BW_USER, cut(ev.user ?? ev.srcIp), '', 1, up, down);
        hours.add(g, G_BW_APP_USER, ev.app, ev.user ?? '', 1, up, down);
        return;
      }
      case 'access': {
        const up = ev.bytesUp ?? 0;
        const down = ev.bytesDown ?? 0;
        const action = cut(ev.action);
        minutes.add(m, M_EVENTS, 'access', gatewayId, 1, up, down);
        const cats = ev.categories;
        if (cats.length === 0) minutes.add(m, M_ACC_CAT, 'uncategorized', action, 1, up, down);
        else for (let i = 0; i < cats.length; i++) minutes.add(m, M_ACC_CAT, cut(cats[i]!), action, 1, up, down);
        const host = cut(ev.host);
        if (ev.action === 'block') minutes.add(m, M_ACC_BLOCKED, host, '', 1, up, down);
        minutes.add(m, M_ACC_USER, cut(ev.user ?? ev.srcIp), action, 1, up, down);
        hours.add(g, G_ACC_CAT_ACTION, cats.length > 0 ? cats[0]! : '', ev.action, 1, up, down);
        hours.add(g, G_ACC_USER_HOST, ev.user ?? '', ev.host, 1, up, down);
        hours.add(g, G_ACC_HOST_ACTION, ev.host, ev.action, 1, up, down);
        return;
      }
      case 'security': {
        minutes.add(m, M_EVENTS, 'security', gatewayId, 1, 0, 0);
        const threat = cut(ev.threatType);
        minutes.add(m, M_SEC_THREAT, threat, cut(ev.action), 1, 0, 0);
        minutes.add(m, M_SEC_SIG, threat, cut(ev.signature.slice(0, 256)), 1, 0, 0);
        minutes.add(m, M_SEC_USER, cut(ev.user ?? ev.srcIp), threat, 1, 0, 0);
        if (ev.threatType === 'cnc') minutes.add(m, M_SEC_CNC, cut(ev.host ?? ev.dstIp ?? ev.signature), cut(ev.srcIp), 1, 0, 0);
        hours.add(g, G_SEC_THREAT_HOST, ev.threatType, ev.host ?? '', 1, 0, 0);
        hours.add(g, G_SEC_THREAT_ACTION, ev.threatType, ev.action, 1, 0, 0);
        return;
      }
      case 'policy': {
        minutes.add(m, M_EVENTS, 'policy', gatewayId, 1, 0, 0);
        minutes.add(m, M_POL_RULE, cut(ev.ruleName ?? ev.ruleId ?? ev.reasonKind), cut(ev.action), 1, 0, 0);
        hours.add(g, G_POL_RULE_ACTION, ev.ruleName ?? '', ev.action, 1, 0, 0);
        return;
      }
    }
  }

  /**
   * Adds rows already summed (column-rollups.ts sums a batch in columns per distinct key first):
   * `minute`: a metric's minute row (keys as add() gives them, cut); `hour`: a group rollup's hour row.
   */
  addSum(grain: 'minute' | 'hour', tenantId: string, bucket: number, metric: number, k1: string, k2: string, n: number, up: number, down: number): void {
    const sums = grain === 'minute' ? this.minutes : this.groupHours;
    sums.add(sums.slot(tenantId, bucket), metric, k1, k2, n, up, down);
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
