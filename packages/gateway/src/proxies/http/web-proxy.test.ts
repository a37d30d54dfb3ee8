import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { ProxyAgent, request } from 'undici';
import { makePki, startHttpOrigin, startHttpsOrigin, type Origin, type Pki } from '../../test-support/origins.js';
import { startTestGateway, testPolicy, type TestGateway } from '../../test-support/gateway.js';
import type { PolicyInput } from '@mamori/policy';
import type { StaticIntelDoc } from '../../chain/static-intel.js';

const INTEL: StaticIntelDoc = {
  categories: { 'malware.test': ['malware'], 'bank.test': ['finance'], 'news.test': ['news'] },
  cnc: ['cnc.test'],
  reputation: { 'shady.test': 80 },
  apps: [
    { host: 'files.test', method: 'POST', pathPrefix: '/upload', app: 'dropbox', function: 'upload', category: 'file-sharing' },
    { host: 'files.test', app: 'dropbox', category: 'file-sharing' },
  ],
};

interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--noproxy', '', '--max-time', '10', ...args], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** poll until `f` returns something (events are logged when the response has finished) */
async function eventually<T>(f: () => T | undefined, ms = 5000): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

let pki: Pki;
let httpOrigin: Origin;
let httpsOrigin: Origin;
let rogueOrigin: Origin;
let gw: TestGateway;
let gwDecrypt: TestGateway;
let tmp: string;
let upstreamCaFile: string;
let tenantCaFile: string;

beforeAll(async () => {
  pki = await makePki();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-gw-'));
  upstreamCaFile = path.join(tmp, 'upstream-ca.pem');
  tenantCaFile = path.join(tmp, 'tenant-ca.pem');
  fs.writeFileSync(upstreamCaFile, pki.upstreamCa.certificatePem);
  fs.writeFileSync(tenantCaFile, pki.tenantCa.certificatePem);
  httpOrigin = await startHttpOrigin();
  httpsOrigin = await startHttpsOrigin(pki.origin);
  rogueOrigin = await startHttpsOrigin(pki.rogue);
  const lists = (p: PolicyInput) => {
    p.blockList = [{ value: 'blocked.test' }, { value: '*.evil.test' }, { value: 'site.test/secret' }];
    p.rules = [
      { id: 'no-uploads', name: 'No uploads to file sharing', content: { type: 'selected', applicationFunctions: ['dropbox:upload'] }, action: 'block', profileId: 'default-profile' },
      ...(p.rules ?? []),
    ];
  };
  gw = await startTestGateway(pki, testPolicy(lists), INTEL);
  gwDecrypt = await startTestGateway(
    pki,
    testPolicy((p) => {
      lists(p);
      p.profiles = [{ id: 'default-profile', name: 'decrypting', httpsDecryption: { enabled: true } }];
    }),
    INTEL,
  );
});

afterAll(async () => {
  await Promise.all([gw?.close(), gwDecrypt?.close(), httpOrigin?.close(), httpsOrigin?.close(), rogueOrigin?.close()]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('explicit HTTP proxy', () => {
  it('forwards an allowed request with undici and keeps the connection alive', async () => {
    const agent = new ProxyAgent({ uri: gw.url, proxyTunnel: false });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await request(`http://news.test:${httpOrigin.port}/hello?x=${i}`, { dispatcher: agent });
        expect(r.statusCode).toBe(200);
        const body = (await r.body.json()) as { url: string; host: string };
        expect(body.url).toBe(`/hello?x=${i}`);
        expect(body.host).toBe(`news.test:${httpOrigin.port}`);
      }
    } finally {
      await agent.close();
    }
    const ev = await eventually(() => gw.sink.events.find((e) => e.type === 'access' && e.url === `http://news.test:${httpOrigin.port}/hello?x=2`));
    expect(ev).toMatchObject({ type: 'access', action: 'allow', status: 200, categories: ['news'] });
  });

  it('blocks a block-list host with the block page naming the entry, without contacting the origin', async () => {
    const before = httpOrigin.connections;
    const r = await curl(['-i', '-x', gw.url, `http://www.evil.test:${httpOrigin.port}/x`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(r.stdout).toContain('Block list entry &#34;*.evil.test&#34;');
    const id = /x-mamori-request-id: (\S+)/i.exec(r.stdout)?.[1];
    expect(id).toBeTruthy();
    expect(r.stdout).toContain(id!);
    expect(httpOrigin.connections).toBe(before);
    expect(gw.sink.events.find((e) => e.type === 'policy' && e.listEntry === '*.evil.test')).toMatchObject({ reasonKind: 'blockList', action: 'block' });
  });

  it('answers in Japanese when Accept-Language prefers it', async () => {
    const r = await curl(['-x', gw.url, '-H', 'Accept-Language: ja,en;q=0.5', `http://blocked.test:${httpOrigin.port}/`]);
    expect(r.stdout).toContain('アクセスはブロックされました');
    expect(r.stdout).toContain('ブロックリストのエントリ「blocked.test」');
  });

  it('blocks by URL category with the rule name', async () => {
    const r = await curl(['-i', '-x', gw.url, `http://malware.test:${httpOrigin.port}/payload`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(r.stdout).toContain('[10-1] URLフィルタリング');
    expect(r.stdout).toContain('category: malware');
  });

  it('blocks C&C and logs a security event', async () => {
    const r = await curl(['-i', '-x', gw.url, `http://cnc.test:${httpOrigin.port}/beacon`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(r.stdout).toContain('C&#38;C server &#34;cnc.test&#34;');
    expect(gw.sink.events.find((e) => e.type === 'security' && e.threatType === 'cnc')).toMatchObject({ action: 'block', signature: 'cnc.test', host: 'cnc.test' });
  });

  it('blocks by web reputation at the profile sensitivity', async () => {
    const r = await curl(['-i', '-x', gw.url, `http://shady.test:${httpOrigin.port}/`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(r.stdout).toContain('x-mamori-block-reason: reputation');
    expect(gw.sink.events.find((e) => e.type === 'security' && e.threatType === 'webReputation')).toBeTruthy();
  });

  it('blocks an application function (upload) but allows browsing the same app', async () => {
    const up = await curl(['-i', '-x', gw.url, '-X', 'POST', '--data-binary', 'secret', `http://files.test:${httpOrigin.port}/upload/doc`]);
    expect(up.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(up.stdout).toContain('No uploads to file sharing');
    expect(up.stdout).toContain('dropbox:upload');
    const get = await curl(['-i', '-x', gw.url, `http://files.test:${httpOrigin.port}/list`]);
    expect(get.stdout).toMatch(/^HTTP\/1\.1 200/);
    const post = await curl(['-x', gw.url, '-X', 'POST', '--data-binary', 'hello', `http://files.test:${httpOrigin.port}/comment`]);
    expect(JSON.parse(post.stdout)).toMatchObject({ method: 'POST', bodyBytes: 5 });
    expect(await eventually(() => gw.sink.events.find((e) => e.type === 'bandwidth' && e.app === 'dropbox'))).toMatchObject({ appCategory: 'file-sharing' });
  });

  it('serves the PAC file and WPAD', async () => {
    const pac = await curl([`${gw.url}/proxy.pac`]);
    expect(pac.stdout).toContain('function FindProxyForURL');
    expect(pac.stdout).toContain(`PROXY 127.0.0.1:${gw.port}`);
    const wpad = await curl(['-i', `${gw.url}/wpad.dat`]);
    expect(wpad.stdout).toContain('application/x-ns-proxy-autoconfig');
  });
});

describe('HTTPS without decryption', () => {
  it('tunnels an allowed CONNECT (the client sees the origin certificate)', async () => {
    const r = await curl(['--cacert', upstreamCaFile, '-x', gw.url, `https://localhost:${httpsOrigin.port}/tunnel`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ url: '/tunnel' });
  });

  it('refuses a blocked CONNECT at the handshake', async () => {
    const before = httpsOrigin.connections;
    const r = await curl(['--cacert', upstreamCaFile, '-x', gw.url, `https://blocked.test:${httpsOrigin.port}/`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/403/);
    expect(httpsOrigin.connections).toBe(before);
  });
});

describe('HTTPS decryption', () => {
  it('decrypts with a leaf from the tenant CA and forwards over verified TLS (HTTP/1.1 and HTTP/2)', async () => {
    const r1 = await curl(['-v', '--http1.1', '--cacert', tenantCaFile, '-x', gwDecrypt.url, `https://localhost:${httpsOrigin.port}/inspected`]);
    expect(r1.code).toBe(0);
    expect(r1.stderr).toMatch(/issuer: .*CN=Mamori Test Tenant CA/);
    expect(JSON.parse(r1.stdout)).toMatchObject({ url: '/inspected' });
    const r2 = await curl(['-v', '--http2', '--cacert', tenantCaFile, '-x', gwDecrypt.url, `https://localhost:${httpsOrigin.port}/h2`]);
    expect(r2.code).toBe(0);
    expect(r2.stderr).toMatch(/< HTTP\/2 200/);
    expect(JSON.parse(r2.stdout)).toMatchObject({ url: '/h2' });
    const ev = await eventually(() => gwDecrypt.sink.events.find((e) => e.type === 'access' && e.url === `https://localhost:${httpsOrigin.port}/h2`));
    expect(ev).toMatchObject({ decrypted: true, action: 'allow', status: 200 });
  });

  it('shows the block page inside TLS for a blocked URL path', async () => {
    const r = await curl(['-i', '--cacert', tenantCaFile, '-x', gwDecrypt.url, `https://site.test:${httpsOrigin.port}/secret/plans`]);
    expect(r.stdout).toMatch(/HTTP\/[12](\.1)? 403/);
    expect(r.stdout).toContain('site.test/secret');
    expect(httpsOrigin.seen.some((s) => s.includes('/secret'))).toBe(false);
  });

  it('does not decrypt finance sites (smart bypass)', async () => {
    const r = await curl(['-v', '--cacert', upstreamCaFile, '-x', gwDecrypt.url, `https://bank.test:${httpsOrigin.port}/account`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/issuer: .*CN=Mamori Test Upstream CA/);
    expect(await eventually(() => gwDecrypt.sink.events.find((e) => e.type === 'access' && e.host === 'bank.test'))).toMatchObject({ action: 'bypass', decrypted: false });
  });

  it('bypasses a site automatically after a client refused the intercepted handshake', async () => {
    const first = await curl(['--cacert', upstreamCaFile, '-x', gwDecrypt.url, `https://pinned.test:${httpsOrigin.port}/`]);
    expect(first.code).not.toBe(0);
    expect(await eventually(() => gwDecrypt.rt.autoBypass.has('pinned.test') || undefined)).toBe(true);
    const second = await curl(['--cacert', upstreamCaFile, '-x', gwDecrypt.url, `https://pinned.test:${httpsOrigin.port}/again`]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ url: '/again' });
  });

  it('answers an invalid upstream certificate with an explanatory block page', async () => {
    const r = await curl(['-i', '--cacert', tenantCaFile, '-x', gwDecrypt.url, `https://localhost:${rogueOrigin.port}/`]);
    expect(r.stdout).toMatch(/HTTP\/[12](\.1)? 403/);
    expect(r.stdout).toContain("The server&#39;s certificate is invalid");
    expect(gwDecrypt.sink.events.find((e) => e.type === 'security' && e.threatType === 'certificate')).toBeTruthy();
  });
});

describe('bad input', () => {
  function raw(port: number, data: string, waitMs = 3000): Promise<string> {
    return new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let out = '';
      s.on('data', (c: Buffer) => (out += c.toString('latin1')));
      s.on('close', () => resolve(out));
      s.on('error', () => resolve(out));
      s.write(data);
      setTimeout(() => s.destroy(), waitMs);
    });
  }

  it('rejects conflicting Content-Length and Transfer-Encoding (smuggling) with 400', async () => {
    const out = await raw(gw.port, `POST http://news.test:${httpOrigin.port}/ HTTP/1.1\r\nHost: news.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    expect(httpOrigin.seen.some((s) => s.includes('/smuggled'))).toBe(false);
  });

  it('rejects oversized headers with 431', async () => {
    const out = await raw(gw.port, `GET http://news.test:${httpOrigin.port}/ HTTP/1.1\r\nHost: news.test\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 431/);
  });

  it('rejects garbage with 400 and keeps serving', async () => {
    const out = await raw(gw.port, '\x16\x03\x01garbage\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    const r = await curl(['-x', gw.url, `http://news.test:${httpOrigin.port}/still-alive`]);
    expect(JSON.parse(r.stdout)).toMatchObject({ url: '/still-alive' });
    expect(gw.rt.counters.badRequests).toBeGreaterThanOrEqual(2);
  });

  it('rejects CONNECT without a port with 400', async () => {
    const out = await raw(gw.port, 'CONNECT example.test HTTP/1.1\r\nHost: example.test\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 400/);
  });
});

describe('transparent listeners', () => {
  it('serves redirected port-80 traffic by Host and port-443 traffic by SNI with the original destination', async () => {
    const dst = (port: number) => () => Promise.resolve({ ip: '127.0.0.1', port });
    const t80 = await gw.proxy.listenTransparentHttp(0, '127.0.0.1', dst(httpOrigin.port));
    const t443 = await gwDecrypt.proxy.listenTransparentHttps(0, '127.0.0.1', dst(httpsOrigin.port));
    const plain = await curl(['--connect-to', `news.test:80:127.0.0.1:${t80.port}`, 'http://news.test/transparent']);
    expect(JSON.parse(plain.stdout)).toMatchObject({ url: '/transparent' });
    const blocked = await curl(['-i', '--connect-to', `blocked.test:80:127.0.0.1:${t80.port}`, 'http://blocked.test/']);
    expect(blocked.stdout).toMatch(/^HTTP\/1\.1 403/);
    const tls = await curl(['-v', '--cacert', tenantCaFile, '--connect-to', `site.test:443:127.0.0.1:${t443.port}`, 'https://site.test/transparent-tls']);
    expect(tls.code).toBe(0);
    expect(tls.stderr).toMatch(/issuer: .*CN=Mamori Test Tenant CA/);
    expect(JSON.parse(tls.stdout)).toMatchObject({ url: '/transparent-tls' });
  });
});
