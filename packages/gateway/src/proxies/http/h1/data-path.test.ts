/**
 * The HTTP/1.1 data path end to end with real sockets: raw clients -> proxy -> a raw origin whose
 * responses are written byte for byte by the test (chunked with extensions and trailers,
 * close-delimited, HEAD, 304, 1xx before the final response, keep-alive hints), and an echo
 * origin for request bodies. Keep-alive, pipelining, request re-framing, pooling of origin
 * sockets, smuggling refusals and the hand-over to node:http are checked on the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { makePki, startHttpOrigin, type Origin } from '../../../test-support/origins.js';
import { startTestGateway, testPolicy, type TestGateway } from '../../../test-support/gateway.js';

interface RawOrigin {
  port: number;
  connections: number;
  /** request heads (and bodies) as received */
  received: string[];
  close(): Promise<void>;
}

/** scripted responses by path; `close`: the origin closes after writing */
const SCRIPT: Record<string, { wire: string | string[]; close?: boolean }> = {
  '/chunked': { wire: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Sum: 12\r\n\r\n' },
  '/chunked-split': { wire: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3', '\r\nabc', '\r', '\n0\r\n', '\r\n'] },
  '/close-delimited': { wire: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end', close: true },
  '/head': { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n' },
  '/not-modified': { wire: 'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n' },
  '/no-content': { wire: 'HTTP/1.1 204 No Content\r\n\r\n' },
  '/continue': { wire: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' },
  '/length': { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nKeep-Alive: timeout=30\r\nConnection: X-Hop\r\nX-Hop: secret\r\n\r\nfive!' },
  '/smuggle-response': { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd' },
  '/bad-chunks': { wire: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n' },
  '/origin-closes': { wire: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', close: true },
};

function startRawOrigin(): Promise<RawOrigin> {
  const o: RawOrigin = { port: 0, connections: 0, received: [], close: async () => undefined };
  const socks = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    o.connections++;
    socks.add(s);
    s.on('close', () => socks.delete(s));
    s.on('error', () => undefined);
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end + 4);
        buf = buf.slice(end + 4);
        o.received.push(head);
        const path = head.split(' ')[1] ?? '';
        const sc = SCRIPT[path] ?? { wire: 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' };
        void (async () => {
          for (const piece of Array.isArray(sc.wire) ? sc.wire : [sc.wire]) {
            s.write(piece);
            if (Array.isArray(sc.wire)) await new Promise((r) => setTimeout(r, 5));
          }
          if (sc.close) s.end();
        })();
      }
    });
  });
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () => {
      o.port = (srv.address() as net.AddressInfo).port;
      o.close = () =>
        new Promise<void>((r) => {
          for (const s of socks) s.destroy();
          srv.close(() => r());
        });
      resolve(o);
    }),
  );
}

/** a raw client: write `pieces` (numbers are pauses in ms), read until the proxy closes or `untilCount` responses */
function exchange(port: number, pieces: Array<string | number>, opts: { waitMs?: number; responses?: number; heads?: number } = {}): Promise<{ out: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    let out = '';
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ out, closed });
    };
    const timer = setTimeout(finish, opts.waitMs ?? 3000);
    s.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      if (opts.responses && parseResponses(out, opts.heads ?? 0).length >= opts.responses) finish();
    });
    s.on('end', () => {
      closed = true;
      finish();
    });
    s.on('error', finish);
    void (async () => {
      for (const p of pieces) {
        if (typeof p === 'number') await new Promise((r) => setTimeout(r, p));
        else if (!s.destroyed) s.write(p);
      }
    })();
  });
}

interface Resp {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** parse responses from the proxy (Content-Length or chunked; the rest is one close-delimited body) */
function parseResponses(out: string, headRequests = 0): Resp[] {
  const res: Resp[] = [];
  let rest = out;
  let heads = headRequests;
  while (rest.startsWith('HTTP/1.')) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const lines = rest.slice(0, end).split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    rest = rest.slice(end + 4);
    let body = '';
    if (heads > 0 || status === 204 || status === 304) heads = Math.max(0, heads - 1);
    else if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const eol = rest.indexOf('\r\n');
        if (eol < 0) return res;
        const size = parseInt(rest.slice(0, eol), 16);
        if (size === 0) {
          const tEnd = rest.indexOf('\r\n\r\n', eol - 2);
          if (tEnd < 0) return res;
          headers['trailers'] = rest.slice(eol + 2, tEnd);
          rest = rest.slice(tEnd + 4);
          break;
        }
        if (rest.length < eol + 2 + size + 2) return res;
        body += rest.slice(eol + 2, eol + 2 + size);
        rest = rest.slice(eol + 2 + size + 2);
      }
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (rest.length < n) return res;
      body = rest.slice(0, n);
      rest = rest.slice(n);
    } else {
      body = rest;
      rest = '';
    }
    res.push({ status, headers, body });
  }
  return res;
}

let raw: RawOrigin;
let echo: Origin;
let gw: TestGateway;
const get = (path: string, extra = '') => `GET http://site.test:${raw.port}${path} HTTP/1.1\r\nHost: site.test\r\n${extra}\r\n`;

beforeAll(async () => {
  raw = await startRawOrigin();
  echo = await startHttpOrigin();
  gw = await startTestGateway(await makePki(), testPolicy((p) => (p.blockList = [{ value: 'blocked.test' }])), {}, { limits: { headersTimeoutMs: 2000, checkIntervalMs: 100 } });
});

afterAll(async () => {
  await gw?.close();
  await raw?.close();
  await echo?.close();
});

describe('HTTP/1.1 data path: responses', () => {
  it('passes a chunked response with extensions and trailers on as chunked, trailers included', async () => {
    const { out } = await exchange(gw.port, [get('/chunked')], { responses: 1 });
    const [r] = parseResponses(out);
    expect(r).toMatchObject({ status: 200, body: 'hello, world' });
    expect(r!.headers['transfer-encoding']).toBe('chunked');
    expect(r!.headers['trailers']).toBe('X-Sum: 12');
    expect(r!.headers['content-type']).toBe('text/plain');
  });

  it('reassembles a chunked response the origin writes in small pieces', async () => {
    const { out } = await exchange(gw.port, [get('/chunked-split')], { responses: 1 });
    expect(parseResponses(out)[0]).toMatchObject({ status: 200, body: 'abc' });
  });

  it('sends a close-delimited response chunked to an HTTP/1.1 client (connection kept) and close-delimited to HTTP/1.0', async () => {
    const r11 = await exchange(gw.port, [get('/close-delimited'), 200, get('/length')], { responses: 2 });
    const [a, b] = parseResponses(r11.out);
    expect(a).toMatchObject({ status: 200, body: 'until the end' });
    expect(a!.headers['transfer-encoding']).toBe('chunked');
    expect(b).toMatchObject({ status: 200, body: 'five!' });
    const r10 = await exchange(gw.port, [`GET http://site.test:${raw.port}/close-delimited HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`]);
    expect(r10.closed).toBe(true);
    const [c] = parseResponses(r10.out);
    expect(c).toMatchObject({ status: 200, body: 'until the end' });
    expect(c!.headers['transfer-encoding']).toBeUndefined();
    expect(c!.headers['connection']).toBe('close');
  });

  it('answers HEAD, 204 and 304 without a body and keeps the connection for the next request', async () => {
    const { out } = await exchange(gw.port, [`HEAD http://site.test:${raw.port}/head HTTP/1.1\r\nHost: site.test\r\n\r\n`, 100, get('/not-modified'), 100, get('/no-content'), 100, get('/length')], { responses: 4, heads: 1 });
    const rs = parseResponses(out, 1);
    expect(rs.map((r) => r.status)).toEqual([200, 304, 204, 200]);
    expect(rs[0]!.headers['content-length']).toBe('1234');
    expect(rs[0]!.body).toBe('');
    expect(rs[1]!.headers['etag']).toBe('"x"');
    expect(rs[3]!.body).toBe('five!');
  });

  it('skips 1xx responses and drops the hop-by-hop headers the origin names in Connection', async () => {
    const { out } = await exchange(gw.port, [get('/continue'), 50, get('/length')], { responses: 2 });
    const [a, b] = parseResponses(out);
    expect(a).toMatchObject({ status: 200, body: 'ok' });
    expect(out).not.toContain('100 Continue');
    expect(b!.headers['x-hop']).toBeUndefined();
    expect(b!.headers['keep-alive']).not.toBe('timeout=30');
  });

  it('answers a malformed origin response with 502 and never passes it on', async () => {
    const smuggled = await exchange(gw.port, [get('/smuggle-response')], { responses: 1 });
    expect(parseResponses(smuggled.out)[0]!.status).toBe(502);
    expect(smuggled.out).not.toContain('abcd');
    // a chunked body that goes bad after the head was sent: the client connection is cut
    // (the head waits for the first body bytes, so it is a 502 too)
    const bad = await exchange(gw.port, [get('/bad-chunks')]);
    expect(parseResponses(bad.out)[0]!.status).toBe(502);
    expect(bad.closed).toBe(true);
  });
});

describe('HTTP/1.1 data path: connections', () => {
  it('answers pipelined requests in order on one connection, and reuses origin sockets', async () => {
    const before = raw.connections;
    const { out, closed } = await exchange(gw.port, [get('/length') + get('/chunked') + get('/length', 'Connection: close\r\n')], { responses: 3, waitMs: 5000 });
    const rs = parseResponses(out);
    expect(rs.map((r) => r.body)).toEqual(['five!', 'hello, world', 'five!']);
    expect(rs[2]!.headers['connection']).toBe('close');
    expect(closed || rs.length === 3).toBe(true);
    // one at a time: a single origin socket served all three
    expect(raw.connections - before).toBeLessThanOrEqual(1);
  });

  it('retries an idempotent request once when the pooled origin socket was closed by the origin', async () => {
    const first = await exchange(gw.port, [get('/origin-closes')], { responses: 1 });
    expect(parseResponses(first.out)[0]).toMatchObject({ status: 200, body: 'ok' });
    await new Promise((r) => setTimeout(r, 50));
    const second = await exchange(gw.port, [get('/length')], { responses: 1 });
    expect(parseResponses(second.out)[0]).toMatchObject({ status: 200, body: 'five!' });
  });

  it('forwards a request head the client sends one byte at a time', async () => {
    const req = get('/length', 'X-Slow: yes\r\n');
    const { out } = await exchange(gw.port, req.split(''), { responses: 1 });
    expect(parseResponses(out)[0]).toMatchObject({ status: 200, body: 'five!' });
    expect(raw.received.some((h) => h.includes('X-Slow: yes'))).toBe(true);
  });

  it('writes the origin request with the Host of the target and without proxy or hop-by-hop headers', async () => {
    await exchange(gw.port, [`GET http://site.test:${raw.port}/length?q=1 HTTP/1.1\r\nHost: other.test\r\nProxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\nConnection: X-Private\r\nX-Private: 1\r\nX-Public: 2\r\n\r\n`], { responses: 1 });
    const h = raw.received.find((r) => r.startsWith('GET /length?q=1 '))!;
    expect(h).toMatch(/^GET \/length\?q=1 HTTP\/1\.1\r\nhost: site\.test:\d+\r\n/);
    expect(h).toContain('X-Public: 2');
    expect(h).not.toMatch(/proxy-|x-private|other\.test/i);
  });

  it('serves the block page on a kept-alive connection and goes on with the next request', async () => {
    const { out } = await exchange(gw.port, [`GET http://blocked.test/ HTTP/1.1\r\nHost: blocked.test\r\n\r\n` + get('/length')], { responses: 2 });
    const [a, b] = parseResponses(out);
    expect(a!.status).toBe(403);
    expect(a!.headers['x-mamori-block-reason']).toBe('blockList');
    expect(b).toMatchObject({ status: 200, body: 'five!' });
  });

  it('answers 500 pipelined requests sent in one write, in order (answers from the proxy itself included)', async () => {
    const n = 500;
    const reqs = Array.from({ length: n }, (_, i) => (i % 2 ? `GET http://blocked.test/${i} HTTP/1.1\r\nHost: blocked.test\r\n\r\n` : get('/length'))).join('');
    const { out } = await exchange(gw.port, [reqs], { responses: n, waitMs: 20_000 });
    const rs = parseResponses(out);
    expect(rs.length).toBe(n);
    expect(rs.every((r, i) => r.status === (i % 2 ? 403 : 200))).toBe(true);
  });

  it('hands CONNECT-less requests to the proxy itself (PAC) over to node:http mid-connection', async () => {
    const { out } = await exchange(gw.port, [get('/length'), 100, `GET /proxy.pac HTTP/1.1\r\nHost: 127.0.0.1:${gw.port}\r\n\r\n`], { responses: 2 });
    const [a, b] = parseResponses(out);
    expect(a!.body).toBe('five!');
    expect(b!.status).toBe(200);
    expect(b!.body).toContain('FindProxyForURL');
  });
});

describe('HTTP/1.1 data path: request bodies', () => {
  const post = (path: string, headers: string, body: string) => `POST http://site.test:${echo.port}${path} HTTP/1.1\r\nHost: site.test\r\n${headers}\r\n${body}`;

  it('forwards a Content-Length body split across writes', async () => {
    const { out } = await exchange(gw.port, [post('/cl', 'Content-Length: 11\r\n', 'hello'), 30, ' world'], { responses: 1 });
    expect(JSON.parse(parseResponses(out)[0]!.body)).toMatchObject({ method: 'POST', url: '/cl', bodyBytes: 11 });
  });

  it('re-frames a chunked body with extensions and trailers, and the next pipelined request follows', async () => {
    const body = '4;a=b\r\nwiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n';
    const { out } = await exchange(gw.port, [post('/chunked', 'Transfer-Encoding: chunked\r\n', body) + post('/after', 'Content-Length: 2\r\n', 'ok')], { responses: 2 });
    const [a, b] = parseResponses(out);
    expect(JSON.parse(a!.body)).toMatchObject({ url: '/chunked', bodyBytes: 9 });
    expect(JSON.parse(b!.body)).toMatchObject({ url: '/after', bodyBytes: 2 });
  });

  it('lets a large body through with backpressure intact', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const { out } = await exchange(gw.port, [post('/big', `Content-Length: ${big.length}\r\n`, big)], { responses: 1, waitMs: 10_000 });
    expect(JSON.parse(parseResponses(out)[0]!.body)).toMatchObject({ bodyBytes: big.length });
    const ev = gw.sink.events.find((e) => e.type === 'access' && e.url === `http://site.test:${echo.port}/big`);
    expect(ev).toMatchObject({ bytesUp: big.length, status: 200 });
  });

  it('refuses smuggling attempts with 400, closes, and the origin never sees the hidden request', async () => {
    const seen = () => echo.seen.filter((s) => s.includes('/smuggled')).length;
    const cases = [
      post('/s1', 'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n'),
      post('/s2', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n', '0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n'),
      post('/s3', 'Transfer-Encoding: chunked\r\n', '5\r\nabc\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n'),
      post('/s4', 'Transfer-Encoding: chunked\r\n', '3\nabc\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n'),
      post('/s5', 'Content-Length: 3\r\nContent-Length: 40\r\n', 'abcGET /smuggled HTTP/1.1\r\n\r\n'),
      `GET http://site.test:${echo.port}/s6 HTTP/1.1\r\nHost: site.test\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n`,
    ];
    for (const c of cases) {
      const { out, closed } = await exchange(gw.port, [c]);
      const rs = parseResponses(out);
      expect(rs.length, c).toBeGreaterThanOrEqual(1);
      expect(rs[rs.length - 1]!.status, c).toBe(400);
      expect(closed, c).toBe(true);
    }
    expect(seen()).toBe(0);
  });

  it('answers a request whose body stops arriving with 408', async () => {
    const slow = await startTestGateway(await makePki(), testPolicy(), {}, { limits: { headersTimeoutMs: 300, requestTimeoutMs: 400, checkIntervalMs: 50 } });
    try {
      const { out, closed } = await exchange(slow.port, [post('/slow-body', 'Content-Length: 10\r\n', 'abc')], { waitMs: 3000 });
      expect(out).toMatch(/^HTTP\/1\.1 408/);
      expect(closed).toBe(true);
    } finally {
      await slow.close();
    }
  });
});
