/**
 * The DNS filter: a forwarder on UDP and TCP that applies the block list, URL categories and
 * C&C protection of the active policy to every queried name, answers blocked names with a
 * sinkhole address, logs them, and reports every forwarded A/AAAA answer (for FQDN sets).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { runChain, type Stage } from '../chain/runner.js';
import { classify } from '../chain/stages/classify.js';
import { policy } from '../chain/stages/policy.js';
import { cnc } from '../chain/stages/cnc.js';
import { emitOutcome } from '../chain/log-events.js';
import type { RequestFacts } from '../chain/facts.js';
import type { GatewayRuntime } from '../runtime.js';

export interface DnsFilterOptions {
  /** resolvers to forward to (first one used; the next on timeout) */
  upstreams: Array<{ host: string; port: number }>;
  sinkholeV4?: string;
  sinkholeV6?: string;
  timeoutMs?: number;
  /** every forwarded answer: the name (question or CNAME target), its addresses and TTL */
  onAnswer?: (name: string, ips: string[], ttl: number) => void | Promise<void>;
  /** largest TCP message accepted from a client */
  maxTcpMessage?: number;
  tcpIdleMs?: number;
}

const DNS_STAGES: readonly Stage[] = [classify, policy, cnc];
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3 } as const;

export interface DnsCounters {
  queries: number;
  blocked: number;
  malformed: number;
  upstreamFailures: number;
}

export class DnsFilter {
  readonly counters: DnsCounters = { queries: 0, blocked: 0, malformed: 0, upstreamFailures: 0 };
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private readonly opts: Required<Omit<DnsFilterOptions, 'onAnswer'>> & Pick<DnsFilterOptions, 'onAnswer'>;
  private readonly tcpConns = new Set<net.Socket>();

  constructor(
    private readonly rt: GatewayRuntime,
    opts: DnsFilterOptions,
  ) {
    if (opts.upstreams.length === 0) throw new Error('DNS filter needs at least one upstream resolver');
    this.opts = { sinkholeV4: '0.0.0.0', sinkholeV6: '::', timeoutMs: 3000, maxTcpMessage: 65535, tcpIdleMs: 10_000, ...opts };
  }

  /**
   * listen on UDP and TCP on the same port (0: one ephemeral port for both). `::` listens
   * dual-stack (IPv6 and IPv4 on one socket each); where the host has no IPv6, it falls back to
   * 0.0.0.0 and says so in the log.
   */
  async listen(port: number, host = '127.0.0.1'): Promise<{ port: number; host: string }> {
    if (host === '::') {
      try {
        return await this.listenOn(port, '::');
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw e;
        this.rt.log.warn({ code }, 'no IPv6 on this host: the DNS filter listens on IPv4 only');
        return this.listenOn(port, '0.0.0.0');
      }
    }
    return this.listenOn(port, host);
  }

  private async listenOn(port: number, host: string): Promise<{ port: number; host: string }> {
    const tcp = net.createServer((s) => this.onTcp(s));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ port, host, ...(host === '::' ? { ipv6Only: false } : {}) }, () => resolve());
    });
    const bound = (tcp.address() as net.AddressInfo).port;
    const udp = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4', ...(host === '::' ? { ipv6Only: false } : {}) });
    udp.on('message', (msg, rinfo) => {
      void this.answer(msg, clientIp(rinfo.address), 'udp').then((out) => {
        if (out) udp.send(out, rinfo.port, rinfo.address);
      });
    });
    udp.on('error', (e) => this.rt.log.error({ err: e }, 'DNS UDP socket error'));
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(bound, host, () => resolve());
      });
    } catch (e) {
      tcp.close();
      throw e;
    }
    this.udp = udp;
    this.tcp = tcp;
    return { port: bound, host };
  }

  private onTcp(s: net.Socket): void {
    this.tcpConns.add(s);
    s.on('close', () => this.tcpConns.delete(s));
    s.on('error', () => s.destroy());
    s.setTimeout(this.opts.tcpIdleMs, () => s.destroy());
    let buf = Buffer.alloc(0);
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (len === 0 || len > this.opts.maxTcpMessage) {
          this.counters.malformed++;
          s.destroy();
          return;
        }
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void this.answer(msg, clientIp(s.remoteAddress ?? '0.0.0.0'), 'tcp').then((out) => {
          if (out && s.writable) {
            const lenBuf = Buffer.alloc(2);
            lenBuf.writeUInt16BE(out.length);
            s.write(Buffer.concat([lenBuf, out]));
          }
        });
      }
    });
  }

  /** the reply to one query message, or null when it must be dropped */
  async answer(msg: Buffer, srcIp: string, transport: 'udp' | 'tcp'): Promise<Buffer | null> {
    let q: dnsPacket.DecodedPacket;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      this.counters.malformed++;
      this.rt.log.info({ srcIp }, 'malformed DNS message');
      // answer FORMERR when at least the id is there
      return msg.length >= 2 ? dnsPacket.encode({ type: 'response', id: msg.readUInt16BE(0), flags: RCODE.FORMERR }) : null;
    }
    if (q.type !== 'query' || !q.questions || q.questions.length !== 1) {
      this.counters.malformed++;
      return dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: RCODE.FORMERR, questions: q.questions ?? [] });
    }
    this.counters.queries++;
    const question = q.questions[0]!;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    const blocked = this.check(name, srcIp, transport);
    if (blocked) {
      this.counters.blocked++;
      return this.sinkhole(q, question);
    }
    try {
      const reply = await this.forward(msg, transport);
      this.report(reply);
      return reply;
    } catch (e) {
      this.counters.upstreamFailures++;
      this.rt.log.info({ err: e, name }, 'DNS upstream failed');
      return dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | RCODE.SERVFAIL, questions: q.questions });
    }
  }

  private check(name: string, srcIp: string, transport: 'udp' | 'tcp'): boolean {
    if (!name || name.length > 253) return false;
    const facts: RequestFacts = { requestId: this.rt.requestId(), srcIp, dstPort: 443, host: name, scheme: 'https', decrypted: false, stage: 'l7' };
    const active = this.rt.active;
    let r;
    try {
      r = runChain(facts, { policy: active.engine, intel: this.rt.intel }, DNS_STAGES);
    } catch (e) {
      this.rt.log.error({ err: e }, 'chain failed on DNS query');
      return false;
    }
    if (r.outcome !== 'block') return false;
    emitOutcome(this.rt.events, { facts: { ...facts, dstPort: 53 }, tags: r.tags, action: 'block', block: r.reason, policyVersion: active.engine.version, protocol: transport });
    return true;
  }

  private sinkhole(q: dnsPacket.DecodedPacket, question: dnsPacket.Question): Buffer {
    const answers: dnsPacket.Answer[] = [];
    if (question.type === 'A') answers.push({ type: 'A', name: question.name, ttl: 60, data: this.opts.sinkholeV4 });
    if (question.type === 'AAAA') answers.push({ type: 'AAAA', name: question.name, ttl: 60, data: this.opts.sinkholeV6 });
    return dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | RCODE.NOERROR,
      questions: [question],
      answers,
    });
  }

  private async forward(msg: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer> {
    let last: unknown;
    for (const up of this.opts.upstreams) {
      try {
        const reply = transport === 'udp' ? await this.forwardUdp(msg, up) : await this.forwardTcp(msg, up);
        return reply;
      } catch (e) {
        last = e;
      }
    }
    throw last instanceof Error ? last : new Error('no upstream answered');
  }

  private forwardUdp(msg: Buffer, up: { host: string; port: number }): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = dgram.createSocket(net.isIPv6(up.host) ? 'udp6' : 'udp4');
      const timer = setTimeout(() => {
        sock.close();
        reject(new Error(`DNS upstream ${up.host}:${up.port} timed out`));
      }, this.opts.timeoutMs);
      sock.on('message', (reply) => {
        if (reply.length < 2 || reply.readUInt16BE(0) !== msg.readUInt16BE(0)) return;
        clearTimeout(timer);
        sock.close();
        resolve(reply);
      });
      sock.on('error', (e) => {
        clearTimeout(timer);
        sock.close();
        reject(e);
      });
      sock.send(msg, up.port, up.host);
    });
  }

  private forwardTcp(msg: Buffer, up: { host: string; port: number }): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const s = net.connect(up.port, up.host);
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`DNS upstream ${up.host}:${up.port} timed out`));
      }, this.opts.timeoutMs);
      s.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(msg.length);
        s.write(Buffer.concat([len, msg]));
      });
      s.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          clearTimeout(timer);
          s.destroy();
          resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        }
      });
      s.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** A/AAAA addresses per name, following the CNAME chain, to the onAnswer hook */
  private report(reply: Buffer): void {
    const hook = this.opts.onAnswer;
    if (!hook) return;
    let r: dnsPacket.DecodedPacket;
    try {
      r = dnsPacket.decode(reply);
    } catch {
      return;
    }
    const byName = new Map<string, { ips: string[]; ttl: number }>();
    const aliases = new Map<string, string>(); // target -> alias
    for (const a of r.answers ?? []) {
      const n = a.name.toLowerCase().replace(/\.$/, '');
      if (a.type === 'CNAME') aliases.set(String(a.data).toLowerCase().replace(/\.$/, ''), n);
      if (a.type === 'A' || a.type === 'AAAA') {
        const e = byName.get(n) ?? { ips: [], ttl: a.ttl ?? 0 };
        e.ips.push(String(a.data));
        e.ttl = Math.min(e.ttl, a.ttl ?? 0);
        byName.set(n, e);
      }
    }
    for (const [n, e] of [...byName]) {
      // the addresses of a CNAME target belong to every alias in front of it
      let alias = aliases.get(n);
      for (let hops = 0; alias !== undefined && hops < 16; hops++) {
        byName.set(alias, e);
        alias = aliases.get(alias);
      }
    }
    for (const [n, e] of byName) {
      Promise.resolve(hook(n, e.ips, e.ttl)).catch((err: unknown) => this.rt.log.info({ err, name: n }, 'DNS answer hook failed'));
    }
  }

  async close(): Promise<void> {
    for (const s of this.tcpConns) s.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }
}

/** an IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d: log and match it as a.b.c.d */
function clientIp(addr: string): string {
  return addr.startsWith('::ffff:') && net.isIPv4(addr.slice(7)) ? addr.slice(7) : addr;
}
