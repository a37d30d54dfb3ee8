/**
 * Address lookups for the hot path. IPv4 is searched as doubles (exact for 32 bits, much
 * cheaper than bigint comparisons); IPv6 as bigints.
 */
import { mergeIntervals, type AddressInterval, type Family } from '../address.js';

export interface Ip {
  family: Family;
  value: bigint;
  /** the IPv4 address as a number (family 4 only) */
  v4: number;
}

function upperBound<T>(xs: ArrayLike<T>, x: T): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A set of addresses: merged intervals, binary search. */
export class IpSet {
  private readonly v4Start: Float64Array;
  private readonly v4End: Float64Array;
  private readonly v6Start: bigint[];
  private readonly v6End: bigint[];
  readonly size: number;

  constructor(intervals: readonly AddressInterval[]) {
    const merged = mergeIntervals(intervals);
    const v4 = merged.filter((i) => i.family === 4);
    const v6 = merged.filter((i) => i.family === 6);
    this.v4Start = Float64Array.from(v4, (i) => Number(i.start));
    this.v4End = Float64Array.from(v4, (i) => Number(i.end));
    this.v6Start = v6.map((i) => i.start);
    this.v6End = v6.map((i) => i.end);
    this.size = merged.length;
  }

  has(ip: Ip | null): boolean {
    if (ip === null || this.size === 0) return false;
    if (ip.family === 4) {
      const k = upperBound(this.v4Start, ip.v4) - 1;
      return k >= 0 && ip.v4 <= this.v4End[k]!;
    }
    const k = upperBound(this.v6Start, ip.value) - 1;
    return k >= 0 && ip.value <= this.v6End[k]!;
  }
}

/**
 * Overlapping intervals each with a priority (a list index); a lookup returns the smallest
 * priority among the intervals holding the address. Built by painting elementary segments in
 * priority order, skipping painted ones (union-find), so lookups are one binary search.
 */
export class IpPriorityIndex {
  private readonly v4: { bounds: Float64Array; owner: Int32Array };
  private readonly v6: { bounds: bigint[]; owner: Int32Array };
  readonly size: number;

  constructor(entries: ReadonlyArray<{ family: Family; start: bigint; end: bigint; priority: number }>) {
    this.size = entries.length;
    const build = (fam: Family) => {
      const es = entries.filter((e) => e.family === fam).sort((a, b) => a.priority - b.priority);
      const set = new Set<bigint>();
      for (const e of es) {
        set.add(e.start);
        set.add(e.end + 1n);
      }
      const bounds = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const segments = Math.max(0, bounds.length - 1);
      const owner = new Int32Array(segments).fill(-1);
      const parent = Int32Array.from({ length: segments + 1 }, (_, i) => i);
      const find = (i: number): number => {
        while (parent[i] !== i) {
          parent[i] = parent[parent[i]!]!;
          i = parent[i]!;
        }
        return i;
      };
      const indexOf = (b: bigint) => upperBound(bounds, b) - 1;
      for (const e of es) {
        const last = indexOf(e.end + 1n);
        for (let k = find(indexOf(e.start)); k < last; k = find(k + 1)) {
          owner[k] = e.priority;
          parent[k] = k + 1;
        }
      }
      return { bounds, owner };
    };
    const b4 = build(4);
    this.v4 = { bounds: Float64Array.from(b4.bounds, (b) => Number(b)), owner: b4.owner };
    this.v6 = build(6);
  }

  /** the smallest priority holding the address, or -1 */
  lookup(ip: Ip | null): number {
    if (ip === null || this.size === 0) return -1;
    const t = ip.family === 4 ? this.v4 : this.v6;
    const k = ip.family === 4 ? upperBound(this.v4.bounds, ip.v4) - 1 : upperBound(this.v6.bounds, ip.value) - 1;
    return k >= 0 && k < t.owner.length ? t.owner[k]! : -1;
  }
}
