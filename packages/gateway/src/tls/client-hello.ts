/**
 * A minimal TLS ClientHello reader: enough to learn SNI and ALPN before deciding whether to
 * decrypt, tunnel or refuse. Bounded: never looks past the first handshake message.
 */
export type HelloResult =
  | { kind: 'need-more' }
  | { kind: 'not-tls' }
  | { kind: 'invalid'; error: string }
  | { kind: 'hello'; sni?: string; alpn: string[] };

export const MAX_HELLO_BYTES = 16 * 1024 + 5;

export function parseClientHello(buf: Buffer): HelloResult {
  if (buf.length < 1) return { kind: 'need-more' };
  if (buf[0] !== 0x16) return { kind: 'not-tls' };
  if (buf.length < 5) return { kind: 'need-more' };
  const recLen = buf.readUInt16BE(3);
  if (recLen > 16384) return { kind: 'invalid', error: 'record too long' };
  // a ClientHello may span records; we only need the first handshake message, accumulate payloads
  const payload: Buffer[] = [];
  let off = 0;
  let total = 0;
  let needed = -1;
  while (off + 5 <= buf.length) {
    if (buf[off] !== 0x16) return { kind: 'invalid', error: 'unexpected record type' };
    const len = buf.readUInt16BE(off + 3);
    if (off + 5 + len > buf.length) return { kind: 'need-more' };
    payload.push(buf.subarray(off + 5, off + 5 + len));
    total += len;
    off += 5 + len;
    const p = Buffer.concat(payload);
    if (needed < 0 && p.length >= 4) {
      if (p[0] !== 0x01) return { kind: 'invalid', error: 'not a ClientHello' };
      needed = 4 + p.readUIntBE(1, 3);
      if (needed > MAX_HELLO_BYTES) return { kind: 'invalid', error: 'ClientHello too long' };
    }
    if (needed >= 0 && total >= needed) return parseBody(p.subarray(4, needed));
  }
  return { kind: 'need-more' };
}

function parseBody(b: Buffer): HelloResult {
  try {
    let o = 2 + 32; // version + random
    o += 1 + need(b, o, 1).readUInt8(o); // session id
    o += 2 + need(b, o, 2).readUInt16BE(o); // cipher suites
    o += 1 + need(b, o, 1).readUInt8(o); // compression
    if (o === b.length) return { kind: 'hello', alpn: [] };
    const extEnd = o + 2 + need(b, o, 2).readUInt16BE(o);
    o += 2;
    let sni: string | undefined;
    const alpn: string[] = [];
    while (o + 4 <= extEnd) {
      const type = b.readUInt16BE(o);
      const len = b.readUInt16BE(o + 2);
      const data = need(b, o + 4, len).subarray(o + 4, o + 4 + len);
      o += 4 + len;
      if (type === 0 && data.length >= 5) {
        // server_name_list: list len(2), type(1)=0 host_name, len(2), name
        let p = 2;
        const listEnd = Math.min(data.length, 2 + data.readUInt16BE(0));
        while (p + 3 <= listEnd) {
          const nt = data[p];
          const nl = data.readUInt16BE(p + 1);
          if (nt === 0) {
            const name = data.subarray(p + 3, p + 3 + nl).toString('latin1');
            if (!/^[A-Za-z0-9._-]{1,253}$/.test(name)) return { kind: 'invalid', error: 'malformed server name' };
            sni = name.toLowerCase();
            break;
          }
          p += 3 + nl;
        }
      } else if (type === 16 && data.length >= 2) {
        let p = 2;
        while (p < data.length) {
          const l = data[p] ?? 0;
          alpn.push(data.subarray(p + 1, p + 1 + l).toString('latin1'));
          p += 1 + l;
        }
      }
    }
    return sni === undefined ? { kind: 'hello', alpn } : { kind: 'hello', sni, alpn };
  } catch (e) {
    return { kind: 'invalid', error: (e as Error).message };
  }
}

function need(b: Buffer, o: number, n: number): Buffer {
  if (o + n > b.length) throw new Error('truncated ClientHello');
  return b;
}
