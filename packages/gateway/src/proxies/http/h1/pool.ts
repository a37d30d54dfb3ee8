/**
 * Keep-alive connections to origin servers for the HTTP/1.1 data path: raw TCP or TLS sockets
 * (verified with the proxy's one TLS context, TLS sessions resumed per origin), kept per origin
 * address + server name, reused most-recently-idle first, closed after an idle time (never longer
 * than the origin's Keep-Alive hint), at most `maxPerOrigin` per origin with the rest waiting.
 * Callbacks, not promises: this runs for every request.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface OriginKey {
  scheme: 'http' | 'https';
  /** where to connect: an address or a name */
  host: string;
  port: number;
  /** TLS server name when `host` is an address */
  servername?: string;
  /** do not verify the origin's certificate (profiles that allow invalid certificates) */
  insecure: boolean;
}

/** what a socket's events go to while a request uses it */
export interface UpUser {
  onUpData(chunk: Buffer): void;
  onUpEnd(): void;
  onUpClose(err: Error | null): void;
  onUpDrain(): void;
}

export interface PoolOptions {
  /** verifying TLS context (Node's store plus extra CAs); default: Node's store */
  secureContext?: tls.SecureContext;
  lookup?: net.LookupFunction;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  maxPerOrigin: number;
}

export type Acquired = (err: Error | null, conn: UpConn | null) => void;

export class UpConn {
  user: UpUser | null = null;
  /** requests sent on this socket so far */
  uses = 0;
  idleSince = 0;
  idleLimitMs: number;
  err: Error | null = null;
  connecting: Acquired | null = null;
  timer: NodeJS.Timeout | null = null;

  constructor(
    readonly socket: net.Socket,
    readonly key: string,
    idleLimitMs: number,
  ) {
    this.idleLimitMs = idleLimitMs;
  }

  /** the origin's Keep-Alive: timeout=N hint (seconds): idle no longer than a second less */
  keepAliveHint(seconds: number, max: number): void {
    this.idleLimitMs = Math.min(max, seconds * 1000 - 1000);
  }
}

interface Origin {
  idle: UpConn[];
  /** open sockets (idle, busy and connecting) */
  open: number;
  waiters: Array<{ k: OriginKey; cb: Acquired }>;
}

const SESSION_CACHE_MAX = 2048;

export class UpstreamPool {
  private readonly origins = new Map<string, Origin>();
  private readonly sessions = new Map<string, Buffer>();
  private readonly secureContext: tls.SecureContext;
  private readonly all = new Set<UpConn>();
  private closed = false;
  readonly stats = { connects: 0, reuses: 0, resumed: 0 };

  constructor(private readonly o: PoolOptions) {
    // one context for every connection: building one per connection parses the root store again
    this.secureContext = o.secureContext ?? tls.createSecureContext();
  }

  static keyOf(k: OriginKey): string {
    return `${k.scheme}|${k.host}|${k.port}|${k.servername ?? ''}|${k.insecure ? 1 : 0}`;
  }

  /** an idle socket to the origin, a new one, or (at the limit) the next one released; `fresh`: never an idle one */
  acquire(k: OriginKey, fresh: boolean, cb: Acquired): void {
    if (this.closed) return cb(new Error('proxy closing'), null);
    const key = UpstreamPool.keyOf(k);
    let origin = this.origins.get(key);
    if (!origin) {
      origin = { idle: [], open: 0, waiters: [] };
      this.origins.set(key, origin);
    }
    if (!fresh) {
      while (origin.idle.length > 0) {
        const c = origin.idle.pop()!;
        const s = c.socket;
        if (s.destroyed || !s.writable || !s.readable) {
          s.destroy();
          continue;
        }
        this.stats.reuses++;
        return cb(null, c);
      }
    }
    if (origin.open >= this.o.maxPerOrigin) {
      origin.waiters.push({ k, cb });
      return;
    }
    this.connect(k, key, origin, cb);
  }

  private connect(k: OriginKey, key: string, origin: Origin, cb: Acquired): void {
    origin.open++;
    this.stats.connects++;
    const lookup = this.o.lookup;
    let s: net.Socket;
    if (k.scheme === 'https') {
      const servername = k.servername ?? (net.isIP(k.host) ? undefined : k.host);
      const session = this.sessions.get(key);
      s = tls.connect({
        host: k.host,
        port: k.port,
        ALPNProtocols: ['http/1.1'],
        ...(servername ? { servername } : {}),
        ...(k.insecure ? { rejectUnauthorized: false } : { secureContext: this.secureContext }),
        ...(session ? { session } : {}),
        ...(lookup ? { lookup } : {}),
      });
      s.on('session', (sess: Buffer) => {
        if (this.sessions.size >= SESSION_CACHE_MAX) this.sessions.clear();
        this.sessions.set(key, sess);
      });
    } else {
      s = net.connect({ host: k.host, port: k.port, ...(lookup ? { lookup } : {}) });
    }
    s.setNoDelay(true);
    const c = new UpConn(s, key, this.o.idleTimeoutMs);
    c.connecting = cb;
    this.all.add(c);
    c.timer = setTimeout(() => s.destroy(Object.assign(new Error(`connect to ${k.host}:${k.port} timed out`), { code: 'ETIMEDOUT' })), this.o.connectTimeoutMs);
    s.once(k.scheme === 'https' ? 'secureConnect' : 'connect', () => {
      if (c.timer) clearTimeout(c.timer);
      c.timer = null;
      if (k.scheme === 'https' && (s as tls.TLSSocket).isSessionReused()) this.stats.resumed++;
      const done = c.connecting;
      c.connecting = null;
      done?.(null, c);
    });
    s.on('data', (d: Buffer) => {
      const u = c.user;
      if (u) u.onUpData(d);
      else s.destroy(); // bytes nobody asked for: the socket is not reusable
    });
    s.on('end', () => c.user?.onUpEnd());
    s.on('drain', () => c.user?.onUpDrain());
    s.on('error', (e: Error) => {
      c.err ??= e;
    });
    s.on('close', () => {
      if (c.timer) clearTimeout(c.timer);
      this.forget(c, origin);
      const done = c.connecting;
      c.connecting = null;
      if (done) return done(c.err ?? Object.assign(new Error('connection closed'), { code: 'ECONNRESET' }), null);
      const u = c.user;
      c.user = null;
      u?.onUpClose(c.err);
    });
  }

  private forget(c: UpConn, origin: Origin): void {
    if (!this.all.delete(c)) return;
    origin.open--;
    const i = origin.idle.indexOf(c);
    if (i >= 0) origin.idle.splice(i, 1);
    // a waiting request gets the freed slot
    const w = origin.waiters.shift();
    if (w) this.acquire(w.k, false, w.cb);
    else if (origin.open === 0 && origin.idle.length === 0) this.origins.delete(c.key);
  }

  /** done with a socket: kept for the next request when `reusable`, else closed */
  release(c: UpConn, reusable: boolean): void {
    c.user = null;
    const s = c.socket;
    if (!reusable || this.closed || s.destroyed || c.idleLimitMs <= 0) {
      s.destroy();
      return;
    }
    const origin = this.origins.get(c.key);
    if (!origin) {
      s.destroy();
      return;
    }
    const w = origin.waiters.shift();
    if (w) {
      this.stats.reuses++;
      return w.cb(null, c);
    }
    c.idleSince = Date.now();
    origin.idle.push(c);
  }

  /** close sockets idle for longer than their limit */
  sweep(now: number): void {
    for (const origin of this.origins.values()) {
      for (let i = origin.idle.length - 1; i >= 0; i--) {
        const c = origin.idle[i]!;
        if (now - c.idleSince > c.idleLimitMs) c.socket.destroy();
      }
    }
  }

  get openSockets(): number {
    return this.all.size;
  }

  close(): void {
    this.closed = true;
    for (const c of [...this.all]) c.socket.destroy();
    for (const o of this.origins.values()) for (const w of o.waiters.splice(0)) w.cb(new Error('proxy closing'), null);
  }
}
