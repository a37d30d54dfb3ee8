import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { DnsFilter } from './dns-filter.js';
import { GatewayRuntime, MemorySink } from '../runtime.js';
import { compileEngine } from '../chain/compiled-engine.js';
import { staticIntel } from '../chain/static-intel.js';
import { testPolicy } from '../test-support/gateway.js';

/** a resolver on loopback that answers every A query with a CNAME chain to 203.0.113.7 */
async function startFakeResolver(): Promise<{ port: number; queries: string[]; close(): void }> {
  const queries: string[] = [];
  const sock = dgram.createSocket('udp4');
  const reply = (msg: Buffer): Buffer => {
    const q = dnsPacket.decode(msg);
    const name = q.questions![0]!.name;
    queries.push(name);
    return dnsPacket.encode({
      type: 'response', id: q.id ?? 0, flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions ?? [],
      answers: [
        { type: 'CNAME', name, ttl: 300, data: `edge.${name}` },
        { type: 'A', name: `edge.${name}`, ttl: 120, data: '203.0.113.7' },
      ],
    });
  };
  sock.on('message', (m, r) => sock.send(reply(m), r.port, r.address));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const port = (sock.address() as net.AddressInfo).port;
  const tcp = net.createServer((s) => s.on('data', (d: Buffer) => {
    const out = reply(d.subarray(2));
    const len = Buffer.alloc(2);
    len.writeUInt16BE(out.length);
    s.end(Buffer.concat([len, out]));
  }));
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', r));
  return { port, queries, close: () => { sock.close(); tcp.close(); } };
}

function udpQuery(port: number, msg: Buffer, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const t = setTimeout(() => { s.close(); reject(new Error('timeout')); }, 3000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(msg, port, host);
  });
}

function tcpQuery(port: number, msg: Buffer, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host);
    let buf = Buffer.alloc(0);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(msg.length);
    s.write(Buffer.concat([len, msg]));
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { s.destroy(); resolve(buf.subarray(2)); }
    });
    s.on('error', reject);
  });
}

const query = (name: string, type: 'A' | 'AAAA' = 'A', id = 42) => dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });

const dataOf = (a: dnsPacket.Answer | undefined): unknown => (a && 'data' in a ? a.data : undefined);

let resolver: Awaited<ReturnType<typeof startFakeResolver>>;
let filter: DnsFilter;
let rt: GatewayRuntime;
let sink: MemorySink;
let port: number;
const answers: Array<[string, string[], number]> = [];

beforeAll(async () => {
  resolver = await startFakeResolver();
  const intel = staticIntel({ categories: { 'malware.test': ['malware'] }, cnc: ['*.botnet.test'] });
  sink = new MemorySink();
  rt = new GatewayRuntime({ engine: compileEngine(testPolicy((p) => { p.blockList = [{ value: '*.ads.test' }]; }), 3, intel), leaves: null }, intel, sink);
  filter = new DnsFilter(rt, { upstreams: [{ host: '127.0.0.1', port: resolver.port }], onAnswer: (n, ips, ttl) => void answers.push([n, ips, ttl]) });
  port = (await filter.listen(0)).port;
});
afterAll(async () => {
  await filter.close();
  resolver.close();
});

describe('DNS filter', () => {
  it('forwards allowed names over UDP and TCP and reports the answers with their CNAME aliases', async () => {
    const r = dnsPacket.decode(await udpQuery(port, query('www.example.test')));
    expect(r.id).toBe(42);
    expect(dataOf(r.answers?.find((a) => a.type === 'A'))).toBe('203.0.113.7');
    const t = dnsPacket.decode(await tcpQuery(port, query('tcp.example.test', 'A', 7)));
    expect(t.id).toBe(7);
    expect(dataOf(t.answers?.find((a) => a.type === 'A'))).toBe('203.0.113.7');
    expect(answers).toContainEqual(['www.example.test', ['203.0.113.7'], 120]);
    expect(answers).toContainEqual(['edge.www.example.test', ['203.0.113.7'], 120]);
  });

  it('sinkholes block-list, category and C&C names without asking upstream, and logs them', async () => {
    const before = resolver.queries.length;
    for (const [name, type] of [['x.ads.test', 'A'], ['malware.test', 'A'], ['c2.botnet.test', 'AAAA']] as const) {
      const r = dnsPacket.decode(await udpQuery(port, query(name, type)));
      expect(dataOf(r.answers?.[0])).toBe(type === 'A' ? '0.0.0.0' : '::');
    }
    expect(resolver.queries.length).toBe(before);
    expect(sink.events.find((e) => e.type === 'policy' && e.listEntry === '*.ads.test')).toMatchObject({ dstPort: 53 });
    expect(sink.events.find((e) => e.type === 'security' && e.threatType === 'cnc')).toMatchObject({ host: 'c2.botnet.test', signature: '*.botnet.test' });
    expect(filter.counters.blocked).toBe(3);
  });

  it('logs the transport of each query: udp for UDP, tcp for TCP', async () => {
    const n = sink.events.length;
    dnsPacket.decode(await udpQuery(port, query('u.ads.test')));
    dnsPacket.decode(await tcpQuery(port, query('t.ads.test')));
    const evs = sink.events.slice(n).filter((e) => e.type === 'access');
    expect(evs.find((e) => e.host === 'u.ads.test')).toMatchObject({ protocol: 'udp', dstPort: 53, action: 'block', srcIp: '127.0.0.1' });
    expect(evs.find((e) => e.host === 't.ads.test')).toMatchObject({ protocol: 'tcp', dstPort: 53, action: 'block', srcIp: '127.0.0.1' });
    expect(sink.events.slice(n).find((e) => e.type === 'policy' && e.host === 'u.ads.test')).toMatchObject({ protocol: 'udp' });
  });

  it('listens dual-stack on [::]: IPv6 (::1) and IPv4 clients over UDP and TCP, IPv4 clients logged as IPv4', async () => {
    const v6 = new DnsFilter(rt, { upstreams: [{ host: '127.0.0.1', port: resolver.port }] });
    const bound = await v6.listen(0, '::');
    try {
      expect(bound.host).toBe('::');
      const n = sink.events.length;
      const a = dnsPacket.decode(await udpQuery(bound.port, query('v6.example.test'), '::1'));
      expect(dataOf(a.answers?.find((x) => x.type === 'A'))).toBe('203.0.113.7');
      const b = dnsPacket.decode(await udpQuery(bound.port, query('x6.ads.test', 'AAAA'), '::1'));
      expect(dataOf(b.answers?.[0])).toBe('::');
      const c = dnsPacket.decode(await tcpQuery(bound.port, query('y6.ads.test'), '::1'));
      expect(dataOf(c.answers?.[0])).toBe('0.0.0.0');
      const d = dnsPacket.decode(await udpQuery(bound.port, query('z4.ads.test'), '127.0.0.1'));
      expect(dataOf(d.answers?.[0])).toBe('0.0.0.0');
      const evs = sink.events.slice(n).filter((e) => e.type === 'access');
      expect(evs.find((e) => e.host === 'x6.ads.test')).toMatchObject({ protocol: 'udp', srcIp: '::1' });
      expect(evs.find((e) => e.host === 'y6.ads.test')).toMatchObject({ protocol: 'tcp', srcIp: '::1' });
      expect(evs.find((e) => e.host === 'z4.ads.test')).toMatchObject({ protocol: 'udp', srcIp: '127.0.0.1' });
    } finally {
      await v6.close();
    }
  });

  it('answers malformed queries with FORMERR and keeps serving', async () => {
    const bad = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x61]);
    const r = await udpQuery(port, bad);
    expect(r.readUInt16BE(0)).toBe(0x1234);
    expect(r[3]! & 0x0f).toBe(1);
    const ok = dnsPacket.decode(await udpQuery(port, query('after.example.test')));
    expect(ok.answers?.length).toBe(2);
    expect(filter.counters.malformed).toBe(1);
  });
});
