/**
 * Link, network and transport decoding: Ethernet (VLAN, QinQ), Linux cooked (SLL, SLL2),
 * BSD loopback/null, raw IP; IPv4 (fragments), IPv6 (extension headers), IP-in-IP; TCP, UDP.
 */

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  RAW_ALT: 12,
  RAW_ALT2: 14,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export interface TcpInfo {
  seq: number;
  ack: number;
  flags: number;
  window: number;
}

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export interface DecodedPacket {
  ts: number;
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  /** IP protocol number of the transport (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...) */
  ipProto: number;
  srcPort: number;
  dstPort: number;
  tcp?: TcpInfo;
  payload: Uint8Array;
  /** first IPv4/IPv6 fragment or not a fragment; later fragments carry no transport header */
  fragment: boolean;
  vlan: number[];
}

export type DecodeResult = { ok: true; packet: DecodedPacket } | { ok: false; reason: string };

const fail = (reason: string): DecodeResult => ({ ok: false, reason });

// plain byte reads: cheaper than a DataView per packet on the hot path
const u16 = (b: Uint8Array, o: number): number => ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
const u32 = (b: Uint8Array, o: number): number => (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0;

function ipv4ToString(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

function ipv6ToString(b: Uint8Array, o: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push((((b[o + i] ?? 0) << 8) | (b[o + i + 1] ?? 0)).toString(16));
  // compress the longest run of zero groups (RFC 5952)
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best === -1) return parts.join(':');
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`;
}

export function decodePacket(linktype: number, data: Uint8Array, ts: number): DecodeResult {
  const vlan: number[] = [];
  let off = 0;
  let etherType: number;
  switch (linktype) {
    case LINKTYPE.ETHERNET: {
      if (data.length < 14) return fail('ethernet header truncated');
      etherType = u16(data, 12);
      off = 14;
      break;
    }
    case LINKTYPE.LINUX_SLL: {
      if (data.length < 16) return fail('SLL header truncated');
      etherType = u16(data, 14);
      off = 16;
      break;
    }
    case LINKTYPE.LINUX_SLL2: {
      if (data.length < 20) return fail('SLL2 header truncated');
      etherType = u16(data, 0);
      off = 20;
      break;
    }
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (data.length < 4) return fail('loopback header truncated');
      // NULL stores the address family in the capturing host's byte order; LOOP in network order
      const famBe = u32(data, 0);
      const famLe = ((data[3] ?? 0) << 24 | (data[2] ?? 0) << 16 | (data[1] ?? 0) << 8 | (data[0] ?? 0)) >>> 0;
      const fam = linktype === LINKTYPE.LOOP ? famBe : famLe < 256 ? famLe : famBe;
      off = 4;
      if (fam === 2) etherType = 0x0800;
      else if (fam === 24 || fam === 28 || fam === 30 || fam === 10) etherType = 0x86dd;
      else return fail(`loopback address family ${fam}`);
      break;
    }
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_ALT:
    case LINKTYPE.RAW_ALT2:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6: {
      if (data.length < 1) return fail('empty packet');
      const v = (data[0] ?? 0) >> 4;
      etherType = v === 4 ? 0x0800 : v === 6 ? 0x86dd : -1;
      if (etherType === -1) return fail(`raw packet with IP version ${v}`);
      break;
    }
    default:
      return fail(`unsupported link type ${linktype}`);
  }
  // 802.1Q / 802.1ad / old QinQ tags
  while (etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100) {
    if (off + 4 > data.length) return fail('VLAN tag truncated');
    vlan.push(u16(data, off) & 0x0fff);
    etherType = u16(data, off + 2);
    off += 4;
  }
  if (etherType === 0x8864) {
    // PPPoE session: 6-byte header then a 2-byte PPP protocol
    if (off + 8 > data.length) return fail('PPPoE header truncated');
    const ppp = u16(data, off + 6);
    off += 8;
    if (ppp === 0x0021) etherType = 0x0800;
    else if (ppp === 0x0057) etherType = 0x86dd;
    else return fail(`PPP protocol 0x${ppp.toString(16)}`);
  }
  if (etherType === 0x8847) {
    // MPLS: skip labels up to the bottom of stack, then guess the IP version
    for (;;) {
      if (off + 4 > data.length) return fail('MPLS label truncated');
      const bos = (data[off + 2] ?? 0) & 1;
      off += 4;
      if (bos) break;
    }
    const v = (data[off] ?? 0) >> 4;
    etherType = v === 4 ? 0x0800 : v === 6 ? 0x86dd : -1;
  }
  if (etherType === 0x0800) return decodeIp(data, off, 4, ts, vlan, 0);
  if (etherType === 0x86dd) return decodeIp(data, off, 6, ts, vlan, 0);
  return fail(`ethertype 0x${(etherType >>> 0).toString(16)}`);
}

/** Explicit object construction (no spread, no closure): this runs once per packet. */
function makePacket(
  ts: number, ipVersion: 4 | 6, src: string, dst: string, ipProto: number, srcPort: number, dstPort: number,
  payload: Uint8Array, fragment: boolean, vlan: number[], tcp?: TcpInfo,
): DecodeResult {
  const p: DecodedPacket = { ts, ipVersion, src, dst, ipProto, srcPort, dstPort, payload, fragment, vlan };
  if (tcp) p.tcp = tcp;
  return { ok: true, packet: p };
}

function decodeIp(data: Uint8Array, off: number, version: 4 | 6, ts: number, vlan: number[], depth: number): DecodeResult {
  let src: string;
  let dst: string;
  let proto: number;
  let end: number;
  let fragment = false;
  if (version === 4) {
    if (off + 20 > data.length) return fail('IPv4 header truncated');
    if ((data[off] ?? 0) >> 4 !== 4) return fail('not IPv4');
    const ihl = ((data[off] ?? 0) & 0x0f) * 4;
    if (ihl < 20 || off + ihl > data.length) return fail('bad IPv4 header length');
    const total = u16(data, off + 2);
    // captured data may be shorter (snap length) or padded (Ethernet minimum frame)
    end = total >= ihl ? Math.min(data.length, off + total) : data.length;
    const fragField = u16(data, off + 6);
    const fragOffset = fragField & 0x1fff;
    fragment = (fragField & 0x2000) !== 0 || fragOffset !== 0;
    proto = data[off + 9] ?? 0;
    src = ipv4ToString(data, off + 12);
    dst = ipv4ToString(data, off + 16);
    off += ihl;
    if (fragOffset !== 0) {
      return { ok: true, packet: { ts, ipVersion: 4, src, dst, ipProto: proto, srcPort: 0, dstPort: 0, payload: new Uint8Array(0), fragment: true, vlan } };
    }
  } else {
    if (off + 40 > data.length) return fail('IPv6 header truncated');
    if ((data[off] ?? 0) >> 4 !== 6) return fail('not IPv6');
    const plen = u16(data, off + 4);
    end = Math.min(data.length, off + 40 + plen);
    proto = data[off + 6] ?? 0;
    src = ipv6ToString(data, off + 8);
    dst = ipv6ToString(data, off + 24);
    off += 40;
    // extension headers: hop-by-hop, routing, fragment, destination options, AH, mobility
    for (let guard = 0; guard < 16; guard++) {
      if (proto === 0 || proto === 43 || proto === 60 || proto === 135) {
        if (off + 8 > end) return fail('IPv6 extension header truncated');
        const next = data[off] ?? 0;
        off += ((data[off + 1] ?? 0) + 1) * 8;
        proto = next;
      } else if (proto === 44) {
        if (off + 8 > end) return fail('IPv6 fragment header truncated');
        const next = data[off] ?? 0;
        const fo = u16(data, off + 2) >> 3;
        fragment = true;
        off += 8;
        proto = next;
        if (fo !== 0) {
          return { ok: true, packet: { ts, ipVersion: 6, src, dst, ipProto: proto, srcPort: 0, dstPort: 0, payload: new Uint8Array(0), fragment: true, vlan } };
        }
      } else if (proto === 51) {
        if (off + 8 > end) return fail('AH header truncated');
        const next = data[off] ?? 0;
        off += ((data[off + 1] ?? 0) + 2) * 4;
        proto = next;
      } else break;
    }
    if (off > end) return fail('IPv6 extension headers exceed the packet');
  }
  // IP-in-IP and IPv6-in-IP: decode the inner packet (the flow is the inner one)
  if ((proto === 4 || proto === 41) && depth < 4) {
    return decodeIp(data.subarray(0, end), off, proto === 4 ? 4 : 6, ts, vlan, depth + 1);
  }
  if (proto === 6) {
    if (off + 20 > end) return fail('TCP header truncated');
    const doff = ((data[off + 12] ?? 0) >> 4) * 4;
    if (doff < 20 || off + doff > end) return fail('bad TCP header length');
    const tcp: TcpInfo = {
      seq: u32(data, off + 4),
      ack: u32(data, off + 8),
      flags: data[off + 13] ?? 0,
      window: u16(data, off + 14),
    };
    return makePacket(ts, version, src, dst, proto, u16(data, off), u16(data, off + 2), data.subarray(off + doff, end), fragment, vlan, tcp);
  }
  if (proto === 17 || proto === 136) {
    if (off + 8 > end) return fail('UDP header truncated');
    const ulen = u16(data, off + 4);
    const pend = ulen >= 8 ? Math.min(end, off + ulen) : end;
    const dport = u16(data, off + 2);
    if (depth < 4 && proto === 17) {
      const inner = decapsulate(data.subarray(0, pend), off + 8, dport, ts, vlan, depth);
      if (inner) return inner;
    }
    return makePacket(ts, version, src, dst, proto, u16(data, off), u16(data, off + 2), data.subarray(off + 8, pend), fragment, vlan);
  }
  return makePacket(ts, version, src, dst, proto, 0, 0, data.subarray(off, end), fragment, vlan);
}

/** Tunnels whose inner flow is the one that matters: VXLAN (udp/4789) and GTP-U (udp/2152). */
function decapsulate(data: Uint8Array, off: number, dport: number, ts: number, vlan: number[], depth: number): DecodeResult | undefined {
  if (dport === 4789 && off + 8 + 14 <= data.length && ((data[off] ?? 0) & 0x08) !== 0) {
    const r = decodePacket(LINKTYPE.ETHERNET, data.subarray(off + 8), ts);
    return r.ok ? r : undefined;
  }
  if (dport === 2152 && off + 8 <= data.length) {
    const flags = data[off] ?? 0;
    if (flags >> 5 !== 1 || data[off + 1] !== 0xff) return undefined; // GTPv1 G-PDU only
    let o = off + 8;
    if (flags & 0x07) {
      if (o + 4 > data.length) return undefined;
      let next = data[o + 3] ?? 0;
      o += 4;
      while (next !== 0) {
        const len = (data[o] ?? 0) * 4;
        if (len === 0 || o + len > data.length) return undefined;
        next = data[o + len - 1] ?? 0;
        o += len;
      }
    }
    const v = (data[o] ?? 0) >> 4;
    if (v !== 4 && v !== 6) return undefined;
    const r = decodeIp(data, o, v === 4 ? 4 : 6, ts, vlan, depth + 1);
    return r.ok ? r : undefined;
  }
  return undefined;
}
