/**
 * HTTP/1.1 message heads (RFC 9112): an incremental reader that finds the end of a head in the
 * bytes of a connection (strict CRLF line endings, bounded size) and a strict parser for request
 * and response heads that also settles the body framing. What request smuggling relies on is
 * refused: bare LF, obs-fold, whitespace before the colon, invalid header names or values,
 * conflicting or malformed Content-Length, Content-Length together with Transfer-Encoding, and a
 * request Transfer-Encoding other than exactly "chunked".
 */

/** a head the parser refuses: the status to answer with (400, 431, 505; 502 for responses) */
export class HeadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Head {
  /** request method ('' for a response) */
  method: string;
  /** request target as sent ('' for a response) */
  target: string;
  /** response status (0 for a request) */
  status: number;
  reason: string;
  /** HTTP/1.<minor> */
  minor: number;
  /** header names lowercased, as sent, and values (OWS trimmed), index-aligned */
  names: string[];
  rawNames: string[];
  values: string[];
  /** -1 when absent */
  contentLength: number;
  chunked: boolean;
  /** a response Transfer-Encoding not ending in chunked: the body runs until the connection closes */
  closeDelimited: boolean;
  /** the sender asked to close the connection after this message (or HTTP/1.0 without keep-alive) */
  close: boolean;
  /** Connection: upgrade */
  connUpgrade: boolean;
  /** other header names the Connection header lists (hop-by-hop for this message) */
  connTokens: string[] | null;
  host: string | undefined;
  upgrade: string | undefined;
  expect: string | undefined;
  /** response Keep-Alive: timeout=N, seconds (-1 when absent) */
  keepAliveTimeout: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([\x21-\x7e\x80-\xff]+) HTTP\/(\d)\.(\d)$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
// header values: no control characters but HTAB (CR, LF and NUL above all)
// eslint-disable-next-line no-control-regex
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
const DIGITS = /^\d{1,15}$/;

/**
 * Collects the bytes of one head. `push` returns the index just past the blank line that ends the
 * head within the buffer it was given (the concatenation of everything pushed since `reset`), or -1
 * when more bytes are needed; bytes before the head that are empty lines (CRLF) are allowed for
 * requests and reported by `start`.
 */
export class HeadReader {
  private buf: Buffer | null = null;
  /** LFs before this offset are checked */
  private scanned = 0;
  /** offset of the head's first byte (after leading empty lines) */
  start = 0;

  constructor(
    private readonly max: number,
    private readonly tooLarge: number,
    private readonly skipLeadingEmptyLines: boolean,
  ) {}

  get pending(): Buffer | null {
    return this.buf;
  }

  get size(): number {
    return this.buf ? this.buf.length : 0;
  }

  reset(): void {
    this.buf = null;
    this.scanned = 0;
    this.start = 0;
  }

  /**
   * add bytes; returns the end offset of the head (past CRLFCRLF) in `this.pending`, or -1.
   * Throws HeadError on a bare LF or when the head grows past the limit.
   */
  push(chunk: Buffer): number {
    const buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    this.buf = buf;
    let i = this.scanned;
    if (this.skipLeadingEmptyLines && this.start === i) {
      while (i + 1 < buf.length && buf[i] === 13 && buf[i + 1] === 10) i += 2;
      this.start = i;
      if (i + 1 === buf.length && buf[i] === 13) {
        this.scanned = i;
        return -1;
      }
    }
    for (;;) {
      const lf = buf.indexOf(10, i);
      if (lf < 0) break;
      if (lf === 0 || buf[lf - 1] !== 13) throw new HeadError(400, 'Bad Request: bare LF in the message head');
      // CRLF CRLF: the empty line that ends the head
      if (lf >= this.start + 3 && buf[lf - 2] === 10) {
        if (lf + 1 - this.start > this.max) throw new HeadError(this.tooLarge, 'head too large');
        this.scanned = lf + 1;
        return lf + 1;
      }
      i = lf + 1;
    }
    // a trailing CR may be the first half of the next CRLF
    this.scanned = buf.length > 0 && buf[buf.length - 1] === 13 ? buf.length - 1 : buf.length;
    if (buf.length - this.start > this.max || this.start > this.max) throw new HeadError(this.tooLarge, 'head too large');
    return -1;
  }
}

function emptyHead(): Head {
  return {
    method: '', target: '', status: 0, reason: '', minor: 1, names: [], rawNames: [], values: [], contentLength: -1, chunked: false,
    closeDelimited: false, close: false, connUpgrade: false, connTokens: null, host: undefined, upgrade: undefined, expect: undefined, keepAliveTimeout: -1,
  };
}

/** the head text (latin1, without the final CRLFCRLF) of a request */
export function parseRequestHead(text: string): Head {
  const h = emptyHead();
  const eol = text.indexOf('\r\n');
  const line = eol < 0 ? text : text.slice(0, eol);
  const m = REQUEST_LINE.exec(line);
  if (!m) {
    if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/\d\.\d$/.test(line)) throw new HeadError(400, 'Bad Request: invalid request target');
    throw new HeadError(400, 'Bad Request: malformed request line');
  }
  if (m[3] !== '1') throw new HeadError(505, `HTTP Version Not Supported: HTTP/${m[3]}.${m[4]}`);
  h.method = m[1]!;
  h.target = m[2]!;
  h.minor = m[4] === '0' ? 0 : 1;
  parseFields(text, eol < 0 ? text.length : eol + 2, h, 400);
  if (h.chunked) {
    if (h.contentLength >= 0) throw new HeadError(400, 'Bad Request: conflicting Content-Length and Transfer-Encoding');
    if (h.minor === 0) throw new HeadError(400, 'Bad Request: Transfer-Encoding in an HTTP/1.0 request');
  }
  if (h.closeDelimited) throw new HeadError(400, 'Bad Request: invalid Transfer-Encoding');
  return h;
}

/** the head text of a response; a malformed one is a HeadError with status 502 */
export function parseResponseHead(text: string): Head {
  const h = emptyHead();
  const eol = text.indexOf('\r\n');
  const line = eol < 0 ? text : text.slice(0, eol);
  const m = STATUS_LINE.exec(line);
  if (!m) throw new HeadError(502, 'malformed status line from the origin');
  h.minor = m[1] === '0' ? 0 : 1;
  h.status = Number(m[2]);
  h.reason = m[3] ?? '';
  parseFields(text, eol < 0 ? text.length : eol + 2, h, 502);
  // Transfer-Encoding overrides Content-Length (and the connection is not reused afterwards)
  if ((h.chunked || h.closeDelimited) && h.contentLength >= 0) {
    h.contentLength = -1;
    h.close = true;
  }
  return h;
}

/** header fields from `pos` of the head text (also trailer sections), with framing in `h` */
function parseFields(text: string, pos: number, h: Head, bad: number): void {
  let te: string | null = null;
  let connection: string | null = null;
  let keepAlive: string | null = null;
  const n = text.length;
  while (pos < n) {
    let eol = text.indexOf('\r\n', pos);
    if (eol < 0) eol = n;
    const colon = text.indexOf(':', pos);
    if (colon <= pos || colon > eol) throw new HeadError(bad, bad === 400 ? 'Bad Request: malformed header line' : 'malformed header from the origin');
    const raw = text.slice(pos, colon);
    if (!TOKEN.test(raw)) throw new HeadError(bad, bad === 400 ? 'Bad Request: invalid header name' : 'invalid header name from the origin');
    let a = colon + 1;
    let b = eol;
    while (a < b && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++;
    while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9)) b--;
    const value = text.slice(a, b);
    if (BAD_VALUE.test(value)) throw new HeadError(bad, bad === 400 ? 'Bad Request: invalid header value' : 'invalid header value from the origin');
    const name = raw.toLowerCase();
    h.names.push(name);
    h.rawNames.push(raw);
    h.values.push(value);
    switch (name) {
      case 'content-length':
        setLength(h, value, bad);
        break;
      case 'transfer-encoding':
        te = te === null ? value : `${te}, ${value}`;
        break;
      case 'connection':
        connection = connection === null ? value : `${connection}, ${value}`;
        break;
      case 'host':
        if (h.host !== undefined && h.status === 0) throw new HeadError(400, 'Bad Request: more than one Host header');
        h.host = value;
        break;
      case 'upgrade':
        h.upgrade = value;
        break;
      case 'expect':
        h.expect = value;
        break;
      case 'keep-alive':
        keepAlive = value;
        break;
    }
    pos = eol + 2;
  }
  if (te !== null) {
    const codings = te.toLowerCase().split(',').map((s) => s.trim());
    const last = codings[codings.length - 1];
    const chunkedCount = codings.filter((c) => c === 'chunked').length;
    if (h.status === 0) {
      // a request must say exactly "chunked": anything else is how TE.TE smuggling hides
      if (codings.length !== 1 || last !== 'chunked') h.closeDelimited = true;
      else h.chunked = true;
    } else if (last === 'chunked' && chunkedCount === 1) h.chunked = true;
    else h.closeDelimited = true;
  }
  let hasClose = false;
  let hasKeepAlive = false;
  if (connection !== null) {
    for (const tok of connection.toLowerCase().split(',')) {
      const t = tok.trim();
      if (t === 'close') hasClose = true;
      else if (t === 'keep-alive') hasKeepAlive = true;
      else if (t === 'upgrade') h.connUpgrade = true;
      else if (t) (h.connTokens ??= []).push(t);
    }
  }
  h.close = hasClose || (h.minor === 0 && !hasKeepAlive);
  if (keepAlive !== null) {
    const m = /(?:^|[,;\s])timeout\s*=\s*(\d{1,6})/i.exec(keepAlive);
    if (m) h.keepAliveTimeout = Number(m[1]);
  }
}

function setLength(h: Head, value: string, bad: number): void {
  let len = -1;
  for (const part of value.split(',')) {
    const p = part.trim();
    if (!DIGITS.test(p)) throw new HeadError(bad, bad === 400 ? 'Bad Request: invalid Content-Length' : 'invalid Content-Length from the origin');
    const v = Number(p);
    if (len >= 0 && v !== len) throw new HeadError(bad, bad === 400 ? 'Bad Request: conflicting Content-Length values' : 'conflicting Content-Length from the origin');
    len = v;
  }
  if (h.contentLength >= 0 && h.contentLength !== len) throw new HeadError(bad, bad === 400 ? 'Bad Request: conflicting Content-Length values' : 'conflicting Content-Length from the origin');
  h.contentLength = len;
}

/**
 * a trailer section's text (the lines after the last chunk, without the final CRLF), validated
 * like header lines; fields that must never be trailers (framing, routing) are left out
 */
export function parseTrailerFields(text: string, bad: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let eol = text.indexOf('\r\n', pos);
    if (eol < 0) eol = n;
    const colon = text.indexOf(':', pos);
    if (colon <= pos || colon > eol) throw new HeadError(bad, 'malformed trailer line');
    const raw = text.slice(pos, colon);
    if (!TOKEN.test(raw)) throw new HeadError(bad, 'invalid trailer name');
    const value = text.slice(colon + 1, eol).replace(/^[ \t]+|[ \t]+$/g, '');
    if (BAD_VALUE.test(value)) throw new HeadError(bad, 'invalid trailer value');
    if (!NOT_TRAILERS.has(raw.toLowerCase())) out.push([raw, value]);
    pos = eol + 2;
  }
  return out;
}

const NOT_TRAILERS = new Set(['content-length', 'transfer-encoding', 'host', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-connection', 'content-type', 'content-encoding', 'content-range']);

/** the value of a header (first occurrence), by lowercase name */
export function headerValue(h: Head, name: string): string | undefined {
  const i = h.names.indexOf(name);
  return i < 0 ? undefined : h.values[i];
}
