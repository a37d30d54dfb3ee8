import { describe, expect, it } from 'vitest';
import { buildEthernetFrame, buildIpPacket } from './capture-writer.js';
import { decodePacket, LINKTYPE, TCP_FLAGS } from './decode.js';
import { canonicalIp } from './ip-text.js';

const spec = { src: '192.168.1.10', dst: '203.0.113.5', srcPort: 40000, dstPort: 443, protocol: 'tcp' as const, seq: 7, flags: TCP_FLAGS.SYN };

function ok(r: ReturnType<typeof decodePacket>) {
  if (!r.ok) throw new Error(r.reason);
  return r.packet;
}

describe('decodePacket', () => {
  it('decodes Ethernet / IPv4 / TCP', () => {
    const p = ok(decodePacket(LINKTYPE.ETHERNET, buildEthernetFrame(spec), 1));
    expect(p).toMatchObject({ ipVersion: 4, src: '192.168.1.10', dst: '203.0.113.5', ipProto: 6, srcPort: 40000, dstPort: 443 });
    expect(p.tcp).toMatchObject({ seq: 7, flags: TCP_FLAGS.SYN });
  });

  it('walks 802.1ad + 802.1Q (QinQ) tags', () => {
    const p = ok(decodePacket(LINKTYPE.ETHERNET, buildEthernetFrame({ ...spec, vlan: [100, 200] }), 1));
    expect(p.vlan).toEqual([100, 200]);
    expect(p.dstPort).toBe(443);
  });

  it('decodes IPv6 with a hop-by-hop extension header and UDP', () => {
    const plain = buildIpPacket({ src: '2001:db8::1', dst: '2001:db8:0:1::53', srcPort: 5000, dstPort: 53, protocol: 'udp', payload: Uint8Array.from([9, 9]) });
    // insert an 8-byte hop-by-hop header (next header UDP) after the fixed header
    const withExt = new Uint8Array(plain.length + 8);
    withExt.set(plain.subarray(0, 40), 0);
    withExt.set([17, 0, 1, 4, 0, 0, 0, 0], 40);
    withExt.set(plain.subarray(40), 48);
    withExt[6] = 0; // next header: hop-by-hop
    const plen = plain.length - 40 + 8;
    withExt[4] = plen >> 8;
    withExt[5] = plen & 0xff;
    const p = ok(decodePacket(LINKTYPE.RAW, withExt, 1));
    expect(p).toMatchObject({ ipVersion: 6, src: '2001:db8::1', dst: '2001:db8:0:1::53', ipProto: 17, dstPort: 53 });
    expect([...p.payload]).toEqual([9, 9]);
  });

  it('decodes Linux cooked SLL and SLL2, BSD loopback and raw IPv4', () => {
    const ip = buildIpPacket(spec);
    const sll = new Uint8Array(16 + ip.length);
    sll.set([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00], 0);
    sll.set(ip, 16);
    expect(ok(decodePacket(LINKTYPE.LINUX_SLL, sll, 0)).dstPort).toBe(443);
    const sll2 = new Uint8Array(20 + ip.length);
    sll2.set([0x08, 0x00], 0);
    sll2.set(ip, 20);
    expect(ok(decodePacket(LINKTYPE.LINUX_SLL2, sll2, 0)).src).toBe('192.168.1.10');
    const lo = new Uint8Array(4 + ip.length);
    lo.set([2, 0, 0, 0], 0); // AF_INET in little-endian host order
    lo.set(ip, 4);
    expect(ok(decodePacket(LINKTYPE.NULL, lo, 0)).dst).toBe('203.0.113.5');
    expect(ok(decodePacket(LINKTYPE.IPV4, ip, 0)).srcPort).toBe(40000);
  });

  it('reports damage instead of throwing', () => {
    const f = buildEthernetFrame(spec);
    expect(decodePacket(LINKTYPE.ETHERNET, f.subarray(0, 10), 0)).toEqual({ ok: false, reason: 'ethernet header truncated' });
    expect(decodePacket(LINKTYPE.ETHERNET, f.subarray(0, 14 + 20 + 10), 0)).toEqual({ ok: false, reason: 'TCP header truncated' });
    expect(decodePacket(LINKTYPE.ETHERNET, f.subarray(0, 20), 0)).toEqual({ ok: false, reason: 'IPv4 header truncated' });
    expect(decodePacket(999, f, 0)).toEqual({ ok: false, reason: 'unsupported link type 999' });
  });

  it('marks later fragments, which carry no ports', () => {
    const ip = buildIpPacket({ ...spec, protocol: 'udp' });
    ip[6] = 0x00;
    ip[7] = 0x10; // fragment offset 16*8
    const p = ok(decodePacket(LINKTYPE.RAW, ip, 0));
    expect(p.fragment).toBe(true);
    expect(p.srcPort).toBe(0);
  });
});

describe('canonicalIp', () => {
  it('writes every IPv6 form of an address the same way and leaves IPv4 alone', () => {
    expect(canonicalIp('2a03:2880:1010:6f03:face:b00c::2')).toBe(canonicalIp('2a03:2880:1010:6f03:face:b00c:0:2'));
    expect(canonicalIp('2001:DB8::1')).toBe('2001:db8:0:0:0:0:0:1');
    expect(canonicalIp('::')).toBe('0:0:0:0:0:0:0:0');
    expect(canonicalIp('192.0.2.1')).toBe('192.0.2.1');
  });
});
