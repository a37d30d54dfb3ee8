import { describe, expect, it } from 'vitest';
import { HeadError, HeadReader, parseRequestHead, parseResponseHead, parseTrailerFields } from './head.js';

/** feed `text` in pieces cut at `cuts`; the head's [start, end) in the collected bytes */
function readIn(text: string, cuts: number[], max = 8192): { start: number; end: number; bytes: Buffer } {
  const r = new HeadReader(max, 431, true);
  const all = Buffer.from(text, 'latin1');
  let prev = 0;
  for (const c of [...cuts, all.length]) {
    const end = r.push(all.subarray(prev, c));
    prev = c;
    if (end >= 0) return { start: r.start, end, bytes: r.pending! };
  }
  return { start: -1, end: -1, bytes: Buffer.alloc(0) };
}

function refusal(f: () => unknown): { status: number; message: string } | null {
  try {
    f();
    return null;
  } catch (e) {
    if (e instanceof HeadError) return { status: e.status, message: e.message };
    throw e;
  }
}

const REQ = 'POST http://site.test/upload?x=1 HTTP/1.1\r\nHost: site.test\r\nContent-Length: 5\r\nX-Thing:  spaced value \t\r\n\r\nhelloGET';

describe('HeadReader', () => {
  it('finds the end of a head split at every byte boundary, with the body bytes after it', () => {
    const whole = readIn(REQ, []);
    expect(whole.end).toBe(REQ.indexOf('\r\n\r\n') + 4);
    for (let i = 1; i < REQ.length; i++) {
      const r = readIn(REQ, [i]);
      expect(r.end, `cut at ${i}`).toBe(whole.end);
      for (let j = i + 1; j < Math.min(REQ.length, i + 4); j++) expect(readIn(REQ, [i, j]).end, `cuts at ${i},${j}`).toBe(whole.end);
    }
    expect(whole.bytes.subarray(whole.end).toString()).toBe('helloGET');
  });

  it('skips empty lines before a request line (after a previous body)', () => {
    const r = readIn('\r\n\r\nGET / HTTP/1.1\r\n\r\n', [1, 3]);
    expect(r.start).toBe(4);
    expect(r.bytes.toString('latin1', r.start, r.end - 4)).toBe('GET / HTTP/1.1');
  });

  it('refuses a bare LF and a head over the limit', () => {
    expect(refusal(() => readIn('GET / HTTP/1.1\nHost: x\r\n\r\n', []))).toMatchObject({ status: 400 });
    expect(refusal(() => readIn(`GET / HTTP/1.1\r\nX: ${'a'.repeat(300)}\r\n\r\n`, [], 200))).toMatchObject({ status: 431 });
    // over the limit before the end arrives
    expect(refusal(() => readIn(`GET / HTTP/1.1\r\nX: ${'a'.repeat(300)}`, [], 200))).toMatchObject({ status: 431 });
    // endless empty lines are bounded too
    expect(refusal(() => readIn('\r\n'.repeat(200), [], 200))).toMatchObject({ status: 431 });
  });
});

describe('parseRequestHead', () => {
  it('parses the request line, headers (OWS trimmed) and framing', () => {
    const h = parseRequestHead(REQ.slice(0, REQ.indexOf('\r\n\r\n')));
    expect(h).toMatchObject({ method: 'POST', target: 'http://site.test/upload?x=1', minor: 1, contentLength: 5, chunked: false, close: false, host: 'site.test' });
    expect(h.names).toEqual(['host', 'content-length', 'x-thing']);
    expect(h.rawNames).toEqual(['Host', 'Content-Length', 'X-Thing']);
    expect(h.values[2]).toBe('spaced value');
  });

  it('knows keep-alive and close for HTTP/1.0 and 1.1, and the Connection tokens', () => {
    expect(parseRequestHead('GET / HTTP/1.0').close).toBe(true);
    expect(parseRequestHead('GET / HTTP/1.0\r\nConnection: Keep-Alive').close).toBe(false);
    expect(parseRequestHead('GET / HTTP/1.1\r\nConnection: close').close).toBe(true);
    const h = parseRequestHead('GET / HTTP/1.1\r\nConnection: keep-alive, X-Hop, Upgrade');
    expect(h).toMatchObject({ close: false, connUpgrade: true, connTokens: ['x-hop'] });
  });

  it('accepts chunked and identical repeated Content-Length values', () => {
    expect(parseRequestHead('POST / HTTP/1.1\r\nTransfer-Encoding: chunked')).toMatchObject({ chunked: true, contentLength: -1 });
    expect(parseRequestHead('POST / HTTP/1.1\r\nContent-Length: 7\r\nContent-Length: 7').contentLength).toBe(7);
    expect(parseRequestHead('POST / HTTP/1.1\r\nContent-Length: 7, 7').contentLength).toBe(7);
  });

  it.each([
    ['conflicting Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 30', 400],
    ['conflicting Content-Length list', 'POST / HTTP/1.1\r\nContent-Length: 4, 5', 400],
    ['signed Content-Length', 'POST / HTTP/1.1\r\nContent-Length: +4', 400],
    ['huge Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 1234567890123456', 400],
    ['CL.TE', 'POST / HTTP/1.1\r\nContent-Length: 6\r\nTransfer-Encoding: chunked', 400],
    ['TE.CL', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 6', 400],
    ['TE.TE: chunked, identity', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity', 400],
    ['TE.TE: two headers', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x', 400],
    ['TE: gzip, chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked', 400],
    ['TE: xchunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: xchunked', 400],
    ['TE in HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked', 400],
    ['space before the colon', 'GET / HTTP/1.1\r\nTransfer-Encoding : chunked', 400],
    ['obs-fold', 'GET / HTTP/1.1\r\nX-A: 1\r\n folded', 400],
    ['header name with a space', 'GET / HTTP/1.1\r\nBad Header: x', 400],
    ['no colon', 'GET / HTTP/1.1\r\nNoColon', 400],
    ['NUL in a value', 'GET / HTTP/1.1\r\nX-A: a\x00b', 400],
    ['bare CR in a value', 'GET / HTTP/1.1\r\nX-A: a\rb', 400],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b', 400],
    ['double space in the request line', 'GET  HTTP/1.1 extra', 400],
    ['lowercase version', 'GET / http/1.1', 400],
    ['control in the target', 'GET /a\x01b HTTP/1.1', 400],
    ['garbage', '\x16\x03\x01garbage', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0', 505],
  ])('refuses %s', (_what, head, status) => {
    expect(refusal(() => parseRequestHead(head))).toMatchObject({ status });
  });
});

describe('parseResponseHead', () => {
  it('parses status, reason and Content-Length', () => {
    expect(parseResponseHead('HTTP/1.1 404 Not Found\r\nContent-Length: 3')).toMatchObject({ status: 404, reason: 'Not Found', contentLength: 3, close: false });
    expect(parseResponseHead('HTTP/1.1 204')).toMatchObject({ status: 204, reason: '' });
  });

  it('lets Transfer-Encoding override Content-Length and then closes', () => {
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked')).toMatchObject({ chunked: true, contentLength: -1, close: true });
  });

  it('reads a response whose Transfer-Encoding does not end in chunked until close', () => {
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip')).toMatchObject({ chunked: false, closeDelimited: true });
  });

  it('reads the Keep-Alive timeout hint, and HTTP/1.0 closes by default', () => {
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100').keepAliveTimeout).toBe(5);
    expect(parseResponseHead('HTTP/1.0 200 OK').close).toBe(true);
    expect(parseResponseHead('HTTP/1.0 200 OK\r\nConnection: keep-alive').close).toBe(false);
  });

  it('refuses malformed responses with 502', () => {
    expect(refusal(() => parseResponseHead('HTTP/1.1 2000 OK'))).toMatchObject({ status: 502 });
    expect(refusal(() => parseResponseHead('ICY 200 OK'))).toMatchObject({ status: 502 });
    expect(refusal(() => parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2'))).toMatchObject({ status: 502 });
  });
});

describe('parseTrailerFields', () => {
  it('keeps valid trailer fields and leaves out framing ones', () => {
    expect(parseTrailerFields('X-Checksum: abc\r\nContent-Length: 9', 400)).toEqual([['X-Checksum', 'abc']]);
    expect(refusal(() => parseTrailerFields('Bad Name: x', 400))).toMatchObject({ status: 400 });
  });
});
