/**
 * Building packets and capture files: for tests (captures are generated, never copied) and for
 * tools that export flows. Ethernet/IPv4/IPv6/TCP/UDP with correct lengths; checksums are left
 * zero (readers here do not verify them).
 */

export interface PacketSpec {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  protocol: 'tcp' | 'udp';
  seq?: number;
  ack?: number;
  /** TCP flags byte (SYN 0x02, ACK 0x10, PSH 0x08, FIN 0x01, RST 0x04) */
  flags?: number;
  payload?: Uint8Array;
  /** 802.1Q tags, outermost first */
  vlan?: number[];
}

function ipv4Bytes(ip: string): number[] {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`bad IPv4 address ${ip}`);
  return p;
}

function ipv6Bytes(ip: string): number[] {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':').filter((x) => x !== '') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) throw new Error(`bad IPv6 address ${ip}`);
  return groups.flatMap((g) => {
    const v = parseInt(g, 16);
    return [v >> 8, v & 0xff];
  });
}

function transport(p: PacketSpec): number[] {
  const payload = [...(p.payload ?? [])];
  if (p.protocol === 'udp') {
    const len = 8 + payload.length;
    return [p.srcPort >> 8, p.srcPort & 0xff, p.dstPort >> 8, p.dstPort & 0xff, len >> 8, len & 0xff, 0, 0, ...payload];
  }
  const seq = (p.seq ?? 0) >>> 0;
  const ack = (p.ack ?? 0) >>> 0;
  const be32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return [p.srcPort >> 8, p.srcPort & 0xff, p.dstPort >> 8, p.dstPort & 0xff, ...be32(seq), ...be32(ack), 0x50, p.flags ?? 0x18, 0xff, 0xff, 0, 0, 0, 0, ...payload];
}

/** An IP packet (v4 or v6 chosen by the address form), without link layer. */
export function buildIpPacket(p: PacketSpec): Uint8Array {
  const l4 = transport(p);
  const proto = p.protocol === 'tcp' ? 6 : 17;
  if (p.src.includes(':')) {
    const len = l4.length;
    return Uint8Array.from([0x60, 0, 0, 0, len >> 8, len & 0xff, proto, 64, ...ipv6Bytes(p.src), ...ipv6Bytes(p.dst), ...l4]);
  }
  const total = 20 + l4.length;
  return Uint8Array.from([0x45, 0, total >> 8, total & 0xff, 0, 1, 0x40, 0, 64, proto, 0, 0, ...ipv4Bytes(p.src), ...ipv4Bytes(p.dst), ...l4]);
}

/** An Ethernet frame carrying the packet (with optional VLAN tags). */
export function buildEthernetFrame(p: PacketSpec): Uint8Array {
  const ip = buildIpPacket(p);
  const tags: number[] = [];
  (p.vlan ?? []).forEach((id, i) => tags.push(...(i === 0 && (p.vlan?.length ?? 0) > 1 ? [0x88, 0xa8] : [0x81, 0x00]), id >> 8, id & 0xff));
  const etherType = p.src.includes(':') ? [0x86, 0xdd] : [0x08, 0x00];
  // VLAN tags sit between the MAC addresses and the final EtherType
  const head = [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1];
  const out = new Uint8Array(head.length + tags.length + 2 + ip.length);
  out.set(head, 0);
  out.set(tags, head.length);
  out.set(etherType, head.length + tags.length);
  out.set(ip, head.length + tags.length + 2);
  return out;
}

export interface CaptureRecord {
  ts: number;
  data: Uint8Array;
  /** pcapng only: index into `interfaces` */
  interfaceId?: number;
}

/** A classic pcap file (microsecond or nanosecond, either byte order). */
export function writePcap(records: CaptureRecord[], opts: { linktype?: number; bigEndian?: boolean; nanosecond?: boolean } = {}): Uint8Array {
  const le = !opts.bigEndian;
  const size = 24 + records.reduce((n, r) => n + 16 + r.data.length, 0);
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, opts.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, le);
  dv.setUint16(4, 2, le);
  dv.setUint16(6, 4, le);
  dv.setUint32(16, 262144, le);
  dv.setUint32(20, opts.linktype ?? 1, le);
  let o = 24;
  for (const r of records) {
    const sec = Math.floor(r.ts);
    const frac = Math.round((r.ts - sec) * (opts.nanosecond ? 1e9 : 1e6));
    dv.setUint32(o, sec, le);
    dv.setUint32(o + 4, frac, le);
    dv.setUint32(o + 8, r.data.length, le);
    dv.setUint32(o + 12, r.data.length, le);
    buf.set(r.data, o + 16);
    o += 16 + r.data.length;
  }
  return buf;
}

/** A pcapng file with one section; `tsresol` per interface is a power of ten (6 = µs, 9 = ns). */
export function writePcapng(interfaces: Array<{ linktype: number; tsresol?: number }>, records: CaptureRecord[], opts: { bigEndian?: boolean } = {}): Uint8Array {
  const le = !opts.bigEndian;
  const blocks: Uint8Array[] = [];
  const block = (type: number, body: Uint8Array) => {
    const padded = (body.length + 3) & ~3;
    const len = 12 + padded;
    const b = new Uint8Array(len);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, type, le);
    dv.setUint32(4, len, le);
    b.set(body, 8);
    dv.setUint32(len - 4, len, le);
    blocks.push(b);
  };
  const shb = new Uint8Array(16);
  const sdv = new DataView(shb.buffer);
  sdv.setUint32(0, 0x1a2b3c4d, le);
  sdv.setUint16(4, 1, le);
  sdv.setBigInt64(8, -1n, le);
  block(0x0a0d0d0a, shb);
  for (const i of interfaces) {
    const idb = new Uint8Array(8 + 8 + 4);
    const idv = new DataView(idb.buffer);
    idv.setUint16(0, i.linktype, le);
    idv.setUint32(4, 262144, le);
    idv.setUint16(8, 9, le); // if_tsresol
    idv.setUint16(10, 1, le);
    idb[12] = i.tsresol ?? 6;
    // opt_endofopt stays zero
    block(1, idb);
  }
  for (const r of records) {
    const iface = interfaces[r.interfaceId ?? 0];
    const units = BigInt(Math.round(r.ts * 10 ** (iface?.tsresol ?? 6)));
    const epb = new Uint8Array(20 + r.data.length);
    const edv = new DataView(epb.buffer);
    edv.setUint32(0, r.interfaceId ?? 0, le);
    edv.setUint32(4, Number(units >> 32n), le);
    edv.setUint32(8, Number(units & 0xffffffffn), le);
    edv.setUint32(12, r.data.length, le);
    edv.setUint32(16, r.data.length, le);
    epb.set(r.data, 20);
    block(6, epb);
  }
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of blocks) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

export interface ClientHelloSpec {
  sni?: string;
  alpn?: string[];
  ciphers?: number[];
  groups?: number[];
  signatureAlgorithms?: number[];
  supportedVersions?: number[];
  /** extra extensions (type, body) placed after the standard ones */
  extra?: Array<[number, Uint8Array]>;
}

/** A TLS ClientHello handshake message (type 1 + length + body), without a record header. */
export function buildClientHelloHandshake(s: ClientHelloSpec): Uint8Array {
  const u16 = (v: number) => [v >> 8, v & 0xff];
  const ext: number[] = [];
  const add = (type: number, body: number[]) => ext.push(...u16(type), ...u16(body.length), ...body);
  if (s.sni !== undefined) {
    const name = [...Buffer.from(s.sni, 'latin1')];
    add(0, [...u16(name.length + 3), 0, ...u16(name.length), ...name]);
  }
  const groups = s.groups ?? [0x001d, 0x0017];
  add(10, [...u16(groups.length * 2), ...groups.flatMap(u16)]);
  add(11, [1, 0]);
  const sigs = s.signatureAlgorithms ?? [0x0403, 0x0804];
  add(13, [...u16(sigs.length * 2), ...sigs.flatMap(u16)]);
  if (s.alpn && s.alpn.length > 0) {
    const list = s.alpn.flatMap((a) => [a.length, ...Buffer.from(a, 'latin1')]);
    add(16, [...u16(list.length), ...list]);
  }
  if (s.supportedVersions) add(43, [s.supportedVersions.length * 2, ...s.supportedVersions.flatMap(u16)]);
  for (const [t, b] of s.extra ?? []) add(t, [...b]);
  const ciphers = s.ciphers ?? [0x1301, 0x1302, 0xc02f];
  const body = [0x03, 0x03, ...Array<number>(32).fill(7), 0, ...u16(ciphers.length * 2), ...ciphers.flatMap(u16), 1, 0, ...u16(ext.length), ...ext];
  return Uint8Array.from([1, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff, ...body]);
}

/** The ClientHello in a TLS handshake record, as the first bytes of a TCP stream. */
export function buildTlsClientHelloRecord(s: ClientHelloSpec): Uint8Array {
  const hs = buildClientHelloHandshake(s);
  return Uint8Array.from([0x16, 0x03, 0x01, hs.length >> 8, hs.length & 0xff, ...hs]);
}

/** A DNS query message. */
export function buildDnsQuery(id: number, name: string, qtype = 1): Uint8Array {
  const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l, 'latin1')]);
  return Uint8Array.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, qtype >> 8, qtype & 0xff, 0, 1]);
}
