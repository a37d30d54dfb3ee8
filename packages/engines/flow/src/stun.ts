/** STUN/TURN messages (RFC 8489): the REALM names the TURN service's domain; SOFTWARE the client. */

export interface StunMessage {
  type: number;
  realm?: string;
  software?: string;
  username?: string;
}

export function parseStun(b: Uint8Array): StunMessage | undefined {
  if (b.length < 20 || (b[0]! & 0xc0) !== 0) return undefined;
  const len = (b[2]! << 8) | b[3]!;
  if (len % 4 !== 0 || 20 + len > b.length) return undefined;
  if (b[4] !== 0x21 || b[5] !== 0x12 || b[6] !== 0xa4 || b[7] !== 0x42) return undefined;
  const msg: StunMessage = { type: (b[0]! << 8) | b[1]! };
  const text = (o: number, l: number) => Buffer.from(b.buffer, b.byteOffset + o, l).toString('utf8');
  let o = 20;
  while (o + 4 <= 20 + len) {
    const t = (b[o]! << 8) | b[o + 1]!;
    const l = (b[o + 2]! << 8) | b[o + 3]!;
    if (o + 4 + l > 20 + len) break;
    if (t === 0x0014) msg.realm = text(o + 4, l);
    else if (t === 0x8022) msg.software = text(o + 4, l);
    else if (t === 0x0006) msg.username = text(o + 4, l);
    o += 4 + ((l + 3) & ~3);
  }
  return msg;
}
