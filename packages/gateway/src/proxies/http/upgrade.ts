/**
 * WebSocket through the proxy: an HTTP/1.1 Upgrade request (explicit absolute-form, transparent,
 * or inside a decrypted TLS connection) is evaluated by the chain like any request; when allowed,
 * the handshake is forwarded to the origin on a fresh connection (TLS verified like every other
 * upstream request) and, from then on, bytes are relayed both ways until either side closes.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { emitOutcome } from '../../chain/log-events.js';
import { pickLanguage, renderBlockPage } from '../../chain/block-page.js';
import type { BlockReason } from '../../chain/verdict.js';
import type { GatewayRuntime } from '../../runtime.js';
import { decideRequest, requestFacts, targetUrl, headerString, type Target } from './exchange.js';
import { isCertificateError, type Upstream } from './upstream.js';
import type { ProxyLimits } from './limits.js';

/** request headers never forwarded on an upgrade (proxy-only and hop-by-hop except the upgrade pair) */
const DROP = new Set(['proxy-connection', 'proxy-authorization', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'host', 'connection', 'upgrade']);

export function isWebSocketUpgrade(req: http.IncomingMessage): boolean {
  return (headerString(req.headers.upgrade) ?? '').toLowerCase().split(',').some((p) => p.trim() === 'websocket');
}

export function rawResponse(socket: Duplex, status: number, body: string, extra: Record<string, string> = {}, contentType = 'text/plain; charset=utf-8'): void {
  const head = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}`, `content-type: ${contentType}`, `content-length: ${Buffer.byteLength(body)}`, 'connection: close', ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`)];
  if (socket.writable) socket.end(head.join('\r\n') + '\r\n\r\n' + body);
  else socket.destroy();
}

function blockRaw(req: http.IncomingMessage, socket: Duplex, reason: BlockReason, url: string, requestId: string): void {
  const body = renderBlockPage(reason, { url, requestId, lang: pickLanguage(headerString(req.headers['accept-language'])) });
  rawResponse(socket, 403, body, { 'x-mamori-request-id': requestId, 'x-mamori-block-reason': reason.kind, 'cache-control': 'no-store' }, 'text/html; charset=utf-8');
}

export interface UpgradeDeps {
  rt: GatewayRuntime;
  upstream: Upstream;
  limits: ProxyLimits;
}

export async function handleUpgrade(deps: UpgradeDeps, req: http.IncomingMessage, client: Duplex, head: Buffer, t: Target, srcIp: string, preBlock?: BlockReason): Promise<void> {
  const { rt, upstream, limits } = deps;
  client.on('error', () => client.destroy());
  rt.counters.requests++;
  const requestId = rt.requestId();
  const url = targetUrl(t);
  const facts = requestFacts(t, req.method, srcIp, requestId, url);
  const decided = await decideRequest(rt, facts, preBlock);
  if (client.destroyed) return;
  if (!decided.ok) {
    rt.log.error({ err: decided.error, requestId }, 'chain failed on upgrade');
    rawResponse(client, 500, `500 Internal gateway error\nrequest id: ${requestId}\n`);
    return;
  }
  const { result, version } = decided;
  if (result.outcome === 'block') {
    rt.counters.blocked++;
    blockRaw(req, client, result.reason, url, requestId);
    emitOutcome(rt.events, { facts, tags: result.tags, action: 'block', block: result.reason, status: 403, policyVersion: version });
    return;
  }
  const tags = result.tags;
  const started = performance.now();
  const connectHost = t.dstIp ?? t.host;
  const lookup = upstream.opts.lookup;
  let up: net.Socket;
  if (t.scheme === 'https') {
    const insecure = tags.profile?.httpsDecryption.blockInvalidCertificates === false;
    up = tls.connect({
      host: connectHost,
      port: t.port,
      ALPNProtocols: ['http/1.1'],
      ...(net.isIP(t.sni ?? t.host) ? {} : { servername: t.sni ?? t.host }),
      ...(upstream.secureContext && !insecure ? { secureContext: upstream.secureContext } : {}),
      ...(insecure ? { rejectUnauthorized: false } : {}),
      ...(lookup ? { lookup } : {}),
    });
  } else {
    up = net.connect({ host: connectHost, port: t.port, ...(lookup ? { lookup } : {}) });
  }
  let status = 0;
  let bytesUp = 0;
  let bytesDown = 0;
  let connected = false;
  let logged = false;
  const log = (action: 'allow' | 'block', st: number, block?: BlockReason) => {
    if (logged) return;
    logged = true;
    emitOutcome(rt.events, { facts, tags, action, status: st, bytesUp, bytesDown, durationMs: performance.now() - started, policyVersion: version, ...(block ? { block } : {}) });
  };
  const timer = setTimeout(() => up.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })), upstream.opts.connectTimeoutMs ?? 10_000);
  client.once('close', () => {
    if (!connected) up.destroy();
  });
  if ('setTimeout' in client && typeof client.setTimeout === 'function') (client as net.Socket).setTimeout(limits.idleTimeoutMs, () => client.destroy());
  up.once(t.scheme === 'https' ? 'secureConnect' : 'connect', () => {
    clearTimeout(timer);
    connected = true;
    const lines = [`${req.method ?? 'GET'} ${t.path} HTTP/1.1`, `host: ${headerString(req.headers.host) ?? hostHeader(t)}`, 'connection: Upgrade', `upgrade: ${headerString(req.headers.upgrade) ?? 'websocket'}`];
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) if (!DROP.has(raw[i]!.toLowerCase())) lines.push(`${raw[i]}: ${raw[i + 1]}`);
    up.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) {
      bytesUp += head.length;
      up.write(head);
    }
    up.setTimeout(limits.idleTimeoutMs, () => up.destroy());
    relay();
  });
  up.on('error', (e: Error & { code?: string }) => {
    clearTimeout(timer);
    if (connected) return;
    const certErr = isCertificateError(e);
    if (certErr) {
      rt.counters.blocked++;
      const reason: BlockReason = { kind: 'certificate', detail: certErr, threat: 'certificate' };
      blockRaw(req, client, reason, url, requestId);
      return log('block', 403, reason);
    }
    rt.counters.errors++;
    const code = e.code ?? e.message;
    rt.log.info({ requestId, code }, 'upstream upgrade failed');
    const st = code === 'ETIMEDOUT' ? 504 : 502;
    rawResponse(client, st, `${st} Bad gateway: ${code}\nrequest id: ${requestId}\n`, { 'x-mamori-request-id': requestId });
    log('allow', st);
  });
  const relay = () => {
    up.on('data', (c: Buffer) => {
      if (status === 0 && bytesDown === 0) {
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(c.subarray(0, 16).toString('latin1'));
        status = m ? Number(m[1]) : 0;
      }
      bytesDown += c.length;
      if (!client.write(c)) up.pause();
    });
    client.on('drain', () => up.resume());
    client.on('data', (c: Buffer) => {
      bytesUp += c.length;
      if (!up.write(c)) client.pause();
    });
    up.on('drain', () => client.resume());
    client.on('end', () => up.end());
    up.on('end', () => client.end());
    const close = () => {
      client.destroy();
      up.destroy();
      log('allow', status || 502);
    };
    up.on('close', close);
    client.on('close', close);
    client.resume();
  };
}

function hostHeader(t: Target): string {
  const h = t.host.includes(':') ? `[${t.host}]` : t.host;
  const def = (t.scheme === 'http' && t.port === 80) || (t.scheme === 'https' && t.port === 443);
  return def ? h : `${h}:${t.port}`;
}
