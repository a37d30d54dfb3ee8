/**
 * TLS ClientHello parsing (from a TCP stream of records, or from raw handshake bytes as carried
 * in QUIC CRYPTO frames) and the JA3 / JA4 client fingerprints.
 */
import { createHash } from 'node:crypto';

export interface ClientHello {
  /** legacy_version from the hello */
  version: number;
  /** highest non-GREASE supported_versions entry, or `version` */
  maxVersion: number;
  ciphers: number[];
  extensions: number[];
  sni?: string;
  alpn: string[];
  groups: number[];
  pointFormats: number[];
  signatureAlgorithms: number[];
  supportedVersions: number[];
  ja3: string;
  ja3Hash: string;
  ja4: string;
  /** the hello was cut short; fingerprints cover only what was read */
  partial?: boolean;
}

export type HelloResult = { ok: true; hello: ClientHello } | { ok: false; reason: string; needMore?: boolean };

const isGrease = (v: number) => (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);

/** Parse a ClientHello at the start of a TLS record stream (handles a hello split over records). */
export function parseTlsClientHello(stream: Uint8Array): HelloResult {
  if (stream.length < 5) return { ok: false, reason: 'short', needMore: true };
  if (stream[0] !== 0x16) return { ok: false, reason: 'not a handshake record' };
  if (stream[1] !== 0x03) return { ok: false, reason: 'not TLS' };
  // gather handshake bytes across records
  const parts: Uint8Array[] = [];
  let have = 0;
  let need = -1;
  let off = 0;
  while (off + 5 <= stream.length) {
    if (stream[off] !== 0x16) break;
    const len = ((stream[off + 3] ?? 0) << 8) | (stream[off + 4] ?? 0);
    const frag = stream.subarray(off + 5, Math.min(stream.length, off + 5 + len));
    parts.push(frag);
    have += frag.length;
    off += 5 + len;
    if (need === -1 && have >= 4) {
      const first = concat(parts);
      need = 4 + (((first[1] ?? 0) << 16) | ((first[2] ?? 0) << 8) | (first[3] ?? 0));
    }
    if (need !== -1 && have >= need) break;
  }
  const hs = concat(parts);
  return parseHandshakeClientHello(hs, 't');
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Parse a ClientHello handshake message (type 1, 3-byte length, body). */
export function parseHandshakeClientHello(hs: Uint8Array, transport: 't' | 'q'): HelloResult {
  if (hs.length < 4) return { ok: false, reason: 'short', needMore: true };
  if (hs[0] !== 0x01) return { ok: false, reason: 'not a ClientHello' };
  const bodyLen = ((hs[1] ?? 0) << 16) | ((hs[2] ?? 0) << 8) | (hs[3] ?? 0);
  const complete = hs.length >= 4 + bodyLen;
  const b = hs.subarray(4, Math.min(hs.length, 4 + bodyLen));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 0;
  const need = (n: number) => o + n <= b.length;
  if (!need(2 + 32 + 1)) return { ok: false, reason: 'ClientHello truncated', needMore: !complete };
  const version = dv.getUint16(0);
  o = 34;
  o += 1 + (b[o] ?? 0); // session id
  if (!need(2)) return { ok: false, reason: 'ClientHello truncated', needMore: !complete };
  const csLen = dv.getUint16(o);
  o += 2;
  if (!need(csLen)) return { ok: false, reason: 'ClientHello truncated', needMore: !complete };
  const ciphers: number[] = [];
  for (let i = 0; i + 1 < csLen; i += 2) ciphers.push(dv.getUint16(o + i));
  o += csLen;
  if (!need(1)) return { ok: false, reason: 'ClientHello truncated', needMore: !complete };
  o += 1 + (b[o] ?? 0); // compression methods
  const extensions: number[] = [];
  const alpn: string[] = [];
  const groups: number[] = [];
  const pointFormats: number[] = [];
  const signatureAlgorithms: number[] = [];
  const supportedVersions: number[] = [];
  let sni: string | undefined;
  let partial = !complete;
  if (need(2)) {
    const extEnd = Math.min(b.length, o + 2 + dv.getUint16(o));
    o += 2;
    while (o + 4 <= extEnd) {
      const type = dv.getUint16(o);
      const len = dv.getUint16(o + 2);
      const e = o + 4;
      if (e + len > extEnd) {
        // a hello cut short (lost segment, partial QUIC CRYPTO data): keep what was read
        partial = true;
        break;
      }
      extensions.push(type);
      const ed = new DataView(b.buffer, b.byteOffset + e, len);
      if (type === 0 && len >= 5) {
        // server_name list: first host_name entry
        let p = 2;
        while (p + 3 <= len) {
          const nt = ed.getUint8(p);
          const nl = ed.getUint16(p + 1);
          if (p + 3 + nl > len) break;
          if (nt === 0) {
            sni = new TextDecoder().decode(b.subarray(e + p + 3, e + p + 3 + nl));
            break;
          }
          p += 3 + nl;
        }
      } else if (type === 16 && len >= 2) {
        let p = 2;
        while (p < len) {
          const l = ed.getUint8(p);
          if (p + 1 + l > len) break;
          alpn.push(new TextDecoder().decode(b.subarray(e + p + 1, e + p + 1 + l)));
          p += 1 + l;
        }
      } else if (type === 10 && len >= 2) {
        const l = ed.getUint16(0);
        for (let p = 2; p + 2 <= Math.min(len, 2 + l); p += 2) groups.push(ed.getUint16(p));
      } else if (type === 11 && len >= 1) {
        const l = ed.getUint8(0);
        for (let p = 1; p <= l && p < len; p++) pointFormats.push(ed.getUint8(p));
      } else if (type === 13 && len >= 2) {
        const l = ed.getUint16(0);
        for (let p = 2; p + 2 <= Math.min(len, 2 + l); p += 2) signatureAlgorithms.push(ed.getUint16(p));
      } else if (type === 43 && len >= 1) {
        const l = ed.getUint8(0);
        for (let p = 1; p + 2 <= Math.min(len, 1 + l); p += 2) supportedVersions.push(ed.getUint16(p));
      }
      o = e + len;
    }
  }
  const versions = supportedVersions.filter((v) => !isGrease(v));
  const maxVersion = versions.length > 0 ? Math.max(...versions) : version;
  const ja3 = [
    version,
    ciphers.filter((c) => !isGrease(c)).join('-'),
    extensions.filter((x) => !isGrease(x)).join('-'),
    groups.filter((g) => !isGrease(g)).join('-'),
    pointFormats.join('-'),
  ].join(',');
  const hello: ClientHello = {
    version,
    maxVersion,
    ciphers,
    extensions,
    alpn,
    groups,
    pointFormats,
    signatureAlgorithms,
    supportedVersions,
    ja3,
    ja3Hash: createHash('md5').update(ja3).digest('hex'),
    ja4: '',
  };
  if (sni !== undefined) hello.sni = sni;
  if (partial) hello.partial = true;
  hello.ja4 = ja4Of(hello, transport);
  return { ok: true, hello };
}

const hex4 = (v: number) => v.toString(16).padStart(4, '0');
const sha12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

function versionCode(v: number): string {
  switch (v) {
    case 0x0304: return '13';
    case 0x0303: return '12';
    case 0x0302: return '11';
    case 0x0301: return '10';
    case 0x0300: return 's3';
    case 0x0002: return 's2';
    case 0xfeff: return 'd1';
    case 0xfefd: return 'd2';
    case 0xfefc: return 'd3';
    default: return '00';
  }
}

/** JA4 (FoxIO): <t|q><version><d|i><#ciphers><#extensions><alpn>_<cipher hash>_<extension hash> */
function ja4Of(h: ClientHello, transport: 't' | 'q'): string {
  const ciphers = h.ciphers.filter((c) => !isGrease(c));
  const exts = h.extensions.filter((x) => !isGrease(x));
  const first = h.alpn[0] ?? '';
  let alpnCode = '00';
  if (first.length > 0) {
    const a = first[0]!;
    const z = first[first.length - 1]!;
    const ascii = (ch: string) => /[0-9A-Za-z]/.test(ch);
    alpnCode = ascii(a) && ascii(z) ? a + z : hex4(first.charCodeAt(0)).slice(0, 1) + hex4(first.charCodeAt(first.length - 1)).slice(-1);
  }
  const two = (n: number) => String(Math.min(n, 99)).padStart(2, '0');
  const a = `${transport}${versionCode(h.maxVersion)}${h.sni !== undefined ? 'd' : 'i'}${two(ciphers.length)}${two(exts.length)}${alpnCode}`;
  const b = ciphers.length === 0 ? '000000000000' : sha12(ciphers.map(hex4).sort().join(','));
  const extList = exts.filter((x) => x !== 0x0000 && x !== 0x0010).map(hex4).sort().join(',');
  const sigs = h.signatureAlgorithms.map(hex4).join(',');
  const c = extList === '' && sigs === '' ? '000000000000' : sha12(sigs === '' ? extList : `${extList}_${sigs}`);
  return `${a}_${b}_${c}`;
}
