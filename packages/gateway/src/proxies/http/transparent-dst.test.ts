import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makePki, startHttpOrigin, startHttpsOrigin, type Origin, type Pki } from '../../test-support/origins.js';
import { startTestGateway, testPolicy, type TestGateway } from '../../test-support/gateway.js';

/** every name resolves to 127.0.0.2 (the decoys), except those given */
function lookupTo(exceptions: Record<string, string> = {}): net.LookupFunction {
  return (host, opts, cb) => {
    const address = exceptions[host] ?? '127.0.0.2';
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family: 4 }]);
    else cb(null, address, 4);
  };
}

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--noproxy', '', '--max-time', '10', ...args], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** a server on 127.0.0.2 at the same port as a real origin: where a resolved Host would lead */
async function decoy(port: number, tls?: { key: string; cert: string }): Promise<{ seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const h: http.RequestListener = (req, res) => {
    seen.push(`${req.headers.host ?? ''} ${req.url ?? ''}`);
    res.end('decoy');
  };
  const srv = tls ? https.createServer(tls, h) : http.createServer(h);
  await new Promise<void>((r) => srv.listen(port, '127.0.0.2', r));
  return { seen, close: () => new Promise<void>((r) => (srv.closeAllConnections(), srv.close(() => r()))) };
}

let pki: Pki;
let httpOrigin: Origin;
let httpsOrigin: Origin;
let decoys: Array<Awaited<ReturnType<typeof decoy>>>;
let lenient: TestGateway;
let strict: TestGateway;
let tmp: string;
let tenantCaFile: string;

beforeAll(async () => {
  pki = await makePki();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-tdst-'));
  tenantCaFile = path.join(tmp, 'tenant-ca.pem');
  fs.writeFileSync(tenantCaFile, pki.tenantCa.certificatePem);
  httpOrigin = await startHttpOrigin();
  httpsOrigin = await startHttpsOrigin(pki.origin);
  decoys = [await decoy(httpOrigin.port), await decoy(httpsOrigin.port, { key: pki.origin.privateKeyPem, cert: pki.origin.certificatePem })];
  const decrypting = testPolicy((p) => {
    p.profiles = [{ id: 'default-profile', name: 'decrypting', httpsDecryption: { enabled: true } }];
  });
  lenient = await startTestGateway(pki, decrypting, { categories: { 'news.test': ['news'] } }, { upstream: { lookup: lookupTo() } });
  strict = await startTestGateway(pki, decrypting, { categories: { 'news.test': ['news'] } }, { upstream: { lookup: lookupTo({ 'news.test': '127.0.0.1' }), hostVerifyStrict: true } });
});

afterAll(async () => {
  await Promise.all([lenient?.close(), strict?.close(), httpOrigin?.close(), httpsOrigin?.close(), ...(decoys ?? []).map((d) => d.close())]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const at = (port: number) => () => Promise.resolve({ ip: '127.0.0.1', port });

describe('transparent flows with a known original destination', () => {
  it('connect to the original destination, not to where Host resolves, and log the mismatch', async () => {
    const t80 = await lenient.proxy.listenTransparentHttp(0, '127.0.0.1', at(httpOrigin.port));
    const r = await curl(['--connect-to', `news.test:80:127.0.0.1:${t80.port}`, 'http://news.test/t-plain']);
    expect(JSON.parse(r.stdout)).toMatchObject({ url: '/t-plain', host: 'news.test' });
    expect(httpOrigin.seen).toContain('GET news.test /t-plain');
    expect(decoys[0]!.seen).toEqual([]);
    expect(lenient.rt.counters.hostMismatches).toBeGreaterThanOrEqual(1);
    const ev = lenient.sink.events.find((e) => e.type === 'access' && String(e.url).endsWith('/t-plain'));
    expect(ev).toMatchObject({ dstIp: '127.0.0.1', status: 200, action: 'allow' });
  });

  it('decrypted HTTPS goes to the original destination with the SNI as TLS server name (origin certificate verified)', async () => {
    const t443 = await lenient.proxy.listenTransparentHttps(0, '127.0.0.1', at(httpsOrigin.port));
    const r = await curl(['--cacert', tenantCaFile, '--connect-to', `site.test:443:127.0.0.1:${t443.port}`, 'https://site.test/t-tls']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ url: '/t-tls', host: 'site.test' });
    // a different Host inside the decrypted connection does not move it either
    const fronted = await curl(['--cacert', tenantCaFile, '-H', 'Host: shop.test', '--connect-to', `site.test:443:127.0.0.1:${t443.port}`, 'https://site.test/t-fronted']);
    expect(JSON.parse(fronted.stdout)).toMatchObject({ url: '/t-fronted', host: 'shop.test' });
    expect(httpsOrigin.seen).toEqual(expect.arrayContaining(['GET site.test /t-tls', 'GET shop.test /t-fronted']));
    expect(decoys[1]!.seen).toEqual([]);
  });

  it('in strict mode refuses (409) a Host that does not resolve to the original destination, passes one that does', async () => {
    const t80 = await strict.proxy.listenTransparentHttp(0, '127.0.0.1', at(httpOrigin.port));
    const bad = await curl(['-i', '--connect-to', `shop.test:80:127.0.0.1:${t80.port}`, 'http://shop.test/t-strict']);
    expect(bad.stdout).toMatch(/^HTTP\/1\.1 409/);
    expect(httpOrigin.seen.some((s) => s.includes('/t-strict'))).toBe(false);
    expect(strict.sink.events.find((e) => e.type === 'access' && String(e.url).endsWith('/t-strict'))).toMatchObject({ action: 'block', status: 409 });
    const good = await curl(['--connect-to', `news.test:80:127.0.0.1:${t80.port}`, 'http://news.test/t-strict-ok']);
    expect(JSON.parse(good.stdout)).toMatchObject({ url: '/t-strict-ok' });
    expect(decoys[0]!.seen).toEqual([]);
  });

  it('without a known original destination, Host is resolved (the only thing left)', async () => {
    const t80 = await lenient.proxy.listenTransparentHttp(0, '127.0.0.1', () => undefined);
    // no original destination and no port in Host: port 80 on what news.test resolves to; the
    // decoy is not on 80, so name the port in Host to reach it
    const r = await curl(['--connect-to', `news.test:${httpOrigin.port}:127.0.0.1:${t80.port}`, `http://news.test:${httpOrigin.port}/t-fallback`]);
    expect(r.stdout).toBe('decoy');
    expect(decoys[0]!.seen).toContain(`news.test:${httpOrigin.port} /t-fallback`);
  });
});
