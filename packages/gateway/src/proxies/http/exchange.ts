/**
 * One HTTP exchange through the chain: evaluate with the L7 facts, answer with the block page or
 * forward to the origin and stream the response back, then log. Used for explicit (absolute-form),
 * transparent (Host) and decrypted (HTTP/1.1 and HTTP/2) requests alike.
 */
import type http from 'node:http';
import type http2 from 'node:http2';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ChainResult } from '../../chain/runner.js';
import { pickLanguage, renderBlockPage } from '../../chain/block-page.js';
import { emitOutcome } from '../../chain/log-events.js';
import type { RequestFacts } from '../../chain/facts.js';
import type { BlockReason, Tags } from '../../chain/verdict.js';
import type { GatewayRuntime } from '../../runtime.js';
import { forwardRequestHeaders, forwardResponseHeaders, isCertificateError, type Upstream } from './upstream.js';

export type AnyReq = http.IncomingMessage | http2.Http2ServerRequest;
export type AnyRes = http.ServerResponse | http2.Http2ServerResponse;

export interface Target {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** origin-form path with query */
  path: string;
  dstIp?: string;
  sni?: string;
  decrypted: boolean;
}

async function* counted(src: Readable, add: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const c of src) {
    const b = c as Buffer;
    add(b.length);
    yield b;
  }
}

export function sendBlockPage(req: AnyReq, res: AnyRes, reason: BlockReason, url: string, requestId: string): void {
  const lang = pickLanguage(headerString(req.headers['accept-language']));
  const body = renderBlockPage(reason, { url, requestId, lang });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const r = res as http.ServerResponse;
  r.writeHead(403, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-mamori-request-id': requestId,
    'x-mamori-block-reason': reason.kind,
  });
  r.end(body);
}

export function sendError(res: AnyRes, status: number, text: string, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${status} ${text}\nrequest id: ${requestId}\n`;
  (res as http.ServerResponse).writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-mamori-request-id': requestId });
  res.end(body);
}

export function headerString(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function defaultPort(scheme: string, port: number): boolean {
  return (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
}

export function targetUrl(t: Target): string {
  const h = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.scheme}://${h}${defaultPort(t.scheme, t.port) ? '' : `:${t.port}`}${t.path}`;
}

/** the L7 facts of one request (or upgrade) to a target */
export function requestFacts(t: Target, method: string | undefined, srcIp: string, requestId: string, url = targetUrl(t)): RequestFacts {
  const qpos = t.path.indexOf('?');
  return {
    requestId,
    srcIp,
    dstPort: t.port,
    host: t.host,
    scheme: t.scheme,
    method: method ?? 'GET',
    path: qpos >= 0 ? t.path.slice(0, qpos) : t.path,
    url,
    decrypted: t.decrypted,
    stage: 'l7',
    ...(t.dstIp ? { dstIp: t.dstIp } : {}),
    ...(t.sni ? { sni: t.sni } : {}),
  };
}

export type Decided =
  | { ok: true; result: Exclude<ChainResult, { outcome: 'hold' }>; version: number | null }
  | { ok: false; error: unknown };

/** run the chain on a request's facts (a handshake-stage block wins); a failing chain is counted as an error */
export function decideRequest(rt: GatewayRuntime, facts: RequestFacts, preBlock?: BlockReason): Decided {
  const active = rt.active;
  const version = active.engine.version;
  let result: ChainResult;
  if (preBlock) result = { outcome: 'block', tags: { categories: preBlock.categories ?? [] }, reason: preBlock, stage: 'handshake' };
  else {
    try {
      result = rt.decide(facts, active.engine);
    } catch (error) {
      rt.counters.errors++;
      return { ok: false, error };
    }
  }
  if (result.outcome === 'hold') {
    // every fact is known here, so an undecided evaluation means a policy bug: fail closed
    result = { outcome: 'block', tags: result.tags, reason: { kind: 'default', detail: `undecided: ${result.needs.join(',')}` }, stage: 'policy' };
  }
  return { ok: true, result, version };
}

export async function handleExchange(rt: GatewayRuntime, upstream: Upstream, req: AnyReq, res: AnyRes, t: Target, srcIp: string, preBlock?: BlockReason): Promise<void> {
  const started = performance.now();
  rt.counters.requests++;
  const requestId = rt.requestId();
  const url = targetUrl(t);
  const facts = requestFacts(t, req.method, srcIp, requestId, url);
  // a host the gateway's database does not know: give the console's cloud lookup its (bounded) time
  const cloud = preBlock ? undefined : rt.intel.prefetch?.(t.host);
  if (cloud) await cloud;
  const decided = decideRequest(rt, facts, preBlock);
  if (!decided.ok) {
    rt.log.error({ err: decided.error, requestId }, 'chain failed');
    sendError(res, 500, 'Internal gateway error', requestId);
    return;
  }
  const { result, version } = decided;
  if (result.outcome === 'block') {
    rt.counters.blocked++;
    req.resume();
    sendBlockPage(req, res, result.reason, url, requestId);
    emitOutcome(rt.events, { facts, tags: result.tags, action: 'block', block: result.reason, status: 403, policyVersion: version });
    return;
  }
  await forward(rt, upstream, req, res, t, facts, result.tags, started, version);
}

function forward(rt: GatewayRuntime, upstream: Upstream, req: AnyReq, res: AnyRes, t: Target, facts: RequestFacts, tags: Tags, started: number, version: number | null): Promise<void> {
  const hdrs = req.headers as Record<string, string | string[] | undefined>;
  const cl = hdrs['content-length'];
  const hasBody = cl !== undefined ? cl !== '0' : hdrs['transfer-encoding'] !== undefined || (req.httpVersionMajor === 2 && req.method !== 'GET' && req.method !== 'HEAD' && !(req as http2.Http2ServerRequest).stream?.readableEnded);
  let bytesUp = 0;
  let bytesDown = 0;
  const origin = `${t.scheme}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
  const insecureAllowed = t.scheme === 'https' && tags.profile?.httpsDecryption.blockInvalidCertificates === false;
  const w = res as http.ServerResponse;
  return new Promise<void>((resolve) => {
    let status = 0;
    let done = false;
    let ctl: Dispatcher.DispatchController | null = null;
    const finish = () => {
      if (done) return;
      done = true;
      res.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      // the client went away before the response was complete
      if (!done && ctl && !ctl.aborted) ctl.abort(new Error('client closed'));
    };
    res.once('close', onClose);
    const onDrain = () => ctl?.resume();
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        ctl = c;
        if (done) c.abort(new Error('client closed'));
      },
      onResponseStart(_c, statusCode, headers) {
        if (statusCode < 200) return; // 1xx: the final response follows
        status = statusCode;
        if (res.headersSent || res.destroyed) return;
        w.writeHead(statusCode, forwardResponseHeaders(headers as Record<string, string | string[] | undefined>));
      },
      onResponseData(c, chunk) {
        bytesDown += chunk.length;
        if (res.destroyed) return;
        if (!w.write(chunk)) {
          c.pause();
          res.once('drain', onDrain);
        }
      },
      onResponseEnd() {
        if (!res.destroyed) res.end();
        emitOutcome(rt.events, { facts, tags, action: 'allow', status, bytesUp, bytesDown, durationMs: performance.now() - started, policyVersion: version });
        finish();
      },
      onResponseError(_c, e) {
        if (done) return;
        if (status !== 0) {
          // the response had started: all we can do is cut it
          if (!res.writableEnded) res.destroy();
          rt.log.debug({ err: e, requestId: facts.requestId }, 'response stream aborted');
          emitOutcome(rt.events, { facts, tags, action: 'allow', status, bytesUp, bytesDown, durationMs: performance.now() - started, policyVersion: version });
          return finish();
        }
        const certErr = isCertificateError(e);
        if (certErr) {
          rt.counters.blocked++;
          const reason: BlockReason = { kind: 'certificate', detail: certErr, threat: 'certificate' };
          sendBlockPage(req, res, reason, facts.url ?? origin, facts.requestId);
          emitOutcome(rt.events, { facts, tags, action: 'block', block: reason, status: 403, policyVersion: version });
          return finish();
        }
        rt.counters.errors++;
        const code = (e as { code?: string }).code ?? e.message;
        rt.log.info({ requestId: facts.requestId, origin, code }, 'upstream request failed');
        const st = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 504 : 502;
        if (!res.destroyed) sendError(res, st, `Bad gateway: ${code}`, facts.requestId);
        emitOutcome(rt.events, { facts, tags, action: 'allow', status: st, bytesUp, policyVersion: version });
        finish();
      },
    };
    try {
      upstream.dispatch(
        {
          origin,
          path: t.path,
          method: req.method ?? 'GET',
          headers: forwardRequestHeaders(hdrs, hasBody),
          ...(hasBody ? { body: counted(req as Readable, (n) => (bytesUp += n)) } : {}),
          insecure: insecureAllowed,
        },
        handler,
      );
    } catch (e) {
      handler.onResponseError!(ctl as unknown as Dispatcher.DispatchController, e as Error);
    }
  });
}
