/**
 * Requests to origin servers through pooled keep-alive undici agents. TLS toward origins is
 * verified against Node's trust store (NODE_EXTRA_CA_CERTS included) plus optional extra CAs;
 * a second agent without verification exists only for profiles that allow invalid certificates.
 */
import { Agent, type Dispatcher } from 'undici';
import tls from 'node:tls';
import type net from 'node:net';
import type { Readable } from 'node:stream';
import { HostVerifier } from './host-verify.js';

export interface UpstreamOptions {
  /** CAs trusted in addition to Node's store */
  extraCaPem?: string[];
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  connectionsPerOrigin?: number;
  /** name resolution override (tests, split-horizon setups) */
  lookup?: net.LookupFunction;
  /**
   * transparent flows whose Host/SNI does not resolve to the original destination: refused with
   * 409 when true; otherwise logged and still sent to the original destination (Squid's default)
   */
  hostVerifyStrict?: boolean;
}

export interface UpstreamRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string | string[]>;
  body?: Readable | AsyncIterable<Buffer>;
  insecure?: boolean;
  /** TLS server name when the origin is an address (transparent flows to their original destination) */
  servername?: string;
}

const CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH/;

export function isCertificateError(err: unknown): string | null {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  for (const c of [e?.code, e?.cause?.code]) if (typeof c === 'string' && CERT_ERROR.test(c)) return c;
  return null;
}

export class Upstream {
  private readonly secure: Agent;
  private readonly insecure: Agent;
  /** CAs for TLS toward origins when not only Node's store (raw connections: WebSocket) */
  readonly ca: string[] | undefined;
  /**
   * the verifying TLS context, built once: passing `ca` per connection would parse Node's whole
   * root store again for every upstream handshake (most of the CPU of a new connection)
   */
  readonly secureContext: tls.SecureContext | undefined;
  readonly hostVerifier: HostVerifier;

  constructor(readonly opts: UpstreamOptions = {}) {
    const common = {
      keepAliveTimeout: 10_000,
      connections: opts.connectionsPerOrigin ?? 256,
      headersTimeout: opts.headersTimeoutMs ?? 60_000,
      bodyTimeout: opts.bodyTimeoutMs ?? 300_000,
    };
    const ca = opts.extraCaPem?.length ? [...tls.rootCertificates, ...opts.extraCaPem] : undefined;
    this.ca = ca;
    this.hostVerifier = new HostVerifier(opts.lookup);
    this.secureContext = ca ? tls.createSecureContext({ ca }) : undefined;
    const timeout = opts.connectTimeoutMs ?? 10_000;
    this.secure = new Agent({ ...common, connect: { timeout, ...(this.secureContext ? { secureContext: this.secureContext } : {}), ...(opts.lookup ? { lookup: opts.lookup } : {}) } });
    this.insecure = new Agent({ ...common, connect: { timeout, rejectUnauthorized: false, ...(opts.lookup ? { lookup: opts.lookup } : {}) } });
  }

  /** low-level: stream the response into `handler` (no Readable, no pipeline per request) */
  dispatch(r: UpstreamRequest, handler: Dispatcher.DispatchHandler): void {
    const agent = r.insecure ? this.insecure : this.secure;
    agent.dispatch({ origin: r.origin, path: r.path, method: r.method as Dispatcher.HttpMethod, headers: r.headers, body: (r.body ?? null) as Readable | null, ...(r.servername ? { servername: r.servername } : {}) } as Dispatcher.DispatchOptions, handler);
  }

  request(r: UpstreamRequest): Promise<Dispatcher.ResponseData> {
    const agent = r.insecure ? this.insecure : this.secure;
    return agent.request({ origin: r.origin, path: r.path, method: r.method as Dispatcher.HttpMethod, headers: r.headers, body: (r.body ?? null) as Readable | null });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.secure.close(), this.insecure.close()]);
  }
}

/** request headers never forwarded (hop-by-hop, proxy-only, and the ones undici sets itself) */
export const DROP_REQ: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'http2-settings', 'content-length']);
/** response headers never returned to the client */
export const DROP_RES: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate']);

export function forwardRequestHeaders(h: Record<string, string | string[] | undefined>, keepLength: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const conn = typeof h['connection'] === 'string' ? h['connection'].toLowerCase().split(',').map((s) => s.trim()) : [];
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || k.startsWith(':')) continue;
    if (DROP_REQ.has(k) || conn.includes(k)) continue;
    out[k] = v;
  }
  if (keepLength && typeof h['content-length'] === 'string') out['content-length'] = h['content-length'];
  return out;
}

export function forwardResponseHeaders(h: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const conn = typeof h['connection'] === 'string' ? h['connection'].toLowerCase().split(',').map((s) => s.trim()) : [];
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || DROP_RES.has(k) || conn.includes(k)) continue;
    out[k] = v;
  }
  return out;
}
