/**
 * The web proxy: explicit HTTP proxy (absolute-form requests and CONNECT) on one listener, the
 * transparent 80/443 listeners for router mode, and the internal HTTP/1.1 and HTTP/2 servers that
 * receive decrypted connections. Protocol errors (malformed requests, oversized headers, slow
 * clients, conflicting Content-Length/Transfer-Encoding) are answered by status and logged.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { GatewayRuntime } from '../../runtime.js';
import { DEFAULT_LIMITS, type ProxyLimits } from './limits.js';
import { Upstream, type UpstreamOptions } from './upstream.js';
import { handleExchange, headerString, sendError, type AnyReq, type AnyRes, type Target } from './exchange.js';
import { handleTlsFlow, onInterceptedHandshakeFailed, type DecryptedContext, type TlsFlowTarget } from './tls-flow.js';
import { pacFile } from './pac.js';
import { handleUpgrade, isWebSocketUpgrade, rawResponse } from './upgrade.js';
import type { ChainResult } from '../../chain/runner.js';
import { emitOutcome } from '../../chain/log-events.js';
import { describeReason } from '../../chain/block-page.js';
import type { RequestFacts } from '../../chain/facts.js';
import { originalDestination as socketOriginalDst } from '@mamori/sockopt';
import { H1Conn } from './h1/connection.js';
import { plainAbsolute } from './h1/absolute-url.js';
import { UpstreamPool } from './h1/pool.js';
import type { H1Env } from './h1/exchange.js';
import type { Head } from './h1/head.js';

export interface WebProxyOptions {
  limits?: Partial<ProxyLimits>;
  upstream?: UpstreamOptions;
  /** host:port clients use to reach the explicit proxy (PAC); default: the Host they asked for */
  advertisedAddress?: string;
  /**
   * HTTP/1.1 requests: 'h1' (default) is the hand-written data path (strict parser, pooled raw
   * origin sockets); 'node' serves them with node:http and undici as before (for comparison)
   */
  dataPath?: 'h1' | 'node';
}

/** original destination of a redirected connection (SO_ORIGINAL_DST), when the platform knows it */
export type OriginalDst = (socket: net.Socket) => Promise<{ ip: string; port: number } | undefined> | { ip: string; port: number } | undefined;

interface ConnInfo {
  transparent: boolean;
  dst?: { ip: string; port: number };
}

/** the raw socket a tls.Server wrapped (Node keeps it as _parent) */
function parentOf(t: tls.TLSSocket): net.Socket {
  return (t as unknown as { _parent: net.Socket })._parent;
}

/** the context on a decrypted TLS socket (an h2 session exposes its socket only through a proxy, so not a WeakMap key) */
const kCtx = Symbol('mamori.decrypted');

const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
  ERR_HTTP_HEADERS_TIMEOUT: [408, 'Request Timeout'],
  HPE_UNEXPECTED_CONTENT_LENGTH: [400, 'Bad Request: conflicting Content-Length and Transfer-Encoding'],
  HPE_INVALID_TRANSFER_ENCODING: [400, 'Bad Request: invalid Transfer-Encoding'],
  HPE_INVALID_CONTENT_LENGTH: [400, 'Bad Request: invalid Content-Length'],
};

export class WebProxy {
  readonly limits: ProxyLimits;
  readonly upstream: Upstream;
  private readonly h1: http.Server;
  private readonly tlsTerm: tls.Server;
  private readonly h2: http2.Http2Server;
  private readonly listeners: net.Server[] = [];
  private readonly conn = new WeakMap<net.Socket, ConnInfo>();
  private readonly decrypted = new WeakMap<object, DecryptedContext>();
  private readonly rawCtx = new WeakMap<net.Socket, DecryptedContext>();
  private readonly sockets = new Set<net.Socket>();
  /** connections on the HTTP/1.1 data path, and their origin sockets */
  private readonly h1conns = new Set<H1Conn>();
  readonly pool: UpstreamPool;
  private readonly h1env: H1Env;
  private readonly sweeper: NodeJS.Timeout;
  private readonly fast: boolean;

  constructor(
    readonly rt: GatewayRuntime,
    private readonly opts: WebProxyOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.upstream = new Upstream(opts.upstream);
    const L = this.limits;
    this.fast = opts.dataPath !== 'node';
    const uo = this.upstream.opts;
    this.pool = new UpstreamPool({
      ...(this.upstream.secureContext ? { secureContext: this.upstream.secureContext } : {}),
      ...(uo.lookup ? { lookup: uo.lookup } : {}),
      connectTimeoutMs: uo.connectTimeoutMs ?? 10_000,
      idleTimeoutMs: 10_000,
      maxPerOrigin: uo.connectionsPerOrigin ?? 256,
    });
    this.h1env = {
      rt,
      limits: L,
      pool: this.pool,
      upstream: this.upstream,
      route: (c, head) => this.route(c, head),
      handoff: (s, bytes) => {
        if (bytes) s.unshift(bytes);
        this.h1.emit('connection', s);
        s.resume();
      },
      connect: (s, authority, head) => this.connectTunnel(s, authority, head),
      badRequest: (srcIp, what, status) => this.badRequest(srcIp, what, status),
      forget: (c) => this.h1conns.delete(c),
    };
    // timeouts of the HTTP/1.1 data path (header, request, keep-alive, origin), checked like Node's
    this.sweeper = setInterval(() => this.sweep(), L.checkIntervalMs);
    this.sweeper.unref();
    this.h1 = http.createServer({
      maxHeaderSize: L.maxHeaderBytes,
      headersTimeout: L.headersTimeoutMs,
      requestTimeout: L.requestTimeoutMs,
      keepAliveTimeout: L.keepAliveTimeoutMs,
      connectionsCheckingInterval: L.checkIntervalMs,
      requireHostHeader: false,
    });
    this.h1.on('request', (req, res) => this.onRequest(req, res));
    this.h1.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.onConnect(req, socket, head));
    this.h1.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.onUpgrade(req, socket, head));
    this.h1.on('clientError', (err: Error & { code?: string }, socket: net.Socket) => this.onClientError(err, socket));
    this.h1.on('connection', (s: net.Socket) => this.track(s));
    // decrypted connections: one TLS terminator for HTTP/2 and HTTP/1.1 (ALPN), leaf chosen by SNI;
    // HTTP/1.1 goes to the same HTTP server as plain requests (its header/request timeouts and
    // size limits apply inside TLS too), h2 to an HTTP/2 server speaking over the TLS socket
    this.tlsTerm = new tls.Server({
      ALPNProtocols: ['h2', 'http/1.1'],
      SNICallback: (name, cb) => {
        const leaves = this.rt.active.leaves;
        if (!leaves) return cb(new Error('no decryption CA'));
        const hit = leaves.peek(name);
        if (hit) return cb(null, hit);
        leaves.get(name).then((c) => cb(null, c), (e: Error) => cb(e));
      },
    });
    this.tlsTerm.on('secureConnection', (t: tls.TLSSocket) => {
      const ctx = this.rawCtx.get(parentOf(t));
      t.setTimeout(L.idleTimeoutMs, () => t.destroy());
      if (!ctx) return t.destroy();
      this.decrypted.set(t, ctx);
      (t as unknown as Record<symbol, DecryptedContext>)[kCtx] = ctx;
      if (t.alpnProtocol === 'h2') this.h2.emit('connection', t);
      else this.serve(t, ctx);
    });
    this.tlsTerm.on('tlsClientError', (err: Error & { code?: string }, t: tls.TLSSocket) => {
      const ctx = this.rawCtx.get(parentOf(t));
      if (ctx) onInterceptedHandshakeFailed(this.rt, ctx, err);
    });
    this.h2 = http2.createServer({ maxSessionMemory: 32 });
    this.h2.on('request', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
      const sock = req.stream.session?.socket;
      const ctx = sock ? (sock as unknown as Record<symbol, DecryptedContext | undefined>)[kCtx] : undefined;
      if (!ctx) return sendError(res, 500, 'Internal gateway error', '-');
      this.onDecrypted(req, res, ctx);
    });
    this.h2.on('sessionError', () => undefined);
    // these servers never listen (our listeners hand them sockets), and Node starts its
    // header/request timeout checks (slowloris) on 'listening': start them the same way
    this.h1.emit('listening');
  }

  /** an HTTP/1.1 connection: the data path, or node:http when so configured */
  private serve(s: net.Socket, ctx: DecryptedContext | undefined): void {
    if (!this.fast) {
      this.h1.emit('connection', s);
      return;
    }
    this.track(s);
    this.h1conns.add(new H1Conn(s, this.h1env, ctx));
  }

  private sweep(): void {
    const now = Date.now();
    for (const c of this.h1conns) if (c.deadline !== 0 && now > c.deadline) c.timedOut(now);
    this.pool.sweep(now);
  }

  /** where a request on the data path goes (same rules as the node:http path) */
  private route(c: H1Conn, head: Head): Target | 'handoff' | string {
    if (c.ctx) return decryptedTargetOf(head.host, head.target, c.ctx) ?? 'Bad Request: invalid Host';
    const t = plainTargetOf(head.target, head.host, this.conn.get(c.socket));
    return t === 'local' ? 'handoff' : t;
  }

  private track(s: net.Socket): void {
    if (this.sockets.has(s)) return;
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  /** the explicit proxy listener (also serves /proxy.pac and /wpad.dat) */
  async listen(port: number, host = '127.0.0.1'): Promise<net.AddressInfo> {
    const srv = net.createServer({ noDelay: true }, (s) => this.serve(s, undefined));
    return this.addListener(srv, port, host);
  }

  /** transparent listener for redirected port-80 traffic: the Host header (or the original destination) names the site */
  async listenTransparentHttp(port: number, host: string, originalDst?: OriginalDst): Promise<net.AddressInfo> {
    const srv = net.createServer({ noDelay: true }, (s) => {
      s.pause();
      s.on('error', () => s.destroy());
      void this.originalOf(s, originalDst).then((dst) => {
        this.conn.set(s, { transparent: true, ...(dst ? { dst } : {}) });
        this.serve(s, undefined);
        s.resume();
      });
    });
    return this.addListener(srv, port, host);
  }

  /** transparent listener for redirected port-443 traffic: SNI (or the original destination) names the site */
  async listenTransparentHttps(port: number, host: string, originalDst?: OriginalDst): Promise<net.AddressInfo> {
    const srv = net.createServer({ noDelay: true }, (s) => {
      this.track(s);
      s.pause();
      s.on('error', () => s.destroy());
      void this.originalOf(s, originalDst).then((dst) => {
        const target: TlsFlowTarget = dst ? { port: dst.port, dstIp: dst.ip } : { port: 443 };
        handleTlsFlow(this.tlsDeps(), s, Buffer.alloc(0), target, s.remoteAddress ?? '0.0.0.0');
      });
    });
    return this.addListener(srv, port, host);
  }

  /** SO_ORIGINAL_DST from the socket itself first (IPv4 and IPv6), then the caller's hook, then SNI/Host */
  private async originalOf(s: net.Socket, originalDst: OriginalDst | undefined): Promise<{ ip: string; port: number } | undefined> {
    const native = socketOriginalDst(s);
    if (native) return { ip: native.ip, port: native.port };
    if (!originalDst) return undefined;
    try {
      return await originalDst(s);
    } catch (e) {
      this.rt.log.info({ err: e }, 'original destination lookup failed; using SNI/Host');
      return undefined;
    }
  }

  private addListener(srv: net.Server, port: number, host: string): Promise<net.AddressInfo> {
    this.listeners.push(srv);
    srv.on('error', (e) => this.rt.log.error({ err: e }, 'listener error'));
    return new Promise((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, host, () => {
        srv.off('error', reject);
        resolve(srv.address() as net.AddressInfo);
      });
    });
  }

  private tlsDeps() {
    return {
      rt: this.rt,
      limits: this.limits,
      ...(this.opts.upstream?.lookup ? { lookup: this.opts.upstream.lookup } : {}),
      serveDecrypted: (raw: net.Socket, ctx: DecryptedContext) => {
        if (ctx.sni) {
          this.rawCtx.set(raw, ctx);
          this.tlsTerm.emit('connection', raw);
          return;
        }
        // no SNI: the SNI callback cannot pick the leaf, so terminate here (HTTP/1.1 only)
        const t = new tls.TLSSocket(raw, { isServer: true, secureContext: ctx.secureContext, ALPNProtocols: ['http/1.1'] });
        let secure = false;
        t.once('secure', () => {
          secure = true;
          this.decrypted.set(t, ctx);
          this.serve(t, ctx);
        });
        t.on('error', (err: Error & { code?: string }) => {
          if (!secure) onInterceptedHandshakeFailed(this.rt, ctx, err);
          t.destroy();
        });
        t.setTimeout(this.limits.idleTimeoutMs, () => t.destroy());
      },
    };
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const sock = req.socket;
    const dctx = this.decrypted.get(sock);
    if (dctx) return this.onDecrypted(req, res, dctx);
    const t = this.plainTarget(req);
    if (t === 'local') return this.serveLocal(req, res);
    if (typeof t === 'string') return this.reject(req, res, 400, t);
    void handleExchange(this.rt, this.upstream, req, res, t, sock.remoteAddress ?? '0.0.0.0', undefined, this.limits.fileScanMaxBytes).catch((e: unknown) => this.crash(e, res));
  }

  /** the target of a plain-HTTP request: absolute-form (explicit) or Host (transparent); a string is the 400 reason */
  private plainTarget(req: http.IncomingMessage, schemes: readonly string[] = ['http:']): Target | 'local' | string {
    return plainTargetOf(req.url ?? '/', headerString(req.headers.host), this.conn.get(req.socket), schemes);
  }

  /** the decrypted-connection target of a request (Host / :authority, else the handshake's host) */
  private decryptedTarget(req: AnyReq, ctx: DecryptedContext): Target | null {
    const authority = headerString(req.headers[':authority'] as string | undefined) ?? headerString(req.headers.host);
    return decryptedTargetOf(authority, req.url ?? '/', ctx);
  }

  /** HTTP/1.1 Upgrade: WebSocket is evaluated and tunnelled; other protocols are refused */
  private onUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const srcIp = req.socket.remoteAddress ?? '0.0.0.0';
    const ctx = this.decrypted.get(req.socket);
    if (!isWebSocketUpgrade(req)) {
      rawResponse(socket, 501, '501 Not Implemented: only WebSocket upgrades pass the proxy\n');
      this.badRequest(srcIp, `upgrade ${headerString(req.headers.upgrade) ?? ''}`, 501);
      return;
    }
    const deps = { rt: this.rt, upstream: this.upstream, limits: this.limits };
    if (ctx) {
      const t = this.decryptedTarget(req, ctx);
      if (!t) {
        rawResponse(socket, 400, '400 Bad Request: invalid Host\n');
        return this.badRequest(ctx.srcIp, 'invalid Host', 400);
      }
      return void handleUpgrade(deps, req, socket, head, t, ctx.srcIp, ctx.preBlock).catch((e: unknown) => this.upgradeCrash(e, socket));
    }
    const t = this.plainTarget(req, ['http:', 'ws:']);
    if (typeof t === 'string') {
      const why = t === 'local' ? 'Bad Request: this is a proxy; send absolute-form requests or CONNECT' : t;
      rawResponse(socket, 400, `400 ${why}\n`);
      return this.badRequest(srcIp, why, 400);
    }
    void handleUpgrade(deps, req, socket, head, t, srcIp).catch((e: unknown) => this.upgradeCrash(e, socket));
  }

  private upgradeCrash(e: unknown, socket: net.Socket): void {
    this.rt.counters.errors++;
    this.rt.log.error({ err: e }, 'upgrade handler failed');
    socket.destroy();
  }

  private onDecrypted(req: AnyReq, res: AnyRes, ctx: DecryptedContext): void {
    const t = this.decryptedTarget(req, ctx);
    if (!t) return this.reject(req, res, 400, 'Bad Request: invalid Host');
    void handleExchange(this.rt, this.upstream, req, res, t, ctx.srcIp, ctx.preBlock, this.limits.fileScanMaxBytes).catch((e: unknown) => this.crash(e, res));
  }

  private onConnect(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    this.connectTunnel(socket, req.url ?? '', head);
  }

  /** CONNECT host:port (from node:http or the data path): refused, tunnelled or decrypted */
  private connectTunnel(socket: net.Socket, authority: string, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const srcIp = socket.remoteAddress ?? '0.0.0.0';
    const hp = splitHostPort(authority, -1);
    if (!hp || hp.port < 1 || hp.port > 65535) {
      sendRaw(socket, 400, 'Bad Request: CONNECT needs host:port');
      this.badRequest(srcIp, 'CONNECT target', 400);
      return;
    }
    const rt = this.rt;
    const active = rt.active;
    const canDecrypt = active.leaves !== null && active.engine.decryptionWanted;
    if (!canDecrypt) {
      // without decryption a blocked CONNECT is refused before the tunnel exists
      const facts: RequestFacts = { requestId: rt.requestId(), srcIp, dstPort: hp.port, host: hp.host, scheme: 'https', decrypted: false, stage: 'l7' };
      let r: ChainResult;
      try {
        r = rt.decide(facts, active.engine);
      } catch (e) {
        rt.counters.errors++;
        rt.log.error({ err: e }, 'chain failed on CONNECT');
        sendRaw(socket, 500, 'Internal gateway error');
        return;
      }
      if (r.outcome === 'block') {
        rt.counters.blocked++;
        emitOutcome(rt.events, { facts, tags: r.tags, action: 'block', block: r.reason, status: 403, policyVersion: active.engine.version });
        sendRaw(socket, 403, `Forbidden: ${describeReason(r.reason, 'en')}`, { 'x-mamori-request-id': facts.requestId, 'x-mamori-block-reason': r.reason.kind });
        return;
      }
    }
    this.establish(socket, head, hp, srcIp);
  }

  private establish(socket: net.Socket, head: Buffer, hp: { host: string; port: number }, srcIp: string): void {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const target: TlsFlowTarget = net.isIP(hp.host) ? { host: hp.host, port: hp.port, dstIp: hp.host } : { host: hp.host, port: hp.port };
    handleTlsFlow(this.tlsDeps(), socket, head, target, srcIp);
  }

  private serveLocal(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/proxy.pac' || path === '/wpad.dat')) {
      const hostHeader = headerString(req.headers.host);
      const local = req.socket.localAddress && req.socket.localPort ? `${req.socket.localAddress}:${req.socket.localPort}` : '127.0.0.1:3128';
      const body = pacFile(this.opts.advertisedAddress ?? hostHeader ?? local);
      res.writeHead(200, { 'content-type': 'application/x-ns-proxy-autoconfig', 'content-length': Buffer.byteLength(body), 'cache-control': 'max-age=300' });
      res.end(body);
      return;
    }
    if (req.method === 'GET' && (path === '/mamori-ca.crt' || path === '/ca.crt')) {
      const leaves = this.rt.active.leaves;
      if (!leaves) return this.reject(req, res, 404, 'Not Found: no decryption CA deployed');
      const body = leaves.ca.certificatePem;
      res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    this.reject(req, res, 400, 'Bad Request: this is a proxy; send absolute-form requests or CONNECT');
  }

  private reject(req: AnyReq, res: AnyRes, status: number, text: string): void {
    this.badRequest(req.socket?.remoteAddress, text, status);
    req.resume();
    sendError(res, status, text, this.rt.requestId());
  }

  private badRequest(srcIp: string | undefined, what: string, status: number): void {
    this.rt.counters.badRequests++;
    this.rt.log.info({ srcIp, what, status }, 'bad request rejected');
    this.rt.events.emit({ type: 'access', ts: Date.now(), srcIp: srcIp ?? '0.0.0.0', protocol: 'tcp', action: 'block', host: '', status, categories: [] });
  }

  private onClientError(err: Error & { code?: string }, socket: net.Socket): void {
    const [status, text] = CLIENT_ERRORS[err.code ?? ''] ?? (err.code?.startsWith('HPE_') ? [400, 'Bad Request'] : [0, '']);
    if (status === 0 || err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    this.badRequest(socket.remoteAddress, `${err.code ?? 'client error'}: ${text}`, status);
    sendRaw(socket, status, text);
  }

  private crash(e: unknown, res: AnyRes): void {
    this.rt.counters.errors++;
    this.rt.log.error({ err: e }, 'request handler failed');
    try {
      sendError(res, 500, 'Internal gateway error', '-');
    } catch {
      res.destroy();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const l of this.listeners) l.close();
    for (const c of this.h1conns) c.destroy();
    this.pool.close();
    for (const s of this.sockets) s.destroy();
    this.h1.closeAllConnections();
    this.h1.close();
    this.h2.close();
    this.tlsTerm.close();
    await this.upstream.close();
  }
}

function sendRaw(socket: net.Socket, status: number, text: string, extra: Record<string, string> = {}): void {
  const body = `${status} ${text}\n`;
  const head = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}`, 'content-type: text/plain; charset=utf-8', `content-length: ${Buffer.byteLength(body)}`, 'connection: close', ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`)];
  if (socket.writable) socket.end(head.join('\r\n') + '\r\n\r\n' + body);
  else socket.destroy();
}

/** "host:port", "[v6]:port" or "host" (with a default port); null when malformed */
export function splitHostPort(s: string, defPort: number): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+))(?::(\d{1,5}))?$/.exec(s.trim());
  if (!m) return null;
  const host = (m[1] ?? m[2] ?? '').toLowerCase();
  const port = m[3] !== undefined ? Number(m[3]) : defPort;
  if (port < 0 || port > 65535 || !host) return null;
  return { host, port };
}

/** the target of a plain-HTTP request: absolute-form (explicit) or Host (transparent); a string is the 400 reason */
function plainTargetOf(url: string, hostHeader: string | undefined, info: ConnInfo | undefined, schemes: readonly string[] = ['http:']): Target | 'local' | string {
  if (url.startsWith('/')) {
    if (!info?.transparent) return 'local';
    const hp = hostHeader ? splitHostPort(hostHeader, info.dst?.port ?? 80) : info.dst ? { host: info.dst.ip, port: info.dst.port } : null;
    if (!hp) return 'Bad Request: no Host header';
    return { scheme: 'http', host: hp.host, port: info.dst?.port ?? hp.port, path: url, decrypted: false, ...(info.dst ? { dstIp: info.dst.ip } : {}) };
  }
  const fast = plainAbsolute(url);
  if (fast) return fast;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Bad Request: invalid request target';
  }
  if (!schemes.includes(parsed.protocol)) return `Bad Request: unsupported scheme ${parsed.protocol}`;
  if (!parsed.hostname) return 'Bad Request: no host';
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return { scheme: 'http', host, port: parsed.port ? Number(parsed.port) : 80, path: parsed.pathname + parsed.search, decrypted: false };
}

/** the decrypted-connection target of a request (Host / :authority, else the handshake's host) */
function decryptedTargetOf(authority: string | undefined, url: string, ctx: DecryptedContext): Target | null {
  const hp = authority ? splitHostPort(authority, ctx.port) : { host: ctx.host, port: ctx.port };
  if (!hp) return null;
  // the connection was decided for ctx.host; a different Host (domain fronting) is evaluated for
  // itself. With a known original destination the request goes there, whatever Host says.
  return {
    scheme: 'https',
    host: hp.host,
    port: hp.host === ctx.host || ctx.dstIp ? ctx.port : hp.port,
    path: url,
    decrypted: true,
    ...(ctx.sni ? { sni: ctx.sni } : {}),
    ...(ctx.dstIp ? { dstIp: ctx.dstIp } : {}),
  };
}
