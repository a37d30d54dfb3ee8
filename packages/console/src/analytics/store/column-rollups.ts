/**
 * The rollup deltas of a batch in columns, summed on the columns' dictionary indexes: for each
 * metric, a row's key is a number made of its bucket's, k1's and k2's positions, summed in a Map
 * of numbers; only each distinct key becomes strings and goes into the RollupAccumulator
 * (addSum). A batch of 5,000 events has a few hundred distinct keys per metric, so the strings,
 * the cut to 512 characters and the accumulator's nested maps are paid per key, not per event.
 * The keys are exactly those of RollupAccumulator.add() for the same events (the same fallbacks
 * `user ?? srcIp`, `host ?? dstIp ?? signature`, '' for an absent group key, cut where add() cuts);
 * rollup-accumulator.test.ts and duckdb-columns.test.ts check both give the same rows. Byte
 * sums are JS numbers, as in add(): exact up to 2^53 per row (beyond, this sums a batch's bytes
 * per key before adding them, add() per event, so the two round differently).
 *
 * The arrays may be typed arrays (a batch moved to the DuckDB worker: indexes as Int32Array,
 * integers as Float64Array with NaN for null).
 */
import type { ListColumn, LogType, TextColumn, TypeColumns } from '@mamori/policy';
import { HOUR, MINUTE } from './rollups.js';
import { METRIC_IDS as M, cut, type RollupAccumulator } from './rollup-accumulator.js';

/** a key per row: its position in `strings` (ids null: every row has position 0) */
interface Keys {
  ids: Int32Array | null;
  strings: string[];
}

const same = (s: string): string => s;

/** one string for every row */
const constant = (s: string): Keys => ({ ids: null, strings: [s] });

/**
 * Per row, the first of `cols` that is not null there (`absent` when all are), as a position in
 * the dictionaries laid end to end, `absent` last; each string passed through `map`.
 */
function keysOf(n: number, cols: ReadonlyArray<TextColumn | undefined>, absent: string, map: (s: string) => string): Keys {
  const present = cols.filter((c): c is TextColumn => c !== undefined);
  const strings: string[] = [];
  const offsets: number[] = [];
  for (const c of present) {
    offsets.push(strings.length);
    for (const s of c.d) strings.push(map(s));
  }
  const none = strings.length;
  strings.push(absent);
  const ids = new Int32Array(n);
  if (present.length === 0) ids.fill(none);
  else if (present.length === 1) {
    const idx = present[0]!.i;
    for (let r = 0; r < n; r++) {
      const e = idx[r]!;
      ids[r] = e >= 0 ? e : none;
    }
  } else {
    for (let r = 0; r < n; r++) {
      let id = none;
      for (let c = 0; c < present.length; c++) {
        const e = present[c]!.i[r]!;
        if (e >= 0) {
          id = offsets[c]! + e;
          break;
        }
      }
      ids[r] = id;
    }
  }
  return { ids, strings };
}

/** each row's bucket (minute or hour) as a position in `values` */
function bucketsOf(ts: ArrayLike<number | null>, n: number, size: number): { ids: Int32Array; values: number[] } {
  const ids = new Int32Array(n);
  const values: number[] = [];
  const at = new Map<number, number>();
  let last = Number.NaN;
  let lastId = -1;
  for (let r = 0; r < n; r++) {
    const t = ts[r] as number;
    const b = t - (t % size);
    if (b !== last) {
      let id = at.get(b);
      if (id === undefined) {
        id = values.length;
        values.push(b);
        at.set(b, id);
      }
      last = b;
      lastId = id;
    }
    ids[r] = lastId;
  }
  return { ids, values };
}

/** sums per distinct (bucket, k1, k2) of one metric */
class KeySums {
  private readonly at = new Map<number, number>();
  readonly keys: number[] = [];
  readonly count: number[] = [];
  readonly up: number[] = [];
  readonly down: number[] = [];

  add(key: number, up: number, down: number): void {
    let s = this.at.get(key);
    if (s === undefined) {
      s = this.keys.length;
      this.at.set(key, s);
      this.keys.push(key);
      this.count.push(0);
      this.up.push(0);
      this.down.push(0);
    }
    this.count[s]! += 1;
    this.up[s]! += up;
    this.down[s]! += down;
  }
}

/** what one log type's rows of a batch are summed with */
class BatchRollups {
  readonly minutes: { ids: Int32Array; values: number[] };
  readonly hours: { ids: Int32Array; values: number[] };
  readonly up: Float64Array | null;
  readonly down: Float64Array | null;

  constructor(
    private readonly acc: RollupAccumulator,
    private readonly tenantId: string,
    readonly tc: TypeColumns,
    bytes: boolean,
  ) {
    const ts = tc.cols['ts'] as ArrayLike<number | null>;
    this.minutes = bucketsOf(ts, tc.n, MINUTE);
    this.hours = bucketsOf(ts, tc.n, HOUR);
    this.up = bytes ? zeroForNull(tc.cols['bytesUp'] as ArrayLike<number | null> | undefined, tc.n) : null;
    this.down = bytes ? zeroForNull(tc.cols['bytesDown'] as ArrayLike<number | null> | undefined, tc.n) : null;
  }

  /**
   * Sums one metric: per row (those with `only[r]` set, when given) the key (k1, k2) in the
   * row's minute (or hour, for a group rollup) bucket, then hands each distinct key's sums to the
   * accumulator.
   */
  sum(grain: 'minute' | 'hour', metric: number, k1: Keys, k2: Keys, only: Uint8Array | null = null): void {
    const n = this.tc.n;
    const b = grain === 'minute' ? this.minutes : this.hours;
    const K1 = k1.strings.length;
    const K2 = k2.strings.length;
    const i1 = k1.ids;
    const i2 = k2.ids;
    const up = this.up;
    const down = this.down;
    const sums = new KeySums();
    for (let r = 0; r < n; r++) {
      if (only !== null && only[r] === 0) continue;
      const key = (b.ids[r]! * K1 + (i1 === null ? 0 : i1[r]!)) * K2 + (i2 === null ? 0 : i2[r]!);
      sums.add(key, up === null ? 0 : up[r]!, down === null ? 0 : down[r]!);
    }
    this.flush(grain, metric, sums, b.values, k1.strings, k2.strings);
  }

  /** access.category: one row per category of the event ('uncategorized' when it has none), k2 the action */
  sumCategories(categories: ListColumn | undefined, action: Keys): void {
    const n = this.tc.n;
    const b = this.minutes;
    const strings = categories ? categories.d.map(cut) : [];
    const none = strings.length;
    strings.push('uncategorized');
    const K1 = strings.length;
    const K2 = action.strings.length;
    const up = this.up;
    const down = this.down;
    const sums = new KeySums();
    let p = 0;
    for (let r = 0; r < n; r++) {
      const base = b.ids[r]! * K1;
      const k2 = action.ids === null ? 0 : action.ids[r]!;
      const u = up === null ? 0 : up[r]!;
      const d = down === null ? 0 : down[r]!;
      const c = categories ? categories.n[r]! : 0;
      if (c === 0) sums.add((base + none) * K2 + k2, u, d);
      for (let m = 0; m < c; m++) sums.add((base + categories!.i[p + m]!) * K2 + k2, u, d);
      p += c;
    }
    this.flush('minute', M.M_ACC_CAT, sums, b.values, strings, action.strings);
  }

  private flush(grain: 'minute' | 'hour', metric: number, sums: KeySums, buckets: number[], s1: string[], s2: string[]): void {
    const K1 = s1.length;
    const K2 = s2.length;
    for (let s = 0; s < sums.keys.length; s++) {
      const key = sums.keys[s]!;
      const k2 = key % K2;
      const rest = (key - k2) / K2;
      const k1 = rest % K1;
      const bucket = buckets[(rest - k1) / K1]!;
      this.acc.addSum(grain, this.tenantId, bucket, metric, s1[k1]!, s2[k2]!, sums.count[s]!, sums.up[s]!, sums.down[s]!);
    }
  }
}

/** an integer column with 0 for null (and NaN, a null in a typed array), as bytes are summed */
function zeroForNull(col: ArrayLike<number | null> | undefined, n: number): Float64Array {
  const out = new Float64Array(n);
  if (!col) return out;
  for (let r = 0; r < n; r++) {
    const v = col[r];
    out[r] = v === null || v === undefined || v !== v ? 0 : v;
  }
  return out;
}

/** rows whose key (position in `k.strings`) is `value` */
function rowsWhere(k: Keys, n: number, value: string): Uint8Array {
  const hit = k.strings.map((s) => s === value);
  const out = new Uint8Array(n);
  if (k.ids === null) return out.fill(hit[0] ? 1 : 0);
  for (let r = 0; r < n; r++) out[r] = hit[k.ids[r]!] ? 1 : 0;
  return out;
}

/** the same keys with their strings cut as add() cuts them (the rows' positions do not change) */
const cutKeys = (k: Keys): Keys => ({ ids: k.ids, strings: k.strings.map(cut) });

/** Sums a log type's rows of a batch in columns into the accumulator: the rows add() gives for the same events. */
export function addColumnRollups(acc: RollupAccumulator, tenantId: string, gatewayId: string, type: LogType, tc: TypeColumns): void {
  const n = tc.n;
  if (n === 0) return;
  const br = new BatchRollups(acc, tenantId, tc, type === 'bandwidth' || type === 'access');
  /** a key per row from the first of these text columns not null there ('' when none is) */
  const keys = (...names: string[]): Keys => keysOf(n, names.map((name) => tc.cols[name] as TextColumn | undefined), '', same);
  br.sum('minute', M.M_EVENTS, constant(type), constant(gatewayId));
  switch (type) {
    case 'bandwidth': {
      const app = keys('app');
      const user = keys('user');
      br.sum('minute', M.M_BW_APP, cutKeys(app), cutKeys(keys('appCategory')));
      br.sum('minute', M.M_BW_USER, cutKeys(keys('user', 'srcIp')), constant(''));
      br.sum('hour', M.G_BW_APP_USER, app, user);
      return;
    }
    case 'access': {
      const action = keys('action');
      const actionCut = cutKeys(action);
      const host = keys('host');
      const cats = tc.cols['categories'] as ListColumn | undefined;
      br.sumCategories(cats, actionCut);
      br.sum('minute', M.M_ACC_BLOCKED, cutKeys(host), constant(''), rowsWhere(action, n, 'block'));
      br.sum('minute', M.M_ACC_USER, cutKeys(keys('user', 'srcIp')), actionCut);
      br.sum('hour', M.G_ACC_CAT_ACTION, firstItems(cats, n), action);
      br.sum('hour', M.G_ACC_USER_HOST, keys('user'), host);
      br.sum('hour', M.G_ACC_HOST_ACTION, host, action);
      return;
    }
    case 'security': {
      const threat = keys('threatType');
      const threatCut = cutKeys(threat);
      const action = keys('action');
      br.sum('minute', M.M_SEC_THREAT, threatCut, cutKeys(action));
      br.sum('minute', M.M_SEC_SIG, threatCut, keysOf(n, [tc.cols['signature'] as TextColumn | undefined], '', (s) => cut(s.slice(0, 256))));
      br.sum('minute', M.M_SEC_USER, cutKeys(keys('user', 'srcIp')), threatCut);
      br.sum('minute', M.M_SEC_CNC, cutKeys(keys('host', 'dstIp', 'signature')), cutKeys(keys('srcIp')), rowsWhere(threat, n, 'cnc'));
      br.sum('hour', M.G_SEC_THREAT_HOST, threat, keys('host'));
      br.sum('hour', M.G_SEC_THREAT_ACTION, threat, action);
      return;
    }
    case 'policy': {
      const action = keys('action');
      br.sum('minute', M.M_POL_RULE, cutKeys(keys('ruleName', 'ruleId', 'reasonKind')), cutKeys(action));
      br.sum('hour', M.G_POL_RULE_ACTION, keys('ruleName'), action);
      return;
    }
  }
}

/** the first item of a list column per row ('' when the row has none) */
function firstItems(col: ListColumn | undefined, n: number): Keys {
  if (!col) return constant('');
  const ids = new Int32Array(n);
  const none = col.d.length;
  for (let r = 0, p = 0; r < n; p += col.n[r]!, r++) ids[r] = col.n[r]! > 0 ? col.i[p]! : none;
  return { ids, strings: [...col.d, ''] };
}
