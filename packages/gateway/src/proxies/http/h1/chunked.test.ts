import { describe, expect, it } from 'vitest';
import { ChunkedDecoder, encodeChunk, lastChunk } from './chunked.js';
import { HeadError } from './head.js';

/** decode `wire` fed in pieces cut at `cuts`: data, trailers, and the end offset in `wire` (-1: not ended) */
function decode(wire: Buffer, cuts: number[] = []): { data: string; trailers: Array<[string, string]>; end: number } {
  const d = new ChunkedDecoder(1024, 400);
  const parts: Buffer[] = [];
  let prev = 0;
  for (const c of [...cuts, wire.length]) {
    const piece = wire.subarray(prev, c);
    const end = d.feed(piece, 0, (b) => parts.push(Buffer.from(b)));
    if (end >= 0) return { data: Buffer.concat(parts).toString('latin1'), trailers: d.trailers, end: prev + end };
    prev = c;
  }
  return { data: Buffer.concat(parts).toString('latin1'), trailers: d.trailers, end: -1 };
}

function refused(wire: string): number | null {
  try {
    decode(Buffer.from(wire, 'latin1'));
    return null;
  } catch (e) {
    if (e instanceof HeadError) return e.status;
    throw e;
  }
}

const WIRE = Buffer.from('5;name=value;q="quoted ; thing"\r\nhello\r\n1A \t; ext\r\nabcdefghijklmnopqrstuvwxyz\r\n0;last\r\nX-Sum: 42\r\nX-Other:  v \r\n\r\nGET /next HTTP/1.1\r\n', 'latin1');

describe('ChunkedDecoder', () => {
  it('decodes chunks with extensions and trailers and says where the message ends', () => {
    const r = decode(WIRE);
    expect(r.data).toBe('helloabcdefghijklmnopqrstuvwxyz');
    expect(r.trailers).toEqual([['X-Sum', '42'], ['X-Other', 'v']]);
    expect(WIRE.subarray(r.end).toString()).toBe('GET /next HTTP/1.1\r\n');
  });

  it('gives the same result split at every byte boundary (and every pair of boundaries nearby)', () => {
    const want = decode(WIRE);
    for (let i = 1; i < WIRE.length; i++) {
      expect(decode(WIRE, [i]), `cut at ${i}`).toEqual(want);
      for (let j = i + 1; j < Math.min(WIRE.length, i + 3); j++) expect(decode(WIRE, [i, j]), `cuts ${i},${j}`).toEqual(want);
    }
  });

  it('ends without trailers, and waits when the end has not arrived', () => {
    expect(decode(Buffer.from('0\r\n\r\n'))).toMatchObject({ data: '', end: 5, trailers: [] });
    expect(decode(Buffer.from('3\r\nabc\r\n0\r\n'))).toMatchObject({ data: 'abc', end: -1 });
  });

  it.each([
    ['a size that is not hex', 'zz\r\n'],
    ['no size', '\r\nabc\r\n'],
    ['a negative size', '-1\r\n'],
    ['a size with more than 12 digits', '1000000000000\r\n'],
    ['bare LF after the size', '3\nabc\r\n0\r\n\r\n'],
    ['data longer than its size', '3\r\nabcd\r\n0\r\n\r\n'],
    ['no CRLF after the data', '3\r\nabcX\n0\r\n\r\n'],
    ['a control character in an extension', '3;a=\x01\r\nabc\r\n0\r\n\r\n'],
    ['a bad trailer line', '0\r\nBad Trailer: x\r\n\r\n'],
    ['a bare LF in the trailers', '0\r\nX-A: 1\n\r\n'],
    ['trailers over the limit', `0\r\nX-A: ${'a'.repeat(2000)}\r\n\r\n`],
  ])('refuses %s', (_what, wire) => {
    expect(refused(wire)).toBe(400);
  });

  it('answers framing errors of a response with the status it was made with', () => {
    const d = new ChunkedDecoder(1024, 502);
    expect(() => d.feed(Buffer.from('x\r\n'), 0, () => undefined)).toThrow(HeadError);
    try {
      new ChunkedDecoder(1024, 502).feed(Buffer.from('x\r\n'), 0, () => undefined);
    } catch (e) {
      expect((e as HeadError).status).toBe(502);
    }
  });
});

describe('encodeChunk / lastChunk', () => {
  it('encodes what the decoder reads back, small and large chunks alike', () => {
    const big = Buffer.alloc(40_000, 'b');
    const wire = Buffer.concat([...encodeChunk(Buffer.from('hello')), ...encodeChunk(big), lastChunk([['X-Sum', '1']])]);
    const r = decode(wire);
    expect(r.data).toBe('hello' + big.toString('latin1'));
    expect(r.trailers).toEqual([['X-Sum', '1']]);
    expect(r.end).toBe(wire.length);
    expect(encodeChunk(Buffer.from('hello'))[0]!.toString()).toBe('5\r\nhello\r\n');
  });
});
