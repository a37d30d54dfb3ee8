/**
 * Name resolution for the proxies' upstream connections in router mode: the gateway asks the same
 * resolver its DNS filter forwards to (`--dns-upstream`), not /etc/resolv.conf, which on an
 * office router often points at the gateway itself or at nothing reachable.
 */
import dns from 'node:dns';
import net from 'node:net';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

export type UpstreamLookup = (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => void;

export function resolverLookup(servers: ReadonlyArray<{ host: string; port: number }>, opts: { timeoutMs?: number } = {}): UpstreamLookup {
  if (servers.length === 0) throw new Error('resolverLookup needs at least one resolver');
  const resolver = new dns.promises.Resolver({ timeout: opts.timeoutMs ?? 3000, tries: 2 });
  resolver.setServers(servers.map((s) => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`)));
  const resolve = async (hostname: string, family: number): Promise<dns.LookupAddress[]> => {
    if (net.isIP(hostname)) return [{ address: hostname, family: net.isIP(hostname) }];
    const tryFam = async (f: 4 | 6) => {
      try {
        return (f === 4 ? await resolver.resolve4(hostname) : await resolver.resolve6(hostname)).map((address) => ({ address, family: f }));
      } catch {
        return [];
      }
    };
    const out = family === 6 ? await tryFam(6) : family === 4 ? await tryFam(4) : [...(await tryFam(4)), ...(await tryFam(6))];
    if (out.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
    return out;
  };
  return (hostname, options, callback) => {
    const family = typeof options === 'number' ? options : options?.family === 'IPv4' ? 4 : options?.family === 'IPv6' ? 6 : Number(options?.family ?? 0);
    resolve(hostname, family).then(
      (addrs) => (options?.all ? callback(null, addrs) : callback(null, addrs[0]!.address, addrs[0]!.family)),
      (e: NodeJS.ErrnoException) => callback(e, ''),
    );
  };
}
