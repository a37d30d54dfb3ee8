import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from './analyze.js';
import type { PacketSpec } from './capture-writer.js';
import { buildClientHelloHandshake, buildDnsQuery, buildEthernetFrame, buildTlsClientHelloRecord, writePcap, writePcapng } from './capture-writer.js';
import { TCP_FLAGS } from './decode.js';
import { inspectFlow } from './inspect.js';
import { buildClientInitial, decryptClientInitials, parseGquicChlo, quicClientInitialKeys } from './quic.js';

const { SYN, ACK, PSH, FIN } = TCP_FLAGS;
const C = { src: '192.168.10.20', srcPort: 51000 };
const S = { dst: '198.51.100.7', dstPort: 443 };

/** A client/server TCP conversation as Ethernet frames; `segments` are client data at offsets. */
function tcpConversation(segments: Array<{ off: number; data: Uint8Array }>, port = 443): Uint8Array[] {
  const cisn = 1000;
  const sisn = 5000;
  const c = (p: Partial<PacketSpec>) => buildEthernetFrame({ src: C.src, dst: S.dst, srcPort: C.srcPort, dstPort: port, protocol: 'tcp', ...p });
  const s = (p: Partial<PacketSpec>) => buildEthernetFrame({ src: S.dst, dst: C.src, srcPort: port, dstPort: C.srcPort, protocol: 'tcp', ...p });
  const total = segments.reduce((n, x) => Math.max(n, x.off + x.data.length), 0);
  return [
    c({ seq: cisn, flags: SYN }),
    s({ seq: sisn, ack: cisn + 1, flags: SYN | ACK }),
    c({ seq: cisn + 1, ack: sisn + 1, flags: ACK }),
    ...segments.map((x) => c({ seq: cisn + 1 + x.off, ack: sisn + 1, flags: PSH | ACK, payload: x.data })),
    s({ seq: sisn + 1, ack: cisn + 1 + total, flags: ACK }),
    c({ seq: cisn + 1 + total, ack: sisn + 1, flags: FIN | ACK }),
  ];
}

const pcapOf = (frames: Uint8Array[]) => writePcap(frames.map((data, i) => ({ ts: 1700000000 + i / 1000, data })));

describe('TLS over a TCP handshake', () => {
  const hello = buildTlsClientHelloRecord({
    sni: 'www.chatwork.com',
    alpn: ['h2', 'http/1.1'],
    ciphers: [0x0a0a, 0x1301, 0x1302, 0xc02f],
    supportedVersions: [0x0304, 0x0303],
  });

  it('finds the flow, its direction, SNI, ALPN, JA3 and JA4', () => {
    const { flows, stats } = analyzeCapture(pcapOf(tcpConversation([{ off: 0, data: hello }])));
    expect(stats).toMatchObject({ packets: 6, decoded: 6, flows: 1, truncated: false });
    const f = flows[0]!;
    expect(f.client).toEqual({ ip: C.src, port: C.srcPort });
    expect(f.server).toEqual({ ip: S.dst, port: 443 });
    expect(f.packets).toEqual([4, 2]);
    const seen = inspectFlow(f);
    expect(seen.tls?.sni).toBe('www.chatwork.com');
    expect(seen.tls?.alpn).toEqual(['h2', 'http/1.1']);
    // JA3: version, ciphers, extensions, groups, point formats; GREASE removed
    expect(seen.tls?.ja3).toBe('771,4865-4866-49199,0-10-11-13-16-43,29-23,0');
    expect(seen.tls?.ja3Hash).toBe(createHash('md5').update('771,4865-4866-49199,0-10-11-13-16-43,29-23,0').digest('hex'));
    const h = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
    expect(seen.tls?.ja4).toBe(`t13d0306h2_${h('1301,1302,c02f')}_${h('000a,000b,000d,002b_0403,0804')}`);
  });

  it('reassembles a ClientHello split into out-of-order segments with a retransmission', () => {
    const a = hello.subarray(0, 40);
    const b = hello.subarray(40, 90);
    const c = hello.subarray(90);
    const frames = tcpConversation([
      { off: 90, data: c },
      { off: 0, data: a },
      { off: 40, data: b },
      { off: 0, data: a },
    ]);
    const { flows } = analyzeCapture(pcapOf(frames));
    expect(inspectFlow(flows[0]!).tls?.sni).toBe('www.chatwork.com');
    expect(flows[0]!.streams![0].duplicateBytes).toBe(40);
  });
});

describe('HTTP', () => {
  it('reads a request split across out-of-order segments', () => {
    const req = Buffer.from('POST /2/files/upload HTTP/1.1\r\nHost: content.dropboxapi.com\r\nUser-Agent: test/1\r\nContent-Length: 3\r\n\r\nabc', 'latin1');
    const frames = tcpConversation(
      [
        { off: 30, data: req.subarray(30, 60) },
        { off: 60, data: req.subarray(60) },
        { off: 0, data: req.subarray(0, 30) },
      ],
      80,
    );
    const { flows } = analyzeCapture(pcapOf(frames));
    const http = inspectFlow(flows[0]!).http;
    expect(http).toHaveLength(1);
    expect(http![0]).toMatchObject({ method: 'POST', path: '/2/files/upload', version: 'HTTP/1.1', host: 'content.dropboxapi.com', userAgent: 'test/1' });
  });
});

describe('DNS', () => {
  it('reads the query name of a UDP DNS flow', () => {
    const q = buildEthernetFrame({ src: '10.1.1.2', dst: '10.1.1.1', srcPort: 33333, dstPort: 53, protocol: 'udp', payload: buildDnsQuery(0x1234, 'www.nicovideo.jp') });
    const { flows } = analyzeCapture(pcapOf([q]));
    expect(flows[0]!.protocol).toBe('udp');
    expect(inspectFlow(flows[0]!).dns).toMatchObject({ id: 0x1234, qname: 'www.nicovideo.jp', qtype: 1, response: false });
  });
});

describe('pcapng with two interfaces', () => {
  it('builds flows from both interfaces', () => {
    const dns = buildEthernetFrame({ src: '10.1.1.2', dst: '10.1.1.1', srcPort: 33333, dstPort: 53, protocol: 'udp', payload: buildDnsQuery(1, 'note.com') });
    const tls = tcpConversation([{ off: 0, data: buildTlsClientHelloRecord({ sni: 'qiita.com' }) }]);
    const buf = writePcapng(
      [{ linktype: 1, tsresol: 6 }, { linktype: 1, tsresol: 9 }],
      [{ ts: 1, data: dns, interfaceId: 0 }, ...tls.map((data, i) => ({ ts: 2 + i / 10, data, interfaceId: 1 }))],
    );
    const { flows, stats } = analyzeCapture(buf);
    expect(stats.format).toBe('pcapng');
    expect(flows).toHaveLength(2);
    const names = flows.map((f) => inspectFlow(f)).map((i) => i.dns?.qname ?? i.tls?.sni);
    expect(names.sort()).toEqual(['note.com', 'qiita.com']);
  });
});

describe('damaged captures', () => {
  it('reads flows up to the damage and counts undecodable packets', () => {
    const frames = tcpConversation([{ off: 0, data: buildTlsClientHelloRecord({ sni: 'pixiv.net' }) }]);
    frames.splice(1, 0, frames[0]!.subarray(0, 20)); // a runt frame
    const buf = pcapOf(frames);
    const { flows, stats } = analyzeCapture(buf.subarray(0, buf.length - 5));
    expect(stats.truncated).toBe(true);
    expect(stats.undecoded).toEqual({ 'IPv4 header truncated': 1 });
    expect(inspectFlow(flows[0]!).tls?.sni).toBe('pixiv.net');
  });
});

describe('QUIC', () => {
  it('derives the RFC 9001 Appendix A client Initial keys', () => {
    const k = quicClientInitialKeys(1, Buffer.from('8394c8f03e515708', 'hex'))!;
    expect(k.key.toString('hex')).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(k.iv.toString('hex')).toBe('fa044b2f42a3fd3b46fb255c');
    expect(k.hp.toString('hex')).toBe('9f50449e04a0e810283a1e9933adedd2');
  });

  it('reads the SNI of a ClientHello spread over two Initial packets', () => {
    const dcid = Buffer.from('0011223344556677', 'hex');
    const hs = buildClientHelloHandshake({ sni: 'www.youtube.com', alpn: ['h3'], extra: [[0xfe0d, new Uint8Array(600)]] });
    const half = 300;
    const p1 = buildClientInitial(dcid, hs.subarray(half), { offset: half, packetNumber: 1 });
    const p0 = buildClientInitial(dcid, hs.subarray(0, half), { offset: 0, packetNumber: 0 });
    expect(decryptClientInitials(p0)[0]!.crypto[0]!.data.length).toBe(half);
    const frames = [p1, p0].map((payload) => buildEthernetFrame({ src: '10.0.0.5', dst: '142.250.1.1', srcPort: 55555, dstPort: 443, protocol: 'udp', payload }));
    const { flows } = analyzeCapture(pcapOf(frames));
    const seen = inspectFlow(flows[0]!);
    expect(seen.quic?.version).toBe(1);
    expect(seen.quic?.hello?.sni).toBe('www.youtube.com');
    expect(seen.quic?.hello?.alpn).toEqual(['h3']);
    expect(seen.quic?.hello?.ja4.startsWith('q')).toBe(true);
  });

  it('reads the clear-text Google QUIC CHLO', () => {
    const tags: Array<[string, string]> = [['SNI\0', 'www.google.com'], ['UAID', 'Chrome/90']];
    let end = 0;
    const index = tags.flatMap(([t, v]) => {
      end += v.length;
      return [...Buffer.from(t, 'latin1'), end & 0xff, (end >> 8) & 0xff, 0, 0];
    });
    const msg = Buffer.from([0x0d, 1, 2, 3, 4, 5, 6, 7, 8, ...Buffer.from('Q046CHLO'), tags.length, 0, 0, 0, ...index, ...Buffer.from(tags.map((t) => t[1]).join(''))]);
    expect(parseGquicChlo(msg)).toEqual({ sni: 'www.google.com', userAgent: 'Chrome/90' });
    expect(parseGquicChlo(Buffer.from('nothing here'))).toBeUndefined();
  });
});
