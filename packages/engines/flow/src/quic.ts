/**
 * QUIC Initial packets (RFC 9001 §5, RFC 9369 for v2): derive the client's Initial keys from
 * the Destination Connection ID, remove header protection, decrypt, and collect CRYPTO frames
 * so the TLS ClientHello (SNI, ALPN) can be read. Several Initial packets are combined by
 * offset, since large ClientHellos span more than one.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

const SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const SALT_V2 = Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex');
const SALT_DRAFT29 = Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex');
const SALT_DRAFT23 = Buffer.from('c3eef712c72ebb5a11a7d2432bb46365bef9f502', 'hex');

function saltFor(version: number): Buffer | undefined {
  if (version === 0x00000001) return SALT_V1;
  if (version === 0x6b3343cf) return SALT_V2;
  if (version === 0xff00001d || version === 0xff00001e || version === 0xff00001f || version === 0xff000020) return SALT_DRAFT29;
  if (version >= 0xff000017 && version <= 0xff00001c) return SALT_DRAFT23;
  return undefined;
}

function hkdfExpandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  // output is at most one SHA-256 block here
  return createHmac('sha256', secret).update(Buffer.concat([info, Buffer.from([1])])).digest().subarray(0, length);
}

function readVarint(b: Uint8Array, o: number): { value: number; next: number } | undefined {
  if (o >= b.length) return undefined;
  const first = b[o]!;
  const len = 1 << (first >> 6);
  if (o + len > b.length) return undefined;
  let v = first & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + b[o + i]!;
  return { value: v, next: o + len };
}

/** The client's Initial packet protection keys (RFC 9001 §5.2; RFC 9369 for v2). */
export function quicClientInitialKeys(version: number, dcid: Uint8Array): { key: Buffer; iv: Buffer; hp: Buffer } | undefined {
  const salt = saltFor(version);
  if (!salt) return undefined;
  const initialSecret = createHmac('sha256', salt).update(dcid).digest();
  const clientSecret = hkdfExpandLabel(initialSecret, 'client in', 32);
  const pre = version === 0x6b3343cf ? 'quicv2 ' : 'quic ';
  return {
    key: hkdfExpandLabel(clientSecret, `${pre}key`, 16),
    iv: hkdfExpandLabel(clientSecret, `${pre}iv`, 12),
    hp: hkdfExpandLabel(clientSecret, `${pre}hp`, 16),
  };
}

/**
 * Build a protected client Initial packet (QUIC v1) carrying `crypto` in one CRYPTO frame at
 * `offset`, padded to 1200 bytes: the inverse of decryptClientInitials, for tests and tools.
 */
export function buildClientInitial(dcid: Uint8Array, crypto: Uint8Array, opts: { offset?: number; packetNumber?: number } = {}): Uint8Array {
  const { key, iv, hp } = quicClientInitialKeys(1, dcid)!;
  const varint = (v: number) => (v < 64 ? [v] : v < 16384 ? [0x40 | (v >> 8), v & 0xff] : [0x80 | ((v >>> 24) & 0x3f), (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]);
  const frame = [0x06, ...varint(opts.offset ?? 0), ...varint(crypto.length), ...crypto];
  const pn = opts.packetNumber ?? 0;
  const pnBytes = [(pn >> 24) & 0xff, (pn >> 16) & 0xff, (pn >> 8) & 0xff, pn & 0xff];
  const headerFixed = [0xc3, 0, 0, 0, 1, dcid.length, ...dcid, 0, 0];
  // pad the plaintext so the datagram reaches 1200 bytes
  const lenFieldSize = 2;
  const target = 1200 - headerFixed.length - lenFieldSize - 4 - 16;
  const plain = Buffer.alloc(Math.max(frame.length, target));
  plain.set(frame, 0);
  const length = 4 + plain.length + 16;
  const header = Buffer.from([...headerFixed, 0x40 | (length >> 8), length & 0xff, ...pnBytes]);
  const nonce = Buffer.from(iv);
  for (let i = 0; i < 4; i++) nonce[11 - i] = nonce[11 - i]! ^ ((pn >>> (8 * i)) & 0xff);
  const enc = createCipheriv('aes-128-gcm', key, nonce);
  enc.setAAD(header);
  const body = Buffer.concat([enc.update(plain), enc.final(), enc.getAuthTag()]);
  const packet = Buffer.concat([header, body]);
  const pnOffset = header.length - 4;
  const ecb = createCipheriv('aes-128-ecb', hp, null);
  ecb.setAutoPadding(false);
  const mask = ecb.update(packet.subarray(pnOffset + 4, pnOffset + 20));
  packet[0] = packet[0]! ^ (mask[0]! & 0x0f);
  for (let i = 0; i < 4; i++) packet[pnOffset + i] = packet[pnOffset + i]! ^ mask[1 + i]!;
  return packet;
}

export interface QuicInitial {
  version: number;
  dcid: Uint8Array;
  /** CRYPTO frame data by offset */
  crypto: Array<{ offset: number; data: Uint8Array }>;
}

/** Decrypt the client Initial packets at the start of a UDP datagram (coalesced packets allowed). */
export function decryptClientInitials(datagram: Uint8Array): QuicInitial[] {
  const out: QuicInitial[] = [];
  let o = 0;
  while (o < datagram.length) {
    const r = decryptOne(datagram, o);
    if (!r) break;
    if (r.initial) out.push(r.initial);
    o = r.next;
  }
  return out;
}

function decryptOne(d: Uint8Array, start: number): { initial?: QuicInitial; next: number } | undefined {
  const first = d[start];
  if (first === undefined || (first & 0x80) === 0) return undefined; // short header: stop
  if (start + 7 > d.length) return undefined;
  const version = ((d[start + 1]! << 24) >>> 0) + (d[start + 2]! << 16) + (d[start + 3]! << 8) + d[start + 4]!;
  let o = start + 5;
  const dcidLen = d[o]!;
  if (dcidLen > 20 || o + 1 + dcidLen >= d.length) return undefined;
  const dcid = d.subarray(o + 1, o + 1 + dcidLen);
  o += 1 + dcidLen;
  const scidLen = d[o]!;
  if (scidLen > 20 || o + 1 + scidLen > d.length) return undefined;
  o += 1 + scidLen;
  const type = (first >> 4) & 0x03;
  const v2 = version === 0x6b3343cf;
  const isInitial = v2 ? type === 1 : type === 0;
  if (isInitial) {
    const tok = readVarint(d, o);
    if (!tok) return undefined;
    o = tok.next + tok.value;
  }
  const len = readVarint(d, o);
  if (!len) return undefined;
  const pnOffset = len.next;
  const end = pnOffset + len.value;
  if (end > d.length) return undefined;
  const salt = saltFor(version);
  if (!isInitial || !salt) return { next: end };
  try {
    const { key, iv, hp } = quicClientInitialKeys(version, dcid)!;
    if (pnOffset + 4 + 16 > end) return { next: end };
    const sample = d.subarray(pnOffset + 4, pnOffset + 20);
    const ecb = createCipheriv('aes-128-ecb', hp, null);
    ecb.setAutoPadding(false);
    const mask = ecb.update(sample);
    const header = Buffer.from(d.subarray(start, pnOffset + 4));
    header[0] = header[0]! ^ (mask[0]! & 0x0f);
    const pnLen = (header[0]! & 0x03) + 1;
    let pn = 0;
    const pnAt = pnOffset - start;
    for (let i = 0; i < pnLen; i++) {
      header[pnAt + i] = header[pnAt + i]! ^ mask[1 + i]!;
      pn = pn * 256 + header[pnAt + i]!;
    }
    const aad = header.subarray(0, pnAt + pnLen);
    const nonce = Buffer.from(iv);
    for (let i = 0; i < 4; i++) nonce[11 - i] = nonce[11 - i]! ^ ((pn >>> (8 * i)) & 0xff);
    const body = d.subarray(pnOffset + pnLen, end);
    if (body.length < 16) return { next: end };
    const dec = createDecipheriv('aes-128-gcm', key, nonce);
    dec.setAAD(aad);
    dec.setAuthTag(body.subarray(body.length - 16));
    const plain = Buffer.concat([dec.update(body.subarray(0, body.length - 16)), dec.final()]);
    return { initial: { version, dcid, crypto: cryptoFrames(plain) }, next: end };
  } catch {
    return { next: end }; // not decryptable with client keys (a server Initial, or damage)
  }
}

function cryptoFrames(p: Uint8Array): Array<{ offset: number; data: Uint8Array }> {
  const out: Array<{ offset: number; data: Uint8Array }> = [];
  let o = 0;
  while (o < p.length) {
    const t = p[o]!;
    if (t === 0x00 || t === 0x01) {
      o++;
      continue;
    }
    if (t === 0x06) {
      const off = readVarint(p, o + 1);
      if (!off) break;
      const len = readVarint(p, off.next);
      if (!len || len.next + len.value > p.length) break;
      out.push({ offset: off.value, data: p.subarray(len.next, len.next + len.value) });
      o = len.next + len.value;
      continue;
    }
    if (t === 0x02 || t === 0x03) {
      // ACK: largest, delay, range count, first range, ranges..., [ECN counts]
      let r = readVarint(p, o + 1);
      const vals: number[] = [];
      for (let i = 0; i < 4 && r; i++) {
        vals.push(r.value);
        if (i < 3) r = readVarint(p, r.next);
      }
      if (!r) break;
      let q = r.next;
      const ranges = vals[2] ?? 0;
      for (let i = 0; i < ranges * 2; i++) {
        const x = readVarint(p, q);
        if (!x) return out;
        q = x.next;
      }
      if (t === 0x03) {
        for (let i = 0; i < 3; i++) {
          const x = readVarint(p, q);
          if (!x) return out;
          q = x.next;
        }
      }
      o = q;
      continue;
    }
    break; // other frames do not appear before CRYPTO in client Initials we care about
  }
  return out;
}

/** Join CRYPTO data from several Initials into the contiguous handshake bytes from offset 0. */
export function assembleCrypto(initials: QuicInitial[]): Uint8Array {
  const frames = initials.flatMap((i) => i.crypto).sort((a, b) => a.offset - b.offset);
  const parts: Uint8Array[] = [];
  let pos = 0;
  for (const f of frames) {
    if (f.offset > pos) break;
    const end = f.offset + f.data.length;
    if (end <= pos) continue;
    parts.push(f.data.subarray(pos - f.offset));
    pos = end;
  }
  return Buffer.concat(parts);
}

/**
 * Google QUIC (Q0xx up to Q046) sends its client hello ("CHLO") in clear: a tag/value map
 * whose `SNI\0` entry is the server name and `UAID` the user agent.
 */
export function parseGquicChlo(datagram: Uint8Array): { sni?: string; userAgent?: string } | undefined {
  const b = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const at = b.indexOf('CHLO', 0, 'latin1');
  if (at === -1 || at + 8 > b.length) return undefined;
  const n = b.readUInt16LE(at + 4);
  const index = at + 8;
  const values = index + n * 8;
  if (n === 0 || n > 64 || values > b.length) return undefined;
  const out: { sni?: string; userAgent?: string } = {};
  let prevEnd = 0;
  for (let i = 0; i < n; i++) {
    const tag = b.toString('latin1', index + i * 8, index + i * 8 + 4);
    const end = b.readUInt32LE(index + i * 8 + 4);
    if (end < prevEnd || values + end > b.length) break;
    const value = b.toString('latin1', values + prevEnd, values + end);
    if (tag === 'SNI\0') out.sni = value;
    else if (tag === 'UAID') out.userAgent = value;
    prevEnd = end;
  }
  return out;
}
