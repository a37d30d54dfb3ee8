/**
 * pcap and pcapng readers. A damaged capture is read up to the damage: the reader stops there
 * and reports why, it never throws on file content.
 */

export interface RawPacket {
  /** seconds since the epoch, with sub-second precision */
  ts: number;
  linktype: number;
  /** captured bytes (may be shorter than origLen when the capture used a snap length) */
  data: Uint8Array;
  origLen: number;
  interfaceId: number;
}

export interface CaptureDamage {
  /** byte offset where reading stopped or the bad block starts */
  offset: number;
  reason: string;
}

export interface CaptureReadResult {
  format: 'pcap' | 'pcapng';
  packets: RawPacket[];
  /** blocks or records that were skipped (unknown blocks are not damage) */
  damage: CaptureDamage[];
  /** true when reading stopped before the end of the buffer */
  truncated: boolean;
}

export class CaptureFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureFormatError';
  }
}

/** Largest packet we accept; larger lengths mean a corrupt record. */
const MAX_PACKET = 262_144 * 4;

export function readCapture(buf: Uint8Array): CaptureReadResult {
  if (buf.length < 4) throw new CaptureFormatError(`not a capture: ${buf.length} bytes`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const m = dv.getUint32(0, false);
  if (m === 0x0a0d0d0a) return readPcapng(buf, dv);
  if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) return readPcap(buf, dv, m);
  throw new CaptureFormatError(`not a pcap or pcapng file (magic 0x${m.toString(16).padStart(8, '0')})`);
}

function readPcap(buf: Uint8Array, dv: DataView, magic: number): CaptureReadResult {
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const out: CaptureReadResult = { format: 'pcap', packets: [], damage: [], truncated: false };
  if (buf.length < 24) {
    out.damage.push({ offset: 0, reason: 'file header truncated' });
    out.truncated = true;
    return out;
  }
  const linktypeField = dv.getUint32(20, le);
  // the upper bits can carry an FCS length; the link type is the low 16 bits
  const linktype = linktypeField & 0xffff;
  let off = 24;
  while (off < buf.length) {
    if (off + 16 > buf.length) {
      out.damage.push({ offset: off, reason: `record header truncated (${buf.length - off} of 16 bytes)` });
      out.truncated = true;
      break;
    }
    const sec = dv.getUint32(off, le);
    const frac = dv.getUint32(off + 4, le);
    const incl = dv.getUint32(off + 8, le);
    const orig = dv.getUint32(off + 12, le);
    if (incl > MAX_PACKET) {
      out.damage.push({ offset: off, reason: `record length ${incl} is not plausible` });
      out.truncated = true;
      break;
    }
    if (off + 16 + incl > buf.length) {
      out.damage.push({ offset: off, reason: `record data truncated (${buf.length - off - 16} of ${incl} bytes)` });
      out.truncated = true;
      break;
    }
    out.packets.push({
      ts: sec + frac / (nano ? 1e9 : 1e6),
      linktype,
      data: buf.subarray(off + 16, off + 16 + incl),
      origLen: orig,
      interfaceId: 0,
    });
    off += 16 + incl;
  }
  return out;
}

interface NgInterface {
  linktype: number;
  /** timestamp units per second */
  unitsPerSec: number;
  tsOffset: number;
}

function readPcapng(buf: Uint8Array, dv: DataView): CaptureReadResult {
  const out: CaptureReadResult = { format: 'pcapng', packets: [], damage: [], truncated: false };
  let le = true;
  let ifaces: NgInterface[] = [];
  let off = 0;
  const stop = (reason: string) => {
    out.damage.push({ offset: off, reason });
    out.truncated = true;
  };
  while (off < buf.length) {
    if (off + 12 > buf.length) {
      stop(`block header truncated (${buf.length - off} bytes left)`);
      break;
    }
    const rawType = dv.getUint32(off, false);
    if (rawType === 0x0a0d0d0a) {
      // Section Header Block: its byte-order magic sets the endianness of this section
      const bom = dv.getUint32(off + 8, false);
      if (bom === 0x1a2b3c4d) le = false;
      else if (bom === 0x4d3c2b1a) le = true;
      else {
        stop(`bad byte-order magic 0x${bom.toString(16)}`);
        break;
      }
      ifaces = [];
    }
    const type = dv.getUint32(off, le);
    const len = dv.getUint32(off + 4, le);
    if (len < 12 || len % 4 !== 0 || len > MAX_PACKET + 64) {
      stop(`block length ${len} is not valid`);
      break;
    }
    if (off + len > buf.length) {
      stop(`block truncated (${buf.length - off} of ${len} bytes)`);
      break;
    }
    if (dv.getUint32(off + len - 4, le) !== len) {
      stop('trailing block length does not match');
      break;
    }
    const body = off + 8;
    const bodyLen = len - 12;
    if (type === 0x00000001) {
      if (bodyLen < 8) out.damage.push({ offset: off, reason: 'interface block too short' });
      else ifaces.push(parseIdb(buf, dv, body, bodyLen, le));
    } else if (type === 0x00000006 || type === 0x00000002) {
      // Enhanced Packet Block (and the obsolete Packet Block, same layout but a 16-bit interface id)
      if (bodyLen < 20) out.damage.push({ offset: off, reason: 'packet block too short' });
      else {
        const ifId = type === 6 ? dv.getUint32(body, le) : dv.getUint16(body, le);
        const tsHigh = dv.getUint32(body + 4, le);
        const tsLow = dv.getUint32(body + 8, le);
        const capLen = dv.getUint32(body + 12, le);
        const origLen = dv.getUint32(body + 16, le);
        const iface = ifaces[ifId];
        if (!iface) out.damage.push({ offset: off, reason: `packet for unknown interface ${ifId}` });
        else if (capLen > bodyLen - 20) out.damage.push({ offset: off, reason: `captured length ${capLen} exceeds block` });
        else {
          const units = tsHigh * 4294967296 + tsLow;
          out.packets.push({
            ts: units / iface.unitsPerSec + iface.tsOffset,
            linktype: iface.linktype,
            data: buf.subarray(body + 20, body + 20 + capLen),
            origLen,
            interfaceId: ifId,
          });
        }
      }
    } else if (type === 0x00000003) {
      // Simple Packet Block: interface 0, no timestamp
      const iface = ifaces[0];
      if (!iface || bodyLen < 4) out.damage.push({ offset: off, reason: 'simple packet block without interface' });
      else {
        const origLen = dv.getUint32(body, le);
        const capLen = Math.min(origLen, bodyLen - 4);
        out.packets.push({ ts: 0, linktype: iface.linktype, data: buf.subarray(body + 4, body + 4 + capLen), origLen, interfaceId: 0 });
      }
    }
    off += len;
  }
  return out;
}

function parseIdb(buf: Uint8Array, dv: DataView, body: number, bodyLen: number, le: boolean): NgInterface {
  const iface: NgInterface = { linktype: dv.getUint16(body, le), unitsPerSec: 1e6, tsOffset: 0 };
  let o = body + 8;
  const end = body + bodyLen;
  while (o + 4 <= end) {
    const code = dv.getUint16(o, le);
    const olen = dv.getUint16(o + 2, le);
    if (code === 0 || o + 4 + olen > end) break;
    if (code === 9 && olen >= 1) {
      const r = buf[o + 4] ?? 6;
      iface.unitsPerSec = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** (r & 0x7f);
    } else if (code === 14 && olen >= 8) {
      iface.tsOffset = Number(dv.getBigInt64(o + 4, le));
    }
    o += 4 + ((olen + 3) & ~3);
  }
  return iface;
}
