/**
 * The bench's own name resolution: N site names (`site-<i>.bench.test`) that all resolve to the
 * local origin, as a hosts file (Squid's `hosts_file`, e2guardian's /etc/hosts in its own mount
 * namespace) and as a lookup function (Mamori's upstream `lookup`, the direct baseline's client).
 */
import dns from 'node:dns';
import fs from 'node:fs';
import type net from 'node:net';

export function siteNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `site-${i}.bench.test`);
}

export function writeHostsFile(file: string, names: string[]): void {
  fs.writeFileSync(file, `127.0.0.1 localhost\n::1 localhost\n${names.map((n) => `127.0.0.1 ${n}`).join('\n')}\n`);
}

/** resolve the names of a hosts file to their address; anything else through the system resolver */
export function hostsLookup(file: string): net.LookupFunction {
  const map = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [addr, ...names] = line.trim().split(/\s+/);
    if (addr && !addr.startsWith('#')) for (const n of names) if (!map.has(n.toLowerCase())) map.set(n.toLowerCase(), addr);
  }
  return (host, opts, cb) => {
    const addr = map.get(host.toLowerCase());
    if (!addr) {
      dns.lookup(host, opts, cb as (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void);
      return;
    }
    const family = addr.includes(':') ? 6 : 4;
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: addr, family }]);
    else cb(null, addr, family);
  };
}

/** the request mix: uniformly random over hosts x paths (deterministic per seed) */
export function urlMix(base: (host: string) => string, names: string[], paths: number, seed = 1): () => string {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
  const bases = names.map(base);
  return () => {
    const h = Math.floor(next() * bases.length);
    const p = Math.floor(next() * paths);
    return `${bases[h]}/obj/${p}?v=${p % 7}`;
  };
}
