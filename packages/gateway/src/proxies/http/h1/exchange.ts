/**
 * One request on the HTTP/1.1 data path: the same decision as every other path
 * (`decideRequest`, host verification, block page, file-hash scanning, events with bytes up and
 * down), then the request head written to a pooled origin socket as one buffer, the request body
 * re-framed as it arrives (Content-Length passed through, chunked decoded and re-encoded), the
 * response head parsed strictly, and the response body passed to the client slice by slice
 * (Content-Length as is; chunked or close-delimited re-encoded as chunked for HTTP/1.1 clients,
 * close-delimited for HTTP/1.0). Backpressure pauses the socket on the other side; no promise per
 * chunk.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { pickLanguage, renderBlockPage } from '../../../chain/block-page.js';
import { emitOutcome } from '../../../chain/log-events.js';
import { isScannableDownload } from '../../../chain/file-reputation.js';
import type { RequestFacts } from '../../../chain/facts.js';
import type { BlockReason, Tags } from '../../../chain/verdict.js';
import type { GatewayRuntime } from '../../../runtime.js';
import type { ProxyLimits } from '../limits.js';
import { decideRequestSoon, hostMatchesDestination, requestFacts, targetUrl, type Decided, type Target } from '../exchange.js';
import { DROP_REQ as UPSTREAM_DROP_REQ, DROP_RES as UPSTREAM_DROP_RES, isCertificateError, type Upstream } from '../upstream.js';
import { ChunkedDecoder, encodeChunk, lastChunk } from './chunked.js';
import { HeadError, HeadReader, headerValue, parseResponseHead, type Head } from './head.js';
import type { UpstreamPool, OriginKey, UpConn, UpUser } from './pool.js';
import { Phase, STATUS_TEXT, type H1Conn } from './connection.js';

export interface H1Env {
  rt: GatewayRuntime;
  limits: ProxyLimits;
  pool: UpstreamPool;
  upstream: Upstream;
  /** the target of a request on this connection; 'handoff' for the node:http path; a string is the 400 reason */
  route(conn: H1Conn, head: Head): Target | 'handoff' | string;
  /** give the socket (and bytes already read) to the node:http server */
  handoff(socket: net.Socket, bytes: Buffer | null): void;
  /** CONNECT authority on this socket (bytes after the head: the start of the tunnel) */
  connect(socket: net.Socket, authority: string, head: Buffer): void;
  badRequest(srcIp: string, what: string, status: number): void;
  forget(conn: H1Conn): void;
}

/** request headers never forwarded: the node path's list, plus Expect (never passed on) */
const DROP_REQ = new Set([...UPSTREAM_DROP_REQ, 'expect']);
/** response headers never returned to the client: the node path's list, plus Content-Length (the data path frames the body itself) */
const DROP_RES = new Set([...UPSTREAM_DROP_RES, 'content-length']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** request body framing */
const B_NONE = 0;
const B_LENGTH = 1;
const B_CHUNKED = 2;
/** response state */
const R_WAIT = 0;
const R_HEAD = 1;
const R_LENGTH = 2;
const R_CHUNKED = 3;
const R_CLOSE = 4;
const R_DONE = 5;
/** what the client gets */
const C_NONE = 0;
const C_LENGTH = 1;
const C_CHUNKED = 2;
const C_CLOSE = 3;

/** queued request body beyond this (origin not connected yet) pauses the client */
const MAX_QUEUED_UP = 256 * 1024;
/** below this, a head and the first body bytes are copied into one buffer (one write) */
const COALESCE_MAX = 64 * 1024;

function hostHeader(t: Target): string {
  const h = t.host.includes(':') ? `[${t.host}]` : t.host;
  const def = (t.scheme === 'http' && t.port === 80) || (t.scheme === 'https' && t.port === 443);
  return def ? h : `${h}:${t.port}`;
}

interface Held {
  chunks: Buffer[];
  size: number;
  hash: crypto.Hash;
}

export class Exchange implements UpUser {
  private readonly rt: GatewayRuntime;
  private readonly started = performance.now();
  private readonly requestId: string;
  private t: Target | null = null;
  private facts: RequestFacts | null = null;
  private tags: Tags | null = null;
  private version: number | null = null;
  // request body
  private body = B_NONE;
  reqDone = true;
  private reqRemaining = 0;
  private reqDec: ChunkedDecoder | null = null;
  /** request body bytes are dropped (the request was answered without the origin) */
  private discard = false;
  private upQueue: Buffer[] = [];
  private upQueued = 0;
  private upReady = false;
  private upPausedClient = false;
  private bytesUp = 0;
  // upstream
  private key: OriginKey | null = null;
  private up: UpConn | null = null;
  private reqHead: Buffer | null = null;
  private attempts = 0;
  // response
  private resp = R_WAIT;
  private respReader: HeadReader | null = null;
  private respRemaining = 0;
  private respDec: ChunkedDecoder | null = null;
  private upReusable = false;
  private status = 0;
  private bytesDown = 0;
  private client = C_NONE;
  /** the client head, until the first write carries it */
  private outHead: string | null = null;
  /** anything written to the client */
  private answered = false;
  private closeAfter = false;
  private held: Held | null = null;
  private finished = false;
  /** bytesDown when the sweeper last looked (stalled response bodies) */
  private seenDown = -1;
  private readonly onReqData = (d: Buffer) => {
    this.bytesUp += d.length;
    for (const b of encodeChunk(d)) this.sendUp(b);
  };
  private readonly onRespData = (d: Buffer) => this.respData(d);

  constructor(
    private readonly conn: H1Conn,
    private readonly head: Head,
  ) {
    this.rt = conn.env.rt;
    this.rt.counters.requests++;
    this.requestId = this.rt.requestId();
  }

  /** `t` null: the request is refused with 400 `why` */
  start(t: Target | null, why: string, rest: Buffer): void {
    const h = this.head;
    if (h.chunked) {
      this.body = B_CHUNKED;
      this.reqDone = false;
      this.reqDec = new ChunkedDecoder(this.conn.env.limits.maxHeaderBytes, 400);
    } else if (h.contentLength > 0) {
      this.body = B_LENGTH;
      this.reqDone = false;
      this.reqRemaining = h.contentLength;
    }
    if (!this.reqDone) this.conn.deadline = Date.now() + this.conn.env.limits.requestTimeoutMs;
    if (t === null) {
      this.discard = true;
      if (rest.length) {
        if (this.reqDone) this.conn.hold(rest);
        else this.feedBody(rest, 0);
      }
      this.conn.env.badRequest(this.conn.srcIp, why, 400);
      this.respondError(400, why);
      return;
    }
    this.t = t;
    const url = targetUrl(t);
    this.facts = requestFacts(t, h.method, this.conn.srcIp, this.requestId, url);
    if (rest.length) {
      if (this.reqDone) this.conn.hold(rest);
      else this.feedBody(rest, 0);
    }
    if (this.finished) return;
    const d = decideRequestSoon(this.rt, this.facts, this.conn.ctx?.preBlock);
    if (d instanceof Promise)
      d.then(
        (r) => this.decided(r),
        (e: unknown) => this.crash(e),
      );
    else this.decided(d);
  }

  private decided(d: Decided): void {
    if (this.finished) return;
    if (!d.ok) {
      this.rt.log.error({ err: d.error, requestId: this.requestId }, 'chain failed');
      return this.respondError(500, 'Internal gateway error');
    }
    const { result, version } = d;
    this.version = version;
    this.tags = result.tags;
    const t = this.t!;
    const facts = this.facts!;
    if (result.outcome === 'block') {
      this.rt.counters.blocked++;
      this.discard = true;
      this.respondBlock(result.reason);
      emitOutcome(this.rt.events, { facts, tags: result.tags, action: 'block', block: result.reason, status: 403, policyVersion: version });
      return;
    }
    if (t.dstIp) {
      hostMatchesDestination(this.rt, this.conn.env.upstream, t, facts).then(
        (ok) => {
          if (this.finished) return;
          if (ok) return this.connect();
          this.rt.counters.blocked++;
          this.discard = true;
          this.respondError(409, 'Conflict: the Host does not resolve to the address the connection was sent to');
          emitOutcome(this.rt.events, { facts, tags: result.tags, action: 'block', status: 409, policyVersion: version });
        },
        (e: unknown) => this.crash(e),
      );
      return;
    }
    this.connect();
  }

  private connect(): void {
    const t = this.t!;
    const insecure = t.scheme === 'https' && this.tags?.profile?.httpsDecryption.blockInvalidCertificates === false;
    // a known original destination is where the connection goes; Host and SNI keep naming the site
    const name = t.sni ?? t.host;
    this.key = {
      scheme: t.scheme,
      host: t.dstIp ?? t.host,
      port: t.port,
      insecure,
      ...(t.dstIp && t.scheme === 'https' && !net.isIP(name) ? { servername: name } : {}),
    };
    this.buildRequestHead();
    this.conn.env.pool.acquire(this.key, false, (err, up) => this.acquired(err, up));
  }

  private buildRequestHead(): void {
    const h = this.head;
    const t = this.t!;
    const host = t.dstIp ? (h.host ?? hostHeader(t)) : hostHeader(t);
    let s = `${h.method} ${t.path} HTTP/1.1\r\nhost: ${host}\r\n`;
    const names = h.names;
    const conn = h.connTokens;
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      if (DROP_REQ.has(n) || (conn !== null && conn.includes(n))) continue;
      s += `${h.rawNames[i]!}: ${h.values[i]!}\r\n`;
    }
    if (this.body === B_CHUNKED) s += 'transfer-encoding: chunked\r\n';
    else if (h.contentLength >= 0) s += `content-length: ${h.contentLength}\r\n`;
    this.reqHead = Buffer.from(s + '\r\n', 'latin1');
  }

  private acquired(err: Error | null, up: UpConn | null): void {
    if (this.finished) {
      if (up) this.conn.env.pool.release(up, true);
      return;
    }
    if (err || !up) return this.upstreamFailed(err ?? new Error('no connection'));
    this.up = up;
    up.user = this;
    up.uses++;
    const q = this.upQueue;
    const head = this.reqHead!;
    let ok: boolean;
    if (q.length === 0) ok = up.socket.write(head);
    else if (this.upQueued + head.length <= COALESCE_MAX) ok = up.socket.write(Buffer.concat([head, ...q], head.length + this.upQueued));
    else {
      up.socket.cork();
      up.socket.write(head);
      for (const b of q) up.socket.write(b);
      ok = up.socket.uncork() === undefined && up.socket.writableLength < up.socket.writableHighWaterMark;
    }
    this.upQueue = [];
    this.upQueued = 0;
    this.upReady = true;
    this.resp = R_HEAD;
    if (!ok && !this.reqDone) {
      this.upPausedClient = true;
      this.conn.pauseReading();
    } else if (this.upPausedClient) {
      this.upPausedClient = false;
      this.conn.resumeReading();
    }
    if (this.reqDone) this.waitResponse();
  }

  private waitResponse(): void {
    this.conn.deadline = Date.now() + (this.conn.env.upstream.opts.headersTimeoutMs ?? 60_000);
  }

  // ---- request body (client -> origin)

  feedBody(chunk: Buffer, pos: number): void {
    let rest: Buffer | null = null;
    if (this.body === B_LENGTH) {
      const take = Math.min(this.reqRemaining, chunk.length - pos);
      if (take > 0) {
        this.bytesUp += take;
        if (!this.discard) this.sendUp(pos === 0 && take === chunk.length ? chunk : chunk.subarray(pos, pos + take));
      }
      this.reqRemaining -= take;
      if (this.reqRemaining === 0) {
        this.reqDone = true;
        if (pos + take < chunk.length) rest = chunk.subarray(pos + take);
      }
    } else {
      const dec = this.reqDec!;
      let end: number;
      try {
        end = dec.feed(chunk, pos, this.discard ? countOnly(this) : this.onReqData);
      } catch (e) {
        return this.requestFramingError(e);
      }
      if (end >= 0) {
        this.reqDone = true;
        if (!this.discard) this.sendUp(lastChunk(dec.trailers));
        if (end < chunk.length) rest = chunk.subarray(end);
      }
    }
    if (!this.reqDone) return;
    if (rest) this.conn.hold(rest);
    if (this.finished) return;
    if (this.upReady && this.resp === R_HEAD) this.waitResponse();
    else if (!this.upReady && this.conn.deadline !== 0 && this.resp === R_WAIT) this.conn.deadline = 0;
  }

  /** @internal counted but not forwarded */
  addUp(n: number): void {
    this.bytesUp += n;
  }

  private sendUp(b: Buffer): void {
    if (this.upReady) {
      const up = this.up;
      if (!up) return;
      if (!up.socket.write(b) && !this.upPausedClient) {
        this.upPausedClient = true;
        this.conn.pauseReading();
      }
      return;
    }
    this.upQueue.push(b);
    this.upQueued += b.length;
    if (this.upQueued > MAX_QUEUED_UP && !this.upPausedClient) {
      this.upPausedClient = true;
      this.conn.pauseReading();
    }
  }

  private requestFramingError(e: unknown): void {
    if (!(e instanceof HeadError)) throw e;
    this.conn.env.badRequest(this.conn.srcIp, `${e.status}: ${e.message}`, e.status);
    this.reqDone = true;
    this.discard = true;
    if (this.up) {
      this.conn.env.pool.release(this.up, false);
      this.up = null;
    }
    if (!this.answered) {
      this.closeAfter = true;
      this.respondError(e.status, e.message);
    } else this.abort();
  }

  onUpDrain(): void {
    if (this.upPausedClient) {
      this.upPausedClient = false;
      this.conn.resumeReading();
    }
  }

  // ---- response (origin -> client)

  onUpData(chunk: Buffer): void {
    if (this.resp === R_HEAD) {
      const r = (this.respReader ??= new HeadReader(this.conn.env.limits.maxHeaderBytes * 4, 502, false));
      let end: number;
      let head: Head;
      let buf: Buffer;
      try {
        end = r.push(chunk);
        if (end < 0) return;
        buf = r.pending!;
        r.reset();
        head = parseResponseHead(buf.toString('latin1', 0, end - 4));
      } catch (e) {
        return this.badResponse(e);
      }
      if (head.status < 200) {
        // 1xx: the final response follows (101 was never asked for)
        if (head.status === 101) return this.badResponse(new HeadError(502, 'unrequested 101 from the origin'));
        if (end < buf.length) this.onUpData(buf.subarray(end));
        return;
      }
      this.beginResponse(head);
      if (end < buf.length) this.respBody(buf, end);
      return;
    }
    this.respBody(chunk, 0);
  }

  private respBody(chunk: Buffer, pos: number): void {
    switch (this.resp) {
      case R_LENGTH: {
        const take = Math.min(this.respRemaining, chunk.length - pos);
        this.respRemaining -= take;
        this.respData(pos === 0 && take === chunk.length ? chunk : chunk.subarray(pos, pos + take));
        if (this.respRemaining === 0) {
          if (pos + take < chunk.length) this.upReusable = false;
          this.finishResponse();
        }
        return;
      }
      case R_CHUNKED: {
        let end: number;
        try {
          end = this.respDec!.feed(chunk, pos, this.onRespData);
        } catch (e) {
          return this.badResponse(e);
        }
        if (end >= 0) {
          if (end < chunk.length) this.upReusable = false;
          this.finishResponse();
        }
        return;
      }
      case R_CLOSE:
        this.respData(pos === 0 ? chunk : chunk.subarray(pos));
        return;
      default:
        // bytes after a complete response, or before a request: the socket is not reusable
        this.upReusable = false;
        this.up?.socket.destroy();
    }
  }

  private beginResponse(h: Head): void {
    const status = h.status;
    this.status = status;
    const method = this.head.method;
    const noBody = method === 'HEAD' || status === 204 || status === 304;
    this.upReusable = !h.close;
    if (h.keepAliveTimeout >= 0 && this.up) this.up.keepAliveHint(h.keepAliveTimeout, this.up.idleLimitMs);
    let framing = R_DONE;
    if (!noBody) {
      if (h.chunked) {
        framing = R_CHUNKED;
        this.respDec = new ChunkedDecoder(this.conn.env.limits.maxHeaderBytes * 4, 502);
      } else if (h.contentLength > 0) {
        framing = R_LENGTH;
        this.respRemaining = h.contentLength;
      } else if (h.contentLength === 0) framing = R_DONE;
      else {
        framing = R_CLOSE;
        this.upReusable = false;
      }
    }
    const minor = this.head.minor;
    // the client's framing
    if (noBody || framing === R_DONE) this.client = C_NONE;
    else if (framing === R_LENGTH) this.client = C_LENGTH;
    else if (minor === 1) this.client = C_CHUNKED;
    else this.client = C_CLOSE;
    this.closeAfter ||= this.head.close || this.client === C_CLOSE || !this.reqDone || this.conn.phase !== Phase.Busy;
    // forwarded header lines, and what the file check needs
    let lines = '';
    const names = h.names;
    const conn = h.connTokens;
    let scanHeaders: Record<string, string> | null = null;
    const scan = this.conn.env.limits.fileScanMaxBytes;
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      if (DROP_RES.has(n) || (conn !== null && conn.includes(n))) continue;
      const v = h.values[i]!;
      lines += `${h.rawNames[i]!}: ${v}\r\n`;
      if (scan > 0 && (n === 'content-type' || n === 'content-encoding' || n === 'content-disposition') && (scanHeaders ??= {})[n] === undefined) scanHeaders[n] = v;
    }
    if (h.contentLength >= 0) {
      if (this.client === C_LENGTH || (this.client === C_NONE && status !== 204)) lines += `content-length: ${h.contentLength}\r\n`;
    }
    if (this.client === C_CHUNKED) lines += 'transfer-encoding: chunked\r\n';
    if (this.closeAfter) lines += 'connection: close\r\n';
    else {
      if (minor === 0) lines += 'connection: keep-alive\r\n';
      const ka = this.conn.env.limits.keepAliveTimeoutMs;
      if (ka > 0) lines += `keep-alive: timeout=${Math.floor(ka / 1000)}\r\n`;
    }
    const reason = h.reason || STATUS_TEXT[status] || 'Unknown';
    this.outHead = `HTTP/1.1 ${status} ${reason}\r\n${lines}\r\n`;
    if (scan > 0 && framing !== R_DONE && !noBody) {
      const sh = scanHeaders ?? {};
      if (h.contentLength >= 0) sh['content-length'] = String(h.contentLength);
      if (isScannableDownload(method, status, sh, scan)) this.held = { chunks: [], size: 0, hash: crypto.createHash('sha256') };
    }
    this.resp = framing;
    this.conn.deadline = Date.now() + (this.conn.env.upstream.opts.bodyTimeoutMs ?? 300_000);
    if (framing === R_DONE) this.finishResponse();
  }

  private respData(d: Buffer): void {
    if (d.length === 0) return;
    this.bytesDown += d.length;
    const held = this.held;
    if (held) {
      held.hash.update(d);
      held.chunks.push(d);
      held.size += d.length;
      if (held.size <= this.conn.env.limits.fileScanMaxBytes) return;
      // larger than announced (or not announced): too big to hold, it streams on unchecked
      this.rt.log.info({ requestId: this.requestId, url: this.facts?.url, bytes: held.size }, 'download larger than the file-scan limit: passed on unchecked');
      this.held = null;
      for (const c of held.chunks) this.sendDown(c);
      return;
    }
    this.sendDown(d);
  }

  /** body bytes to the client in its framing; the pending head goes in the same write */
  private sendDown(d: Buffer): void {
    const s = this.conn.socket;
    if (s.destroyed) return;
    const parts = this.client === C_CHUNKED ? encodeChunk(d) : [d];
    let ok: boolean;
    const head = this.outHead;
    if (head !== null) {
      this.outHead = null;
      this.answered = true;
      ok = writeWithHead(s, head, parts);
    } else if (parts.length === 1) ok = s.write(parts[0]!);
    else {
      s.cork();
      for (const p of parts) s.write(p);
      s.uncork();
      ok = s.writableLength < s.writableHighWaterMark;
    }
    if (!ok && this.up) this.up.socket.pause();
  }

  onClientDrain(): void {
    this.up?.socket.resume();
  }

  private finishResponse(): void {
    if (this.resp === R_DONE && this.finished) return;
    this.resp = R_DONE;
    const up = this.up;
    this.up = null;
    if (up) this.conn.env.pool.release(up, this.upReusable && this.reqDone);
    const held = this.held;
    if (held) {
      this.held = null;
      this.finishHeld(held).then(
        () => this.done(),
        (e: unknown) => {
          this.rt.counters.errors++;
          this.rt.log.error({ err: e, requestId: this.requestId }, 'file check failed');
          if (!this.answered) this.respondError(500, 'Internal gateway error');
          else this.abort();
        },
      );
      return;
    }
    const s = this.conn.socket;
    if (!s.destroyed) {
      if (this.client === C_CHUNKED) {
        const end = lastChunk(this.respDec?.trailers ?? []);
        if (this.outHead !== null) {
          writeWithHead(s, this.outHead, [end]);
          this.outHead = null;
        } else s.write(end);
      } else if (this.outHead !== null) {
        s.write(this.outHead, 'latin1');
        this.outHead = null;
      }
      this.answered = true;
    }
    this.logAllow(this.status);
    this.done();
  }

  private async finishHeld(h: Held): Promise<void> {
    const sha256 = h.hash.digest('hex');
    const check = await this.rt.files.check(sha256);
    if (this.conn.socket.destroyed) return;
    if (check.malicious) {
      this.rt.counters.blocked++;
      const reason: BlockReason = { kind: 'file', detail: sha256, threat: 'malware', ...(check.name ? { entry: check.name } : {}) };
      this.rt.log.warn({ requestId: this.requestId, url: this.facts?.url, sha256, source: check.source }, 'malicious file blocked');
      this.outHead = null;
      this.writeResponse(403, blockHeaders(reason, this.requestId), this.blockBody(reason));
      emitOutcome(this.rt.events, { facts: this.facts!, tags: this.tags!, action: 'block', block: reason, status: 403, bytesUp: this.bytesUp, bytesDown: this.bytesDown, durationMs: performance.now() - this.started, policyVersion: this.version });
      return;
    }
    // the whole body is here: sent with its length
    const head = this.outHead!.replace(/\r\ntransfer-encoding: chunked\r\n/, `\r\ncontent-length: ${h.size}\r\n`);
    this.outHead = null;
    this.answered = true;
    writeWithHead(this.conn.socket, head, h.chunks);
    this.logAllow(this.status);
  }

  private logAllow(status: number): void {
    emitOutcome(this.rt.events, { facts: this.facts!, tags: this.tags!, action: 'allow', status, bytesUp: this.bytesUp, bytesDown: this.bytesDown, durationMs: performance.now() - this.started, policyVersion: this.version });
  }

  private done(): void {
    if (this.finished) return;
    this.finished = true;
    this.conn.exchangeDone(this.closeAfter || !this.reqDone);
  }

  onUpEnd(): void {
    if (this.resp === R_CLOSE) this.finishResponse();
  }

  onUpClose(err: Error | null): void {
    const up = this.up;
    this.up = null;
    if (this.finished || this.resp === R_DONE) return;
    if (this.resp === R_CLOSE && !err) return this.finishResponse();
    if (this.status === 0) {
      // nothing of the response came: a reused socket the origin had closed is retried once
      if (up && up.uses > 1 && this.attempts === 0 && this.body === B_NONE && IDEMPOTENT.has(this.head.method)) {
        this.attempts++;
        this.upReady = false;
        this.resp = R_WAIT;
        this.respReader?.reset();
        this.conn.env.pool.acquire(this.key!, true, (e, c) => this.acquired(e, c));
        return;
      }
      return this.upstreamFailed(err ?? Object.assign(new Error('origin closed the connection'), { code: 'ECONNRESET' }));
    }
    // the response had started: all that can be done is to cut it
    this.rt.log.debug({ err, requestId: this.requestId }, 'response stream aborted');
    this.logAllow(this.status);
    this.abort();
  }

  private badResponse(e: unknown): void {
    if (!(e instanceof HeadError)) throw e;
    this.upReusable = false;
    const up = this.up;
    this.up = null;
    if (up) this.conn.env.pool.release(up, false);
    this.rt.counters.errors++;
    this.rt.log.info({ requestId: this.requestId, why: e.message }, 'invalid response from the origin');
    if (!this.answered) {
      // nothing reached the client yet (the head waits for the first body bytes)
      this.outHead = null;
      this.held = null;
      this.closeAfter = true;
      this.respondError(502, `Bad gateway: ${e.message}`);
      emitOutcome(this.rt.events, { facts: this.facts!, tags: this.tags!, action: 'allow', status: 502, bytesUp: this.bytesUp, policyVersion: this.version });
      return;
    }
    this.logAllow(this.status);
    this.abort();
  }

  private upstreamFailed(e: Error): void {
    if (this.finished) return;
    const up = this.up;
    this.up = null;
    if (up) this.conn.env.pool.release(up, false);
    const certErr = isCertificateError(e);
    const facts = this.facts!;
    if (certErr) {
      this.rt.counters.blocked++;
      const reason: BlockReason = { kind: 'certificate', detail: certErr, threat: 'certificate' };
      this.respondBlock(reason);
      emitOutcome(this.rt.events, { facts, tags: this.tags!, action: 'block', block: reason, status: 403, policyVersion: this.version });
      return;
    }
    this.rt.counters.errors++;
    const code = (e as { code?: string }).code ?? e.message;
    this.rt.log.info({ requestId: this.requestId, origin: this.key ? `${this.key.scheme}://${this.key.host}:${this.key.port}` : '', code }, 'upstream request failed');
    const st = code === 'ETIMEDOUT' ? 504 : 502;
    this.respondError(st, `Bad gateway: ${code}`);
    emitOutcome(this.rt.events, { facts, tags: this.tags!, action: 'allow', status: st, bytesUp: this.bytesUp, policyVersion: this.version });
  }

  // ---- answers from the proxy itself

  private blockBody(reason: BlockReason): string {
    const lang = pickLanguage(headerValue(this.head, 'accept-language'));
    return renderBlockPage(reason, { url: this.facts?.url ?? '', requestId: this.requestId, lang });
  }

  private respondBlock(reason: BlockReason): void {
    this.writeResponse(403, blockHeaders(reason, this.requestId), this.blockBody(reason));
  }

  private respondError(status: number, text: string): void {
    this.writeResponse(status, `content-type: text/plain; charset=utf-8\r\nx-mamori-request-id: ${this.requestId}\r\n`, `${status} ${text}\nrequest id: ${this.requestId}\n`);
  }

  /** a complete response from the proxy; the connection stays open when the request was read whole */
  private writeResponse(status: number, headerLines: string, body: string): void {
    const s = this.conn.socket;
    if (this.answered || s.destroyed) {
      this.abort();
      return;
    }
    this.answered = true;
    // a request body still arriving is not worth reading: answer and close
    const close = this.closeAfter || this.head.close || !this.reqDone;
    this.closeAfter = close;
    const len = Buffer.byteLength(body);
    let head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n${headerLines}content-length: ${len}\r\n`;
    if (close) head += 'connection: close\r\n';
    else if (this.head.minor === 0) head += 'connection: keep-alive\r\n';
    s.write(head + '\r\n' + body);
    this.resp = R_DONE;
    this.done();
  }

  private abort(): void {
    this.finished = true;
    const up = this.up;
    this.up = null;
    if (up) this.conn.env.pool.release(up, false);
    this.conn.socket.destroy();
  }

  private crash(e: unknown): void {
    this.rt.counters.errors++;
    this.rt.log.error({ err: e, requestId: this.requestId }, 'request handler failed');
    if (!this.answered) this.respondError(500, 'Internal gateway error');
    else this.abort();
  }

  /** the client went away: the origin side is dropped unless the response was complete */
  clientClosed(): void {
    if (this.finished) return;
    this.finished = true;
    const up = this.up;
    this.up = null;
    if (up) this.conn.env.pool.release(up, false);
  }

  /** the connection's deadline passed during this exchange */
  timedOut(now: number): void {
    if (this.finished) return;
    if (!this.reqDone) {
      // the request (body) did not arrive in time
      this.conn.env.badRequest(this.conn.srcIp, '408: request not received in time', 408);
      this.discard = true;
      if (!this.answered && this.resp <= R_HEAD) {
        const up = this.up;
        this.up = null;
        if (up) this.conn.env.pool.release(up, false);
        this.closeAfter = true;
        this.resp = R_DONE;
        return this.respondError(408, 'Request Timeout');
      }
      return this.abort();
    }
    if (this.resp === R_HEAD) return this.upstreamFailed(Object.assign(new Error('origin response headers timed out'), { code: 'ETIMEDOUT' }));
    if (this.resp === R_LENGTH || this.resp === R_CHUNKED || this.resp === R_CLOSE) {
      // a response body that still moves is not stalled
      if (this.bytesDown !== this.seenDown) {
        this.seenDown = this.bytesDown;
        this.conn.deadline = now + (this.conn.env.upstream.opts.bodyTimeoutMs ?? 300_000);
        return;
      }
      this.logAllow(this.status);
      return this.abort();
    }
  }
}

function countOnly(x: Exchange): (d: Buffer) => void {
  return (d) => x.addUp(d.length);
}

function blockHeaders(reason: BlockReason, requestId: string): string {
  return `content-type: text/html; charset=utf-8\r\ncache-control: no-store\r\nx-mamori-request-id: ${requestId}\r\nx-mamori-block-reason: ${reason.kind}\r\n`;
}

/** the head and the first body parts in one write (copied together when small) */
function writeWithHead(s: net.Socket, head: string, parts: Buffer[]): boolean {
  let total = 0;
  for (const p of parts) total += p.length;
  if (total + head.length <= COALESCE_MAX) {
    const out = Buffer.allocUnsafe(head.length + total);
    let off = out.write(head, 0, 'latin1');
    for (const p of parts) off += p.copy(out, off);
    return s.write(out);
  }
  s.cork();
  s.write(head, 'latin1');
  for (const p of parts) s.write(p);
  s.uncork();
  return s.writableLength < s.writableHighWaterMark;
}
