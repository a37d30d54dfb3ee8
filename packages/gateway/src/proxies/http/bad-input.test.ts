/**
 * Bad input at the proxy (issue "Bad input"), with small configured limits: each case is
 * rejected with its status, counted and logged, the origin never sees it, and the proxy keeps
 * serving afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import tls from 'node:tls';
import { makePki, startHttpOrigin, startHttpsOrigin, type Origin, type Pki } from '../../test-support/origins.js';
import { startTestGateway, testPolicy, type TestGateway } from '../../test-support/gateway.js';

let pki: Pki;
let origin: Origin;
let gw: TestGateway;

/** send `data` (optionally in timed pieces), collect everything until the proxy closes */
function raw(port: number, pieces: Array<string | number>, maxMs = 5000): Promise<{ out: string; closedByPeer: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    let closedByPeer = false;
    const timer = setTimeout(() => s.destroy(), maxMs);
    s.on('data', (c: Buffer) => (out += c.toString('latin1')));
    s.on('end', () => (closedByPeer = true));
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ out, closedByPeer });
    });
    s.on('error', () => undefined);
    void (async () => {
      for (const p of pieces) {
        if (typeof p === 'number') await new Promise((r) => setTimeout(r, p));
        else if (!s.destroyed) s.write(p);
      }
    })();
  });
}

/** the "bad request" access events logged so far with this status */
const logged = (status: number) => gw.sink.events.filter((e) => e.type === 'access' && e.action === 'block' && 'status' in e && e.status === status).length;

beforeAll(async () => {
  pki = await makePki();
  origin = await startHttpOrigin();
  gw = await startTestGateway(pki, testPolicy(), {}, {
    limits: { maxHeaderBytes: 2048, headersTimeoutMs: 600, requestTimeoutMs: 1500, keepAliveTimeoutMs: 500, helloTimeoutMs: 500, checkIntervalMs: 100 },
  });
});

afterAll(async () => {
  await gw.close();
  await origin.close();
});

describe('bad input (configured limits)', () => {
  it('answers headers that never complete (slow client) with 408 after the configured header timeout, and logs it', async () => {
    const before = logged(408);
    const { out } = await raw(gw.port, [`GET http://news.test:${origin.port}/slow HTTP/1.1\r\nHost: news.test\r\n`, 300, 'X-Slow: 1\r\n', 3000]);
    expect(out).toMatch(/^HTTP\/1\.1 408/);
    expect(logged(408)).toBe(before + 1);
    expect(origin.seen.some((s) => s.includes('/slow'))).toBe(false);
  });

  it('enforces the configured header size limit with 431, and logs it', async () => {
    const before = logged(431);
    const { out } = await raw(gw.port, [`GET http://news.test:${origin.port}/big HTTP/1.1\r\nHost: news.test\r\nX-Big: ${'a'.repeat(3000)}\r\n\r\n`]);
    expect(out).toMatch(/^HTTP\/1\.1 431/);
    expect(logged(431)).toBe(before + 1);
    // under the limit passes
    const ok = await raw(gw.port, [`GET http://news.test:${origin.port}/small HTTP/1.1\r\nHost: news.test\r\nX-Small: ${'a'.repeat(1000)}\r\nConnection: close\r\n\r\n`]);
    expect(ok.out).toMatch(/^HTTP\/1\.1 200/);
  });

  it('rejects conflicting duplicate Content-Length headers with 400 and never forwards', async () => {
    const before = logged(400);
    const { out } = await raw(gw.port, [`POST http://news.test:${origin.port}/dup-cl HTTP/1.1\r\nHost: news.test\r\nContent-Length: 4\r\nContent-Length: 30\r\n\r\nabcdGET /smuggled-cl HTTP/1.1\r\n\r\n`]);
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    expect(logged(400)).toBe(before + 1);
    expect(origin.seen.some((s) => s.includes('/dup-cl') || s.includes('/smuggled-cl'))).toBe(false);
  });

  it('rejects Content-Length together with Transfer-Encoding (CL.TE smuggling) with 400, and logs it', async () => {
    const before = logged(400);
    const { out } = await raw(gw.port, [`POST http://news.test:${origin.port}/cl-te HTTP/1.1\r\nHost: news.test\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX`]);
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    expect(logged(400)).toBe(before + 1);
    expect(origin.seen.some((s) => s.includes('/cl-te'))).toBe(false);
  });

  it('rejects a Transfer-Encoding that does not end in chunked (TE.TE obfuscation) with 400', async () => {
    const before = logged(400);
    const { out } = await raw(gw.port, [`POST http://news.test:${origin.port}/te-te HTTP/1.1\r\nHost: news.test\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`]);
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    expect(logged(400)).toBe(before + 1);
    expect(origin.seen.some((s) => s.includes('/te-te'))).toBe(false);
  });

  it('rejects a malformed request line and an invalid header name with 400', async () => {
    const before = logged(400);
    expect((await raw(gw.port, ['GET  HTTP/1.1 extra\r\n\r\n'])).out).toMatch(/^HTTP\/1\.1 400/);
    expect((await raw(gw.port, [`GET http://news.test:${origin.port}/ HTTP/1.1\r\nBad Header: x\r\n\r\n`])).out).toMatch(/^HTTP\/1\.1 400/);
    expect(logged(400)).toBe(before + 2);
  });

  it('cuts a CONNECT whose client never sends a ClientHello after the configured timeout, and logs it', async () => {
    const blocksBefore = gw.sink.events.filter((e) => e.type === 'access' && e.host === 'silent.test').length;
    const badBefore = gw.rt.counters.badRequests;
    const { out, closedByPeer } = await raw(gw.port, ['CONNECT silent.test:443 HTTP/1.1\r\nHost: silent.test:443\r\n\r\n', 4000], 6000);
    expect(out).toMatch(/^HTTP\/1\.1 200/);
    expect(closedByPeer).toBe(true);
    expect(gw.rt.counters.badRequests).toBe(badBefore + 1);
    expect(gw.sink.events.filter((e) => e.type === 'access' && e.host === 'silent.test' && e.action === 'block').length).toBe(blocksBefore + 1);
  });

  it('closes an idle keep-alive connection after the configured keep-alive timeout', async () => {
    const { out, closedByPeer } = await raw(gw.port, [`GET http://news.test:${origin.port}/ka HTTP/1.1\r\nHost: news.test\r\n\r\n`, 4000], 6000);
    expect(out).toMatch(/^HTTP\/1\.1 200/);
    expect(closedByPeer).toBe(true);
  });

  it('is still serving after all of it', async () => {
    const { out } = await raw(gw.port, [`GET http://news.test:${origin.port}/alive HTTP/1.1\r\nHost: news.test\r\nConnection: close\r\n\r\n`]);
    expect(out).toMatch(/^HTTP\/1\.1 200/);
    expect(gw.rt.counters.errors).toBe(0);
  });
});

describe('bad input inside decrypted TLS (configured limits)', () => {
  let dgw: TestGateway;
  let secure: Origin;
  beforeAll(async () => {
    secure = await startHttpsOrigin(pki.origin);
    dgw = await startTestGateway(
      pki,
      testPolicy((p) => {
        p.profiles = [{ id: 'default-profile', name: 'decrypting', httpsDecryption: { enabled: true } }];
      }),
      {},
      { limits: { maxHeaderBytes: 2048, headersTimeoutMs: 600, requestTimeoutMs: 1500, keepAliveTimeoutMs: 500, helloTimeoutMs: 500, checkIntervalMs: 100 } },
    );
  });
  afterAll(async () => {
    await dgw?.close();
    await secure?.close();
  });

  /** CONNECT + TLS with the tenant CA, then `pieces` over the decrypted stream; everything read until close */
  async function decrypted(pieces: Array<string | number>, maxMs = 6000): Promise<{ out: string; issuer: string }> {
    const sock = net.connect(dgw.port, '127.0.0.1');
    sock.write(`CONNECT site.test:${secure.port} HTTP/1.1\r\nHost: site.test:${secure.port}\r\n\r\n`);
    await new Promise<void>((resolve, reject) => {
      sock.once('data', (c: Buffer) => (c.toString().startsWith('HTTP/1.1 200') ? resolve() : reject(new Error(c.toString()))));
      sock.once('error', reject);
    });
    const t = tls.connect({ socket: sock, servername: 'site.test', ca: pki.tenantCa.certificatePem, ALPNProtocols: ['http/1.1'] });
    await new Promise<void>((r, j) => {
      t.once('secureConnect', r);
      t.once('error', j);
    });
    const issuer = t.getPeerX509Certificate()?.issuer ?? '';
    return new Promise((resolve) => {
      let out = '';
      const timer = setTimeout(() => t.destroy(), maxMs);
      t.on('data', (c: Buffer) => (out += c.toString('latin1')));
      t.on('error', () => undefined);
      t.on('close', () => {
        clearTimeout(timer);
        resolve({ out, issuer });
      });
      void (async () => {
        for (const p of pieces) {
          if (typeof p === 'number') await new Promise((r) => setTimeout(r, p));
          else if (!t.destroyed) t.write(p);
        }
      })();
    });
  }

  it('answers headers that never complete with 408 after the header timeout, logs it, and never forwards', async () => {
    const before = dgw.sink.events.filter((e) => e.type === 'access' && e.action === 'block' && 'status' in e && e.status === 408).length;
    const { out, issuer } = await decrypted(['GET /slow-tls HTTP/1.1\r\nHost: site.test\r\n', 300, 'X-Slow: 1\r\n', 4000]);
    expect(issuer).toContain('Mamori Test Tenant CA');
    expect(out).toMatch(/^HTTP\/1\.1 408/);
    expect(dgw.sink.events.filter((e) => e.type === 'access' && e.action === 'block' && 'status' in e && e.status === 408).length).toBe(before + 1);
    expect(secure.seen.some((s) => s.includes('/slow-tls'))).toBe(false);
    // the decrypting proxy still serves
    const ok = await decrypted(['GET /after-slow HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n']);
    expect(ok.out).toMatch(/^HTTP\/1\.1 200/);
  });
});
