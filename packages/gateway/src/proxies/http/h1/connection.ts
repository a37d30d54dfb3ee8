/**
 * One client connection on the HTTP/1.1 data path (explicit proxy, transparent port 80, or a
 * decrypted TLS socket): request heads are read by the strict parser, one request at a time
 * (pipelined requests wait in order), each one goes through the exchange (decision, upstream,
 * response), and timeouts are checked by the proxy's sweeper from `deadline`. A CONNECT leaves
 * for the TLS flow; whatever else this path does not handle (Upgrade, Expect, HTTP/2 preface,
 * requests to the proxy itself) is handed over with the bytes already read to the node:http server.
 */
import type net from 'node:net';
import { HeadError, HeadReader, parseRequestHead, type Head } from './head.js';
import { Exchange, type H1Env } from './exchange.js';
import type { DecryptedContext } from '../tls-flow.js';

export const Phase = {
  /** waiting for the first byte of a request (keep-alive idle) */
  Idle: 0,
  /** a head is arriving */
  Head: 1,
  /** a request is being handled */
  Busy: 2,
  /** closing after the last response */
  Closing: 3,
  Closed: 4,
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

/** pipelined bytes held while a request is handled (more pauses the socket) */
const MAX_PIPELINED = 64 * 1024;
const H2_PREFACE = 'PRI * HTTP/2.0';

export class H1Conn {
  phase: Phase = Phase.Idle;
  /** ms epoch at which the current phase times out (0: none) */
  deadline = 0;
  readonly srcIp: string;
  private readonly reader: HeadReader;
  /** bytes after the current request (pipelined), read once it is done */
  private pending: Buffer | null = null;
  private x: Exchange | null = null;
  private paused = false;
  /** pipelined bytes are read on the next microtask (no recursion through synchronous answers) */
  private draining = false;
  private readonly onData = (c: Buffer) => this.data(c);
  private readonly onDrain = () => this.x?.onClientDrain();
  private readonly onClose = () => this.closed();
  private readonly onError = () => this.socket.destroy();

  constructor(
    readonly socket: net.Socket,
    readonly env: H1Env,
    readonly ctx: DecryptedContext | undefined,
  ) {
    this.srcIp = ctx?.srcIp ?? socket.remoteAddress ?? '0.0.0.0';
    this.reader = new HeadReader(env.limits.maxHeaderBytes, 431, true);
    this.deadline = Date.now() + env.limits.headersTimeoutMs;
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  private data(chunk: Buffer): void {
    const x = this.x;
    if (x) {
      if (!x.reqDone) return x.feedBody(chunk, 0);
      return this.hold(chunk);
    }
    if (this.draining) return this.hold(chunk);
    if (this.phase >= Phase.Closing) return;
    this.readHead(chunk);
  }

  /** keep bytes that arrived after the current request */
  hold(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.pending = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.pending.length > MAX_PIPELINED && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private readHead(chunk: Buffer): void {
    if (this.phase === Phase.Idle) {
      this.phase = Phase.Head;
      this.deadline = Date.now() + this.env.limits.headersTimeoutMs;
    }
    let end: number;
    try {
      end = this.reader.push(chunk);
    } catch (e) {
      return this.refuse(e);
    }
    if (end < 0) return;
    const buf = this.reader.pending!;
    const start = this.reader.start;
    this.reader.reset();
    if (buf.toString('latin1', start, start + H2_PREFACE.length) === H2_PREFACE) return this.handoff(buf);
    let head: Head;
    try {
      head = parseRequestHead(buf.toString('latin1', start, end - 4));
    } catch (e) {
      return this.refuse(e);
    }
    if (head.method === 'CONNECT' && !this.ctx) {
      // the tunnel starts here: the socket leaves the data path
      this.detach();
      return this.env.connect(this.socket, head.target, buf.subarray(end));
    }
    if (head.method === 'CONNECT' || head.upgrade !== undefined || head.expect !== undefined) return this.handoff(buf);
    const t = this.env.route(this, head);
    if (t === 'handoff') return this.handoff(buf);
    this.phase = Phase.Busy;
    this.deadline = 0;
    const x = new Exchange(this, head);
    this.x = x;
    x.start(typeof t === 'string' ? null : t, typeof t === 'string' ? t : '', buf.subarray(end));
  }

  /** a head the parser refused: answer with its status, log, and close */
  private refuse(e: unknown): void {
    if (!(e instanceof HeadError)) throw e;
    const text = e.status === 431 ? 'Request Header Fields Too Large' : e.message;
    this.env.badRequest(this.srcIp, `${e.status}: ${text}`, e.status);
    this.reader.reset();
    this.rawClose(e.status, text);
  }

  /** a plain-text error and close (requests that never became an exchange) */
  rawClose(status: number, text: string): void {
    this.phase = Phase.Closing;
    this.deadline = Date.now() + 2000;
    const body = `${status} ${text}\n`;
    const head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
    if (this.socket.writable) this.socket.end(head + body);
    else this.socket.destroy();
  }

  private handoff(bytes: Buffer): void {
    this.detach();
    this.env.handoff(this.socket, bytes.length ? bytes : null);
  }

  /** stop reading this socket (handed to another server) */
  private detach(): void {
    const s = this.socket;
    s.pause();
    s.off('data', this.onData);
    s.off('drain', this.onDrain);
    s.off('close', this.onClose);
    s.off('error', this.onError);
    this.phase = Phase.Closed;
    this.env.forget(this);
  }

  /** the exchange finished: next request (pipelined bytes first), or close */
  exchangeDone(close: boolean): void {
    this.x = null;
    if (this.phase >= Phase.Closing) return;
    if (close || this.socket.destroyed) {
      this.phase = Phase.Closing;
      this.deadline = Date.now() + 2000;
      if (!this.socket.destroyed) this.socket.end();
      return;
    }
    this.phase = Phase.Idle;
    this.deadline = Date.now() + this.env.limits.keepAliveTimeoutMs;
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    if (this.pending && !this.draining) {
      this.draining = true;
      queueMicrotask(() => {
        this.draining = false;
        const p = this.pending;
        this.pending = null;
        if (p && !this.x && this.phase < Phase.Closing) this.readHead(p);
      });
    }
  }

  /** body bytes are waiting for the origin: stop reading the client until they flow */
  pauseReading(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  resumeReading(): void {
    if (this.paused && (!this.pending || this.pending.length <= MAX_PIPELINED)) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** called by the sweeper */
  timedOut(now: number): void {
    switch (this.phase) {
      case Phase.Idle:
        // keep-alive idle (or a connection that never sent a byte): closed without a word
        this.phase = Phase.Closed;
        this.socket.destroy();
        return;
      case Phase.Head:
        this.env.badRequest(this.srcIp, '408: request headers not received in time', 408);
        this.reader.reset();
        this.rawClose(408, 'Request Timeout');
        return;
      case Phase.Busy:
        this.x?.timedOut(now);
        return;
      default:
        this.phase = Phase.Closed;
        this.socket.destroy();
    }
  }

  private closed(): void {
    this.phase = Phase.Closed;
    this.env.forget(this);
    const x = this.x;
    this.x = null;
    x?.clientClosed();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout', 409: 'Conflict', 413: 'Content Too Large',
  431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported',
};
