/**
 * Chunked transfer coding (RFC 9112 §7.1): an incremental, strict decoder that hands out the data
 * as slices of the bytes it is fed (no copies), validates chunk sizes, extensions and the trailer
 * section, and says where the message ended; and the encoder side for what the proxy sends on.
 */
import { HeadError, parseTrailerFields } from './head.js';

const S_SIZE = 0;
const S_SIZE_WS = 1;
const S_EXT = 2;
const S_SIZE_LF = 3;
const S_DATA = 4;
const S_DATA_CR = 5;
const S_DATA_LF = 6;
const S_TRAILER = 7;
const S_DONE = 8;

/** chunk sizes beyond 2^48 bytes are refused */
const MAX_SIZE_DIGITS = 12;
const MAX_EXT_BYTES = 4096;

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export class ChunkedDecoder {
  private state = S_SIZE;
  private size = 0;
  private digits = 0;
  private ext = 0;
  private remaining = 0;
  private trailer = '';
  /** the trailer fields of the finished message */
  trailers: Array<[string, string]> = [];

  /**
   * @param maxTrailerBytes trailer section size limit
   * @param bad the status of a HeadError for bad framing (400 for requests, 502 for responses)
   */
  constructor(
    private readonly maxTrailerBytes: number,
    private readonly bad: number,
  ) {}

  get done(): boolean {
    return this.state === S_DONE;
  }

  reset(): void {
    this.state = S_SIZE;
    this.size = 0;
    this.digits = 0;
    this.ext = 0;
    this.remaining = 0;
    this.trailer = '';
    this.trailers = [];
  }

  private fail(what: string): never {
    throw new HeadError(this.bad, this.bad === 400 ? `Bad Request: ${what}` : `${what} from the origin`);
  }

  /**
   * decode from `buf` starting at `pos`: data slices go to `onData`; returns the offset just past
   * the end of the message, or -1 when all of `buf` was consumed and the message goes on.
   * Throws HeadError on bad framing.
   */
  feed(buf: Buffer, pos: number, onData: (data: Buffer) => void): number {
    const n = buf.length;
    let i = pos;
    while (i < n) {
      switch (this.state) {
        case S_DATA: {
          const take = Math.min(this.remaining, n - i);
          onData(buf.subarray(i, i + take));
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = S_DATA_CR;
          break;
        }
        case S_SIZE: {
          const c = buf[i]!;
          const v = hexVal(c);
          if (v >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) this.fail('chunk size too large');
            this.size = this.size * 16 + v;
          } else if (this.digits === 0) this.fail('invalid chunk size');
          else if (c === 13) this.state = S_SIZE_LF;
          else if (c === 59) this.state = S_EXT; // ';'
          else if (c === 32 || c === 9) this.state = S_SIZE_WS;
          else this.fail('invalid chunk size');
          i++;
          break;
        }
        case S_SIZE_WS: {
          // BWS before a chunk extension
          const c = buf[i++]!;
          if (c === 59) this.state = S_EXT;
          else if (c === 13) this.state = S_SIZE_LF;
          else if (c !== 32 && c !== 9) this.fail('invalid chunk size');
          break;
        }
        case S_EXT: {
          const c = buf[i++]!;
          if (c === 13) this.state = S_SIZE_LF;
          else if ((c < 32 && c !== 9) || c === 127) this.fail('invalid chunk extension');
          else if (++this.ext > MAX_EXT_BYTES) this.fail('chunk extension too long');
          break;
        }
        case S_SIZE_LF: {
          if (buf[i++] !== 10) this.fail('bad chunk line ending');
          this.ext = 0;
          this.digits = 0;
          if (this.size === 0) {
            this.state = S_TRAILER;
            this.trailer = '';
          } else {
            this.remaining = this.size;
            this.size = 0;
            this.state = S_DATA;
          }
          break;
        }
        case S_DATA_CR:
          if (buf[i++] !== 13) this.fail('chunk data longer than its size');
          this.state = S_DATA_LF;
          break;
        case S_DATA_LF:
          if (buf[i++] !== 10) this.fail('bad chunk line ending');
          this.state = S_SIZE;
          break;
        case S_TRAILER: {
          // trailer lines until an empty line; kept as text, validated at the end
          const lf = buf.indexOf(10, i);
          const end = lf < 0 ? n : lf + 1;
          this.trailer += buf.toString('latin1', i, end);
          if (this.trailer.length > this.maxTrailerBytes) this.fail('trailer section too large');
          i = end;
          if (lf < 0) break;
          const t = this.trailer;
          if (t.length < 2 || t.charCodeAt(t.length - 2) !== 13) this.fail('bare LF in the trailer section');
          if (t === '\r\n' || t.endsWith('\r\n\r\n')) {
            this.trailers = parseTrailerFields(t.length === 2 ? '' : t.slice(0, -4), this.bad);
            this.state = S_DONE;
            return i;
          }
          break;
        }
        default:
          return i;
      }
    }
    return -1;
  }
}

const CRLF = Buffer.from('\r\n');

/** one chunk of `data` in chunked coding, as one buffer (small) or three (large, no copy) */
export function encodeChunk(data: Buffer): Buffer[] {
  const size = `${data.length.toString(16)}\r\n`;
  if (data.length > 16_384) return [Buffer.from(size, 'latin1'), data, CRLF];
  const out = Buffer.allocUnsafe(size.length + data.length + 2);
  out.write(size, 0, 'latin1');
  data.copy(out, size.length);
  out[out.length - 2] = 13;
  out[out.length - 1] = 10;
  return [out];
}

/** the last chunk with the trailer fields (validated earlier) */
export function lastChunk(trailers: Array<[string, string]>): Buffer {
  let s = '0\r\n';
  for (const [k, v] of trailers) s += `${k}: ${v}\r\n`;
  return Buffer.from(s + '\r\n', 'latin1');
}
