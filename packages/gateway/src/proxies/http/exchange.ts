/**
 * One HTTP exchange through the chain: evaluate with the L7 facts, answer with the block page or
 * forward to the origin and stream the response back, then log. Used for explicit (absolute-form),
 * transparent (Host) and decrypted (HTTP/1.1 and HTTP/2) requests alike.
 */
import type http from 'node:http';
import crypto from 'node:crypto';
import net from 'node:net';
import type http2 from 'node:http2';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ChainResult } from '../../chain/runner.js';
import { pickLanguage, renderBlockPage } from '../../chain/block-page.js';
import { emitOutcome } from '../../chain/log-events.js';
import type { RequestFacts } from '../../chain/facts.js';
import type { BlockReason, Tags } from '../../chain/verdict.js';
import type { GatewayRuntime } from '../../runtime.js';
import { isScannableDownload } from '../../chain/file-reputation.js';
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

/**
 * run the chain on a request's facts (a handshake-stage block wins); a failing chain is counted
 * as an error. A host the gateway's database does not know first gets the console's cloud lookup
 * its (bounded) time, for plain requests and upgrades alike.
 */
export async function decideRequest(rt: GatewayRuntime, facts: RequestFacts, preBlock?: BlockReason): Promise<Decided> {
  const cloud = preBlock ? undefined : rt.intel.prefetch?.(facts.host);
  if (cloud) await cloud;
  return decideNow(rt, facts, preBlock);
}

/** as decideRequest, without a promise when no cloud lookup is out for the host (the data path's common case) */
export function decideRequestSoon(rt: GatewayRuntime, facts: RequestFacts, preBlock?: BlockReason): Decided | Promise<Decided> {
  const cloud = preBlock ? undefined : rt.intel.prefetch?.(facts.host);
  if (cloud) return cloud.then(() => decideNow(rt, facts, preBlock));
  return decideNow(rt, facts, preBlock);
}

function decideNow(rt: GatewayRuntime, facts: RequestFacts, preBlock: BlockReason | undefined): Decided {
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

/** `scanMaxBytes`: downloads up to this size are hashed and checked before they are passed on (0: off) */
export async function handleExchange(rt: GatewayRuntime, upstream: Upstream, req: AnyReq, res: AnyRes, t: Target, srcIp: string, preBlock?: BlockReason, scanMaxBytes = 0): Promise<void> {
  const started = performance.now();
  rt.counters.requests++;
  const requestId = rt.requestId();
  const url = targetUrl(t);
  const facts = requestFacts(t, req.method, srcIp, requestId, url);
  const decided = await decideRequest(rt, facts, preBlock);
  if (!decided.ok) {
    rt.log.error({ err: decided.error, requestId }, 'chain failed');
    sendError(res, 500, 'Internal gateway error', requestId);
    return;
  }
  const { result, version } = decided;
  if (result.outcome !== 'block' && t.dstIp && !(await hostMatchesDestination(rt, upstream, t, facts))) {
    rt.counters.blocked++;
    req.resume();
    sendError(res, 409, 'Conflict: the Host does not resolve to the address the connection was sent to', requestId);
    emitOutcome(rt.events, { facts, tags: result.tags, action: 'block', status: 409, policyVersion: version });
    return;
  }
  if (result.outcome === 'block') {
    rt.counters.blocked++;
    req.resume();
    sendBlockPage(req, res, result.reason, url, requestId);
    emitOutcome(rt.events, { facts, tags: result.tags, action: 'block', block: result.reason, status: 403, policyVersion: version });
    return;
  }
  await forward(rt, upstream, req, res, t, facts, result.tags, started, version, scanMaxBytes);
}

/**
 * a transparent flow goes to its original destination whatever Host/SNI say; whether the name
 * resolves there is checked (Squid's host verification): a mismatch is logged and, with
 * hostVerifyStrict, refused. Without strict mode the check does not hold the request up.
 */
export async function hostMatchesDestination(rt: GatewayRuntime, upstream: Upstream, t: Target, facts: RequestFacts): Promise<boolean> {
  const dstIp = t.dstIp!;
  const check = upstream.hostVerifier.verify(t.host, dstIp).then((v) => {
    if (!v.ok) {
      rt.counters.hostMismatches++;
      const notLogged = upstream.hostVerifier.report(t.host, dstIp);
      if (notLogged !== undefined) rt.log.warn({ requestId: facts.requestId, host: t.host, dstIp, resolved: v.resolved, notLoggedSinceLast: notLogged }, 'Host/SNI does not resolve to the original destination: sent to the original destination');
    }
    return v.ok;
  });
  if (!upstream.opts.hostVerifyStrict) return true;
  return check;
}

function forward(rt: GatewayRuntime, upstream: Upstream, req: AnyReq, res: AnyRes, t: Target, facts: RequestFacts, tags: Tags, started: number, version: number | null, scanMaxBytes: number): Promise<void> {
  const hdrs = req.headers as Record<string, string | string[] | undefined>;
  const cl = hdrs['content-length'];
  const hasBody = cl !== undefined ? cl !== '0' : hdrs['transfer-encoding'] !== undefined || (req.httpVersionMajor === 2 && req.method !== 'GET' && req.method !== 'HEAD' && !(req as http2.Http2ServerRequest).stream?.readableEnded);
  let bytesUp = 0;
  let bytesDown = 0;
  // a known original destination (transparent flows, CONNECT to an address) is where the
  // connection goes; Host and SNI keep naming the site. Otherwise the name is resolved.
  const connectTo = t.dstIp ?? t.host;
  const origin = `${t.scheme}://${connectTo.includes(':') ? `[${connectTo}]` : connectTo}:${t.port}`;
  const headers = forwardRequestHeaders(hdrs, hasBody);
  let servername: string | undefined;
  if (t.dstIp) {
    headers['host'] = headerString(hdrs['host']) ?? headerString(hdrs[':authority']) ?? (defaultPort(t.scheme, t.port) ? t.host : `${t.host}:${t.port}`);
    const name = t.sni ?? t.host;
    if (t.scheme === 'https' && !net.isIP(name)) servername = name;
  }
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
    // a download being held for its file-hash check: nothing reaches the client until the verdict
    let held: { headers: Record<string, string | string[]>; chunks: Buffer[]; size: number; hash: crypto.Hash } | null = null;
    const release = (h: NonNullable<typeof held>) => {
      if (res.destroyed) return;
      w.writeHead(status, h.headers);
      for (const c of h.chunks) w.write(c);
    };
    const finishHeld = async (h: NonNullable<typeof held>) => {
      const sha256 = h.hash.digest('hex');
      const check = await rt.files.check(sha256);
      if (check.malicious) {
        rt.counters.blocked++;
        const reason: BlockReason = { kind: 'file', detail: sha256, threat: 'malware', ...(check.name ? { entry: check.name } : {}) };
        rt.log.warn({ requestId: facts.requestId, url: facts.url, sha256, source: check.source }, 'malicious file blocked');
        sendBlockPage(req, res, reason, facts.url ?? origin, facts.requestId);
        emitOutcome(rt.events, { facts, tags, action: 'block', block: reason, status: 403, bytesUp, bytesDown, durationMs: performance.now() - started, policyVersion: version });
        return;
      }
      release(h);
      if (!res.destroyed) res.end();
      emitOutcome(rt.events, { facts, tags, action: 'allow', status, bytesUp, bytesDown, durationMs: performance.now() - started, policyVersion: version });
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        ctl = c;
        if (done) c.abort(new Error('client closed'));
      },
      onResponseStart(_c, statusCode, headers) {
        if (statusCode < 200) return; // 1xx: the final response follows
        status = statusCode;
        if (res.headersSent || res.destroyed) return;
        const out = forwardResponseHeaders(headers as Record<string, string | string[] | undefined>);
        if (scanMaxBytes > 0 && isScannableDownload(req.method ?? 'GET', statusCode, out, scanMaxBytes)) {
          held = { headers: out, chunks: [], size: 0, hash: crypto.createHash('sha256') };
          return;
        }
        w.writeHead(statusCode, out);
      },
      onResponseData(c, chunk) {
        bytesDown += chunk.length;
        if (res.destroyed) return;
        if (held) {
          held.hash.update(chunk);
          held.chunks.push(chunk);
          held.size += chunk.length;
          if (held.size <= scanMaxBytes) return;
          // larger than announced (or not announced): too big to hold, it streams on unchecked
          rt.log.info({ requestId: facts.requestId, url: facts.url, bytes: held.size }, 'download larger than the file-scan limit: passed on unchecked');
          const h = held;
          held = null;
          release(h);
          return;
        }
        if (!w.write(chunk)) {
          c.pause();
          res.once('drain', onDrain);
        }
      },
      onResponseEnd() {
        if (held) {
          const h = held;
          held = null;
          void finishHeld(h)
            .catch((e: unknown) => {
              rt.counters.errors++;
              rt.log.error({ err: e, requestId: facts.requestId }, 'file check failed');
              if (!res.headersSent) sendError(res, 500, 'Internal gateway error', facts.requestId);
              else res.destroy();
            })
            .finally(finish);
          return;
        }
        if (!res.destroyed) res.end();
        emitOutcome(rt.events, { facts, tags, action: 'allow', status, bytesUp, bytesDown, durationMs: performance.now() - started, policyVersion: version });
        finish();
      },
      onResponseError(_c, e) {
        if (done) return;
        held = null; // a download cut before its end is never passed on
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
          headers,
          ...(hasBody ? { body: counted(req as Readable, (n) => (bytesUp += n)) } : {}),
          insecure: insecureAllowed,
          ...(servername ? { servername } : {}),
        },
        handler,
      );
    } catch (e) {
      handler.onResponseError!(ctl as unknown as Dispatcher.DispatchController, e as Error);
    }
  });
}
