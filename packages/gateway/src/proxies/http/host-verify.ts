/**
 * Host verification for transparent flows (as Squid's host_verify_strict): the connection goes to
 * the original destination the client was redirected from, never to what Host/SNI resolves to,
 * so a forged Host cannot send it elsewhere. Whether Host/SNI resolves to that destination is
 * checked (answers cached per name) and a mismatch is logged; in strict mode it is refused (409).
 * The log line is written once per name and destination per minute (`report`), with the number of
 * mismatches seen since the last line: a client looping on a wrong name cannot flood the log.
 */
import dns from 'node:dns';
import net from 'node:net';

export interface HostVerifyResult {
  ok: boolean;
  /** what the name resolved to (empty when it did not resolve) */
  resolved: string[];
}

const TTL_MS = 60_000;
const MAX = 10_000;
/** one log line per name and destination per this long */
const REPORT_EVERY_MS = 60_000;

export class HostVerifier {
  private readonly cache = new Map<string, { ips: Promise<string[]>; until: number }>();
  private readonly reported = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly lookup?: net.LookupFunction,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Should a mismatch of `host` against `ip` be logged now? `undefined`: no (one was logged for this
   * pair less than a minute ago; it is counted). Otherwise the number of mismatches of this pair that
   * were not logged since the last line.
   */
  report(host: string, ip: string): number | undefined {
    const key = `${host.toLowerCase()} ${normalizeIp(ip)}`;
    const t = this.now();
    const r = this.reported.get(key);
    if (r !== undefined && t - r.at < REPORT_EVERY_MS) {
      r.suppressed++;
      return undefined;
    }
    if (r === undefined && this.reported.size >= MAX) this.reported.clear();
    this.reported.set(key, { at: t, suppressed: 0 });
    return r?.suppressed ?? 0;
  }

  /** does `host` resolve to `ip`? (an IP literal host must equal it) */
  async verify(host: string, ip: string): Promise<HostVerifyResult> {
    const want = normalizeIp(ip);
    if (net.isIP(host)) return { ok: normalizeIp(host) === want, resolved: [host] };
    const ips = await this.resolve(host.toLowerCase());
    return { ok: ips.some((a) => normalizeIp(a) === want), resolved: ips };
  }

  private resolve(host: string): Promise<string[]> {
    const now = this.now();
    const hit = this.cache.get(host);
    if (hit && hit.until > now) return hit.ips;
    if (this.cache.size >= MAX) this.cache.clear();
    const ips = new Promise<string[]>((resolve) => {
      const cb = (err: NodeJS.ErrnoException | null, addrs: string | dns.LookupAddress[]) => {
        if (err) return resolve([]);
        resolve(typeof addrs === 'string' ? [addrs] : addrs.map((a) => a.address));
      };
      const fn = (this.lookup ?? dns.lookup) as (h: string, o: dns.LookupAllOptions, cb: (err: NodeJS.ErrnoException | null, addrs: string | dns.LookupAddress[]) => void) => void;
      try {
        fn(host, { all: true }, cb);
      } catch {
        resolve([]);
      }
    });
    this.cache.set(host, { ips, until: now + TTL_MS });
    return ips;
  }
}

function normalizeIp(a: string): string {
  const s = a.toLowerCase();
  return s.startsWith('::ffff:') && net.isIPv4(s.slice(7)) ? s.slice(7) : s;
}
