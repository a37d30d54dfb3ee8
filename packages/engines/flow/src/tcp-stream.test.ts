import { describe, expect, it } from 'vitest';
import { TcpStream } from './tcp-stream.js';

const text = (s: TcpStream, contiguous = false) => Buffer.from(s.read({ contiguous }).data).toString('latin1');
const b = (s: string) => Buffer.from(s, 'latin1');

describe('TcpStream', () => {
  it('orders out-of-order segments after the SYN', () => {
    const s = new TcpStream();
    s.syn(999);
    s.add(1006, b('world'));
    expect(text(s, true)).toBe('');
    s.add(1000, b('hello '));
    expect(text(s, true)).toBe('hello world');
    expect(s.outOfOrder).toBe(1);
  });

  it('keeps the first copy of overlapping and retransmitted bytes', () => {
    const s = new TcpStream();
    s.syn(0);
    s.add(1, b('abcdef'));
    s.add(4, b('XYZxyz')); // overlaps "def": first-seen wins, "xyz" is new
    s.add(1, b('abc')); // plain retransmission
    expect(text(s)).toBe('abcdefxyz');
    expect(s.duplicateBytes).toBe(6);
    const t = new TcpStream();
    t.syn(0);
    t.add(5, b('EFGH'));
    t.add(1, b('abcdefgh')); // arrives later but covers a hole and the early segment
    expect(text(t)).toBe('abcdEFGH');
  });

  it('handles sequence numbers that wrap around 2^32', () => {
    const s = new TcpStream();
    s.syn(0xfffffffd);
    s.add(0xfffffffe, b('ab'));
    s.add(0, b('cd'));
    expect(text(s, true)).toBe('abcd');
  });

  it('bounds memory to maxBytes from the start of the stream', () => {
    const s = new TcpStream(8);
    s.syn(0);
    s.add(1, b('0123456789'));
    s.add(11, b('abc'));
    expect(text(s)).toBe('01234567');
    expect(s.size).toBe(8);
    expect(s.droppedBytes).toBe(5);
  });

  it('re-bases a mid-stream capture when earlier data arrives late', () => {
    const s = new TcpStream();
    s.add(5000, b('second'));
    s.add(4994, b('first '));
    expect(text(s, true)).toBe('first second');
  });

  it('skips holes on request and counts them', () => {
    const s = new TcpStream();
    s.syn(0);
    s.add(1, b('aa'));
    s.add(10, b('bb'));
    expect(s.read().gaps).toBe(1);
    expect(text(s)).toBe('aabb');
    expect(text(s, true)).toBe('aa');
  });
});
