/** DNS query names from a UDP payload (or a TCP stream with its 2-byte length prefix). */

export interface DnsMessage {
  id: number;
  response: boolean;
  qname: string;
  qtype: number;
  answers: number;
}

export function parseDnsMessage(b: Uint8Array): DnsMessage | undefined {
  if (b.length < 12) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const flags = dv.getUint16(2);
  const qd = dv.getUint16(4);
  if (qd === 0 || qd > 16) return undefined;
  if (((flags >> 11) & 0x0f) > 5) return undefined; // opcode
  const labels: string[] = [];
  let o = 12;
  let jumps = 0;
  let end = -1;
  for (;;) {
    if (o >= b.length) return undefined;
    const l = b[o]!;
    if (l === 0) {
      o++;
      break;
    }
    if ((l & 0xc0) === 0xc0) {
      if (o + 1 >= b.length || ++jumps > 8) return undefined;
      if (end === -1) end = o + 2;
      o = ((l & 0x3f) << 8) | b[o + 1]!;
      continue;
    }
    if (l > 63 || o + 1 + l > b.length) return undefined;
    labels.push(Buffer.from(b.buffer, b.byteOffset + o + 1, l).toString('latin1'));
    o += 1 + l;
    if (labels.length > 127) return undefined;
  }
  if (end !== -1) o = end;
  if (o + 4 > b.length) return undefined;
  return { id: dv.getUint16(0), response: (flags & 0x8000) !== 0, qname: labels.join('.'), qtype: dv.getUint16(o), answers: dv.getUint16(6) };
}

export function parseDnsOverTcp(stream: Uint8Array): DnsMessage | undefined {
  if (stream.length < 14) return undefined;
  const len = (stream[0]! << 8) | stream[1]!;
  return parseDnsMessage(stream.subarray(2, Math.min(stream.length, 2 + len)));
}
