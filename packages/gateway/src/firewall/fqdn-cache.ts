/**
 * DNS answers for FQDN objects: the DNS filter reports every A/AAAA answer; the addresses go into
 * the object's timeout sets for the answer's TTL (at least the minimum), and are kept here so that
 * a re-deploy, which recreates the table, puts them back.
 */
import { parseIP } from '@mamori/policy';
import type { FqdnSetInfo } from './compile/types.js';

export interface FqdnEntry {
  set: string;
  ip: string;
  expiresAt: number;
}

export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** An FQDN object "example.com" matches that name; "*.example.com" matches names below it. */
export function fqdnMatches(objectFqdn: string, name: string): boolean {
  const o = normalizeName(objectFqdn);
  const n = normalizeName(name);
  if (o.startsWith('*.')) return n.endsWith(o.slice(1)) && n.length > o.length - 1;
  return o === n;
}

export class FqdnCache {
  private readonly entries = new Map<string, FqdnEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Entries to add for this answer (their sets), recorded in the cache. Bad IPs are refused. */
  record(sets: readonly FqdnSetInfo[], name: string, ips: readonly string[], ttlSec: number, minTtlSec: number): FqdnEntry[] {
    if (!Number.isFinite(ttlSec) || ttlSec < 0) throw new Error(`invalid TTL ${ttlSec}`);
    const ttl = Math.max(Math.ceil(ttlSec), minTtlSec);
    const out: FqdnEntry[] = [];
    const matching = sets.filter((s) => fqdnMatches(s.fqdn, name));
    for (const raw of ips) {
      const ip = parseIP(raw.trim());
      if (!ip) throw new Error(`invalid address in DNS answer for ${name}: "${raw}"`);
      for (const s of matching) {
        const set = ip.family === 4 ? s.v4 : s.v6;
        const e = { set, ip: raw.trim(), expiresAt: this.now() + ttl * 1000 };
        const key = `${set}|${e.ip}`;
        const prev = this.entries.get(key);
        if (prev && prev.expiresAt > e.expiresAt) continue;
        this.entries.set(key, e);
        out.push(e);
      }
    }
    return out;
  }

  /** Entries still valid whose set exists in the new ruleset. */
  live(sets: readonly FqdnSetInfo[]): FqdnEntry[] {
    const names = new Set(sets.flatMap((s) => [s.v4, s.v6]));
    const t = this.now();
    const out: FqdnEntry[] = [];
    for (const [k, e] of this.entries) {
      if (e.expiresAt <= t) this.entries.delete(k);
      else if (names.has(e.set)) out.push(e);
    }
    return out;
  }

  secondsLeft(e: FqdnEntry): number {
    return Math.max(1, Math.ceil((e.expiresAt - this.now()) / 1000));
  }
}
