/**
 * A TLS flow (after CONNECT, or on the transparent 443 listener): read the ClientHello, run the
 * chain on SNI, then refuse it at the handshake, tunnel it untouched, or terminate it with a leaf
 * minted for the SNI and hand the decrypted stream to the HTTP/1.1 or HTTP/2 server.
 */
import net from 'node:net';
import type tls from 'node:tls';
import { parseClientHello, MAX_HELLO_BYTES } from '../../tls/client-hello.js';
import { chooseBump } from '../../tls/bump-decision.js';
import type { ChainResult } from '../../chain/runner.js';
import { emitOutcome } from '../../chain/log-events.js';
import type { RequestFacts } from '../../chain/facts.js';
import type { BlockReason } from '../../chain/verdict.js';
import type { GatewayRuntime } from '../../runtime.js';
import type { ProxyLimits } from './limits.js';

export interface TlsFlowTarget {
  /** CONNECT host or original destination; SNI wins for naming when present */
  host?: string;
  port: number;
  dstIp?: string;
}

/** what the decrypted HTTP handlers need to know about the connection */
export interface DecryptedContext {
  host: string;
  port: number;
  srcIp: string;
  sni?: string;
  dstIp?: string;
  /** blocked at handshake level: every request gets the block page */
  preBlock?: BlockReason;
  /** of the handshake-level evaluation (logs of a failed handshake) */
  requestId: string;
  /** the leaf for this host, already minted */
  secureContext: tls.SecureContext;
}

/** the client refused our certificate (pinning, or no tenant CA): bypass the host from now on */
export function onInterceptedHandshakeFailed(rt: GatewayRuntime, ctx: DecryptedContext, err: Error & { code?: string }): void {
  const reason = err.code ?? err.message;
  if (!rt.autoBypass.add(ctx.host, reason)) return;
  rt.log.warn({ host: ctx.host, reason, srcIp: ctx.srcIp }, 'client handshake failed after interception: host bypassed from now on');
  rt.events.emit({
    type: 'access', ts: Date.now(), srcIp: ctx.srcIp, dstPort: ctx.port, protocol: 'tcp', action: 'bypass', host: ctx.host.slice(0, 253),
    categories: [], decrypted: false, requestId: ctx.requestId,
    ...(ctx.dstIp ? { dstIp: ctx.dstIp } : {}),
  });
}

export interface TlsFlowDeps {
  rt: GatewayRuntime;
  limits: ProxyLimits;
  lookup?: net.LookupFunction;
  /** terminate TLS on the socket (ClientHello unshifted) and serve the decrypted requests */
  serveDecrypted(sock: net.Socket, ctx: DecryptedContext): void;
}

/** TLS fatal alert access_denied(49): how a blocked, undecrypted handshake is refused */
const ALERT_ACCESS_DENIED = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x31]);

export function handleTlsFlow(deps: TlsFlowDeps, socket: net.Socket, head: Buffer, target: TlsFlowTarget, srcIp: string): void {
  const { rt, limits } = deps;
  let buf = head;
  let done = false;
  // a client that never sends its ClientHello (slowloris on CONNECT / 443) is cut and logged
  const timer = setTimeout(() => finish(() => reject(`no TLS ClientHello within ${limits.helloTimeoutMs} ms`)), limits.helloTimeoutMs);
  socket.on('error', () => socket.destroy());
  const onData = (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    check();
  };
  const finish = (then: () => void) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.pause();
    then();
  };
  const check = () => {
    if (done) return;
    const hello = parseClientHello(buf);
    if (hello.kind === 'need-more') {
      if (buf.length > MAX_HELLO_BYTES) finish(() => reject('ClientHello too large'));
      return;
    }
    if (hello.kind === 'invalid') return finish(() => reject(hello.error));
    const sni = hello.kind === 'hello' ? hello.sni : undefined;
    const alpn = hello.kind === 'hello' ? hello.alpn : [];
    finish(() => decide(hello.kind === 'hello', sni, alpn));
  };
  const reject = (why: string) => {
    rt.counters.badRequests++;
    rt.log.info({ srcIp, why }, 'bad TLS ClientHello');
    const host = (target.host ?? target.dstIp ?? '').slice(0, 253);
    rt.events.emit({ type: 'access', ts: Date.now(), srcIp, dstPort: target.port, protocol: 'tcp', action: 'block', host, categories: [], ...(target.dstIp ? { dstIp: target.dstIp } : {}) });
    socket.destroy();
  };

  const decide = (isTls: boolean, sni: string | undefined, alpn: string[]) => {
    const host = sni ?? target.host ?? target.dstIp;
    if (!host) return reject('no SNI and no original destination');
    const active = rt.active;
    const haveCa = active.leaves !== null;
    const canDecrypt = isTls && haveCa && active.engine.decryptionWanted;
    const facts: RequestFacts = {
      requestId: rt.requestId(),
      srcIp,
      dstPort: target.port,
      host,
      scheme: 'https',
      decrypted: false,
      stage: canDecrypt ? 'l4' : 'l7',
      ...(target.dstIp ? { dstIp: target.dstIp } : {}),
      ...(sni ? { sni } : {}),
      ...(alpn[0] ? { alpn: alpn[0] } : {}),
    };
    let result: ChainResult;
    try {
      result = rt.decide(facts, active.engine);
      if (result.outcome === 'hold' && !canDecrypt) result = rt.decide({ ...facts, stage: 'l7' }, active.engine);
    } catch (e) {
      rt.counters.errors++;
      rt.log.error({ err: e }, 'chain failed on TLS flow');
      socket.destroy();
      return;
    }
    const version = active.engine.version;
    if (result.outcome === 'block') {
      rt.counters.blocked++;
      if (canDecrypt) return decrypt(host, facts, result.reason);
      // refused at the handshake: nothing reaches the origin
      emitOutcome(rt.events, { facts, tags: result.tags, action: 'block', block: result.reason, policyVersion: version });
      if (isTls) socket.end(ALERT_ACCESS_DENIED);
      else socket.destroy();
      return;
    }
    if (result.outcome === 'hold') {
      // the URL or application may still decide: pick decryption with the SNI-level decision,
      // then every request is evaluated again with its URL
      const sniLevel = rt.decide({ ...facts, stage: 'l7' }, active.engine);
      if (sniLevel.outcome !== 'allow') return decrypt(host, facts);
      result = sniLevel;
    }
    const choice = isTls ? chooseBump(host, result.tags, result.tags.profile, { haveCa, autoBypassed: rt.autoBypass.has(host) }) : ({ decrypt: false, why: 'off' } as const);
    if (choice.decrypt) return decrypt(host, facts);
    tunnel(facts, result, choice.why === 'off' ? 'allow' : 'bypass');
  };

  const tunnel = (facts: RequestFacts, result: ChainResult, action: 'allow' | 'bypass') => {
    rt.counters.tunnels++;
    const started = performance.now();
    const connectHost = target.dstIp ?? target.host ?? facts.host;
    const up = net.connect({ host: connectHost, port: target.port, ...(deps.lookup ? { lookup: deps.lookup } : {}) });
    let bytesUp = buf.length;
    let bytesDown = 0;
    up.setNoDelay(true);
    socket.setNoDelay(true);
    up.setTimeout(limits.idleTimeoutMs, () => up.destroy());
    socket.setTimeout(limits.idleTimeoutMs, () => socket.destroy());
    up.write(buf);
    socket.on('data', (c: Buffer) => {
      bytesUp += c.length;
      if (!up.write(c)) socket.pause();
    });
    up.on('drain', () => socket.resume());
    up.on('data', (c: Buffer) => {
      bytesDown += c.length;
      if (!socket.write(c)) up.pause();
    });
    socket.on('drain', () => up.resume());
    socket.on('end', () => up.end());
    up.on('end', () => socket.end());
    let logged = false;
    const close = () => {
      socket.destroy();
      up.destroy();
      if (logged) return;
      logged = true;
      emitOutcome(rt.events, { facts, tags: result.tags, action, bytesUp, bytesDown, durationMs: performance.now() - started, policyVersion: rt.active.engine.version });
    };
    up.on('error', close);
    up.on('close', close);
    socket.on('close', close);
    socket.resume();
  };

  const decrypt = (host: string, facts: RequestFacts, preBlock?: BlockReason) => {
    const leaves = rt.active.leaves;
    if (!leaves) return socket.destroy();
    rt.counters.decrypted++;
    leaves.get(host).then(
      (secureContext) => {
        socket.unshift(buf);
        deps.serveDecrypted(socket, {
          host,
          port: target.port,
          srcIp,
          requestId: facts.requestId,
          secureContext,
          ...(facts.sni ? { sni: facts.sni } : {}),
          ...(target.dstIp ? { dstIp: target.dstIp } : {}),
          ...(preBlock ? { preBlock } : {}),
        });
      },
      (e: unknown) => {
        rt.counters.errors++;
        rt.log.error({ err: e, host }, 'leaf certificate mint failed');
        socket.destroy();
      },
    );
  };

  socket.on('data', onData);
  if (buf.length) check();
  socket.resume();
}
