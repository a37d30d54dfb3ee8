/**
 * IP address lists as the manual writes them: "192.168.0.1, 10.0.0.1-10.0.0.4, 10.0.0.8/24".
 * Every entry becomes an inclusive interval [start, end] of bigints in one family, so that the
 * evaluator and the nftables compiler share one exact representation.
 */
import type { MessageCode } from './messages.js';

export type Family = 4 | 6;

export interface AddressInterval {
  family: Family;
  start: bigint;
  end: bigint;
  /** the entry as written, trimmed */
  text: string;
}

export interface AddressProblem {
  code: MessageCode;
  value: string;
  params?: Record<string, unknown>;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: AddressProblem[] };

const V4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parse a dotted-quad IPv4 address. Leading zeros are refused (they are octal to some parsers). */
export function parseIPv4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!V4_PART.test(p)) return null;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

/** Parse an IPv6 address (with "::" compression and an optional trailing IPv4 part). Zone ids are refused. */
export function parseIPv6(input: string): bigint | null {
  let s = input;
  if (s.length === 0 || s.length > 45 || s.includes('%')) return null;
  let tail: bigint[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [(v4 >> 16n) & 0xffffn, v4 & 0xffffn];
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
    if (s === '') return null;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (h: string): bigint[] | null => {
    if (h === '') return [];
    const gs = h.split(':');
    const out: bigint[] = [];
    for (const g of gs) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(BigInt('0x' + g));
    }
    return out;
  };
  const head = parseGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === null || rest === null) return null;
  const total = head.length + rest.length + tail.length;
  let groups: bigint[];
  if (halves.length === 2) {
    if (total > 7) return null;
    groups = [...head, ...new Array<bigint>(8 - total).fill(0n), ...rest, ...tail];
  } else {
    if (total !== 8) return null;
    groups = [...head, ...tail];
  }
  let n = 0n;
  for (const g of groups) n = (n << 16n) | g;
  return n;
}

export function parseIP(s: string): { family: Family; value: bigint } | null {
  const v4 = parseIPv4(s);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIPv6(s);
  if (v6 !== null) return { family: 6, value: v6 };
  return null;
}

export function formatIP(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((sh) => String((value >> sh) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // compress the longest run of two or more zero groups (RFC 5952)
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

const bits = (f: Family) => (f === 4 ? 32n : 128n);
const maxOf = (f: Family) => (1n << bits(f)) - 1n;

/** Parse one entry: a single IP, a range "a-b" (same family, a <= b) or a CIDR "a/n". */
export function parseAddressEntry(raw: string, family?: Family): ParseResult<AddressInterval> {
  const text = raw.trim();
  const bad = (code: MessageCode, params?: Record<string, unknown>): ParseResult<AddressInterval> => ({
    ok: false,
    problems: [{ code, value: text, ...(params ? { params } : {}) }],
  });
  if (text === '') return bad('policy.address.invalid');
  const checkFamily = (f: Family) => family === undefined || family === f;
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const ip = parseIP(text.slice(0, slash));
    const prefixText = text.slice(slash + 1);
    if (!ip) return bad('policy.address.invalid');
    if (!checkFamily(ip.family)) return bad('policy.address.family', { family: family === 4 ? 'IPv4' : 'IPv6' });
    if (!/^(0|[1-9]\d{0,2})$/.test(prefixText)) return bad('policy.address.cidr_prefix');
    const prefix = BigInt(Number(prefixText));
    if (prefix > bits(ip.family)) return bad('policy.address.cidr_prefix');
    const hostBits = bits(ip.family) - prefix;
    const mask = maxOf(ip.family) ^ ((1n << hostBits) - 1n);
    // Like most firewalls we accept host bits set in a CIDR ("10.0.0.8/24") and mean the network.
    const start = ip.value & mask;
    const end = start | ((1n << hostBits) - 1n);
    return { ok: true, value: { family: ip.family, start, end, text } };
  }
  const dash = text.indexOf('-');
  if (dash >= 0) {
    const a = parseIP(text.slice(0, dash).trim());
    const b = parseIP(text.slice(dash + 1).trim());
    if (!a || !b || a.family !== b.family) return bad('policy.address.invalid');
    if (!checkFamily(a.family)) return bad('policy.address.family', { family: family === 4 ? 'IPv4' : 'IPv6' });
    if (a.value > b.value) return bad('policy.address.range_order');
    return { ok: true, value: { family: a.family, start: a.value, end: b.value, text } };
  }
  const ip = parseIP(text);
  if (!ip) return bad('policy.address.invalid');
  if (!checkFamily(ip.family)) return bad('policy.address.family', { family: family === 4 ? 'IPv4' : 'IPv6' });
  return { ok: true, value: { family: ip.family, start: ip.value, end: ip.value, text } };
}

/** Parse a comma-separated list. Every bad entry is reported, not only the first. */
export function parseAddressList(list: string, family?: Family): ParseResult<AddressInterval[]> {
  const entries = list.split(',').map((e) => e.trim());
  if (entries.every((e) => e === '')) {
    return { ok: false, problems: [{ code: 'policy.address.empty', value: list }] };
  }
  const out: AddressInterval[] = [];
  const problems: AddressProblem[] = [];
  for (const e of entries) {
    if (e === '') {
      problems.push({ code: 'policy.address.invalid', value: e });
      continue;
    }
    const r = parseAddressEntry(e, family);
    if (r.ok) out.push(r.value);
    else problems.push(...r.problems);
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: out };
}

/**
 * Merge overlapping and adjacent intervals per family: the canonical form used for lookups and
 * for nftables interval sets (which reject overlapping elements).
 */
export function mergeIntervals(intervals: readonly AddressInterval[]): AddressInterval[] {
  const out: AddressInterval[] = [];
  for (const fam of [4, 6] as const) {
    const xs = intervals.filter((i) => i.family === fam).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    let cur: AddressInterval | undefined;
    for (const x of xs) {
      if (cur && x.start <= cur.end + 1n) {
        if (x.end > cur.end) cur = { ...cur, end: x.end, text: `${cur.text}, ${x.text}` };
      } else {
        if (cur) out.push(cur);
        cur = { ...x };
      }
    }
    if (cur) out.push(cur);
  }
  return out;
}

/** True when the address (already parsed) lies in one of the merged intervals (binary search). */
export function intervalsContain(merged: readonly AddressInterval[], family: Family, value: bigint): boolean {
  let lo = 0;
  let hi = merged.length - 1;
  // merged is sorted by family (4 first) then start
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = merged[mid]!;
    if (m.family < family || (m.family === family && m.end < value)) lo = mid + 1;
    else if (m.family > family || m.start > value) hi = mid - 1;
    else return true;
  }
  return false;
}
