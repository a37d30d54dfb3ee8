/**
 * Small formatting helpers for nftables text: names, address intervals, port lists.
 */
import { formatIP, mergeIntervals, parseAddressEntry, type AddressInterval, type Family } from '@mamori/policy';

/** nft identifiers: letters, digits and "_", not starting with a digit. */
export function nftName(prefix: string, n: number | string, suffix = ''): string {
  const s = `${prefix}_${String(n).replace(/[^A-Za-z0-9_]/g, '_')}${suffix}`;
  return /^[A-Za-z]/.test(s) ? s : `n${s}`;
}

/** A quoted string for comments and log prefixes (nft strings cannot hold a double quote). */
export function nftString(s: string, max = 120): string {
  const clean = s.replace(/["\\\n\r\t]/g, ' ').replace(/[^\x20-\x7e]/g, '?').slice(0, max);
  return `"${clean}"`;
}

const bits = (f: Family) => (f === 4 ? 32n : 128n);

/** One interval as nft writes it: a single address, a CIDR when aligned, else "a-b". */
export function formatInterval(iv: AddressInterval): string {
  if (iv.start === iv.end) return formatIP(iv.family, iv.start);
  const size = iv.end - iv.start + 1n;
  if ((size & (size - 1n)) === 0n && iv.start % size === 0n) {
    let prefix = bits(iv.family);
    for (let s = size; s > 1n; s >>= 1n) prefix--;
    return `${formatIP(iv.family, iv.start)}/${prefix}`;
  }
  return `${formatIP(iv.family, iv.start)}-${formatIP(iv.family, iv.end)}`;
}

/** Parse entries (strings in the manual's syntax or intervals) and merge them, per family. */
export function toIntervals(entries: Iterable<string | AddressInterval>, where: string): AddressInterval[] {
  const out: AddressInterval[] = [];
  for (const e of entries) {
    if (typeof e !== 'string') {
      out.push(e);
      continue;
    }
    for (const part of e.split(',')) {
      if (part.trim() === '') continue;
      const r = parseAddressEntry(part);
      if (!r.ok) throw new Error(`${where}: invalid address "${part.trim()}"`);
      out.push(r.value);
    }
  }
  return mergeIntervals(out);
}

/** Merge port ranges into disjoint, non-adjacent sorted ranges (nft interval sets reject overlaps). */
export function mergePorts(ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const xs = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of xs) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function intersectPorts(a: ReadonlyArray<readonly [number, number]>, b: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [alo, ahi] of a) for (const [blo, bhi] of b) {
    const lo = Math.max(alo, blo);
    const hi = Math.min(ahi, bhi);
    if (lo <= hi) out.push([lo, hi]);
  }
  return mergePorts(out);
}

export function formatPorts(ports: ReadonlyArray<readonly [number, number]>): string {
  const items = ports.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`));
  return items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`;
}

/** A named set declaration; elements are written in chunks so that a huge set stays readable. */
export function setDecl(name: string, type: string, flags: string[], elements: string[], extra: string[] = []): string {
  const lines = [`\tset ${name} {`, `\t\ttype ${type}`];
  if (flags.length) lines.push(`\t\tflags ${flags.join(',')}`);
  for (const x of extra) lines.push(`\t\t${x}`);
  if (elements.length) {
    const chunks: string[] = [];
    for (let i = 0; i < elements.length; i += 8) chunks.push(elements.slice(i, i + 8).join(', '));
    lines.push(`\t\telements = { ${chunks.join(',\n\t\t\t')} }`);
  }
  lines.push('\t}');
  return lines.join('\n');
}
