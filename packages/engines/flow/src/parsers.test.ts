import { describe, expect, it } from 'vitest';
import { buildDnsQuery, buildTlsClientHelloRecord } from './capture-writer.js';
import { parseDnsMessage, parseDnsOverTcp } from './dns.js';
import { parseHttpRequests } from './http.js';
import { parseStun } from './stun.js';
import { parseTlsClientHello } from './tls.js';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('parseHttpRequests', () => {
  it('reads pipelined requests and skips bodies by Content-Length', () => {
    const r = parseHttpRequests(b('POST /a HTTP/1.1\r\nHost: x.example\r\nContent-Length: 4\r\n\r\nbodyGET /b HTTP/1.1\r\nHost: y.example\r\n\r\n'));
    expect(r.map((x) => [x.method, x.path, x.host])).toEqual([['POST', '/a', 'x.example'], ['GET', '/b', 'y.example']]);
  });
  it('takes the host from an absolute-form target or CONNECT', () => {
    expect(parseHttpRequests(b('GET http://proxy.example:8080/x HTTP/1.1\r\n\r\n'))[0]?.host).toBe('proxy.example:8080');
    expect(parseHttpRequests(b('CONNECT www.chatwork.com:443 HTTP/1.1\r\n\r\n'))[0]?.host).toBe('www.chatwork.com:443');
  });
  it('returns nothing for data that is not HTTP', () => {
    expect(parseHttpRequests(b('\x16\x03\x01garbage'))).toEqual([]);
    expect(parseHttpRequests(b('HELLO world'))).toEqual([]);
  });
});

describe('parseDnsMessage', () => {
  it('follows a compression pointer in the question and reads TCP framing', () => {
    const q = buildDnsQuery(5, 'www.example.jp');
    expect(parseDnsMessage(q)).toMatchObject({ qname: 'www.example.jp', id: 5 });
    const framed = Uint8Array.from([q.length >> 8, q.length & 0xff, ...q]);
    expect(parseDnsOverTcp(framed)?.qname).toBe('www.example.jp');
    // a question whose name is a pointer back into itself loops: rejected, not hung
    const loop = Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(parseDnsMessage(loop)).toBeUndefined();
    expect(parseDnsMessage(new Uint8Array(5))).toBeUndefined();
  });
});

describe('parseTlsClientHello', () => {
  it('says why it cannot read a stream', () => {
    expect(parseTlsClientHello(b('GET / HTTP/1.1'))).toMatchObject({ ok: false, reason: 'not a handshake record' });
    expect(parseTlsClientHello(new Uint8Array([0x16, 0x03]))).toMatchObject({ ok: false, needMore: true });
  });
  it('keeps the SNI of a hello cut short in its extensions and marks it partial', () => {
    const rec = buildTlsClientHelloRecord({ sni: 'www.note.com', alpn: ['h2'] });
    const r = parseTlsClientHello(rec.subarray(0, rec.length - 6));
    expect(r.ok && r.hello.sni).toBe('www.note.com');
    expect(r.ok && r.hello.partial).toBe(true);
  });
});

describe('parseStun', () => {
  it('reads REALM and SOFTWARE attributes', () => {
    const attr = (t: number, v: string) => {
      const d = [...b(v)];
      while (d.length % 4 !== 0) d.push(0);
      return [t >> 8, t & 0xff, v.length >> 8, v.length & 0xff, ...d];
    };
    const attrs = [...attr(0x0014, 'example.org'), ...attr(0x8022, 'test 1.0')];
    const msg = Uint8Array.from([0x01, 0x01, attrs.length >> 8, attrs.length & 0xff, 0x21, 0x12, 0xa4, 0x42, ...new Array<number>(12).fill(1), ...attrs]);
    expect(parseStun(msg)).toEqual({ type: 0x0101, realm: 'example.org', software: 'test 1.0' });
    expect(parseStun(msg.subarray(0, 30))).toBeUndefined();
  });
});
