/**
 * WebSocket through the proxy with a real `ws` server: explicit plain HTTP (absolute-form
 * Upgrade) and inside a decrypted HTTPS connection, relayed both ways after the policy check;
 * a blocked site gets the block page instead of 101; other upgrade protocols are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CategoryDbBuilder, loadCategoryDb } from '@mamori/urlcat';
import type { CloudVerdict } from '@mamori/policy';
import { loopbackLookup, makePki, type Pki } from '../../test-support/origins.js';
import { startTestGateway, testPolicy, type TestGateway } from '../../test-support/gateway.js';
import { LayeredIntel } from '../../intel/layered-intel.js';
import { GatewayRuntime, MemorySink } from '../../runtime.js';
import { compileEngine } from '../../chain/compiled-engine.js';
import { WebProxy } from './web-proxy.js';

let pki: Pki;
let plain: http.Server;
let secure: https.Server;
let gw: TestGateway;
const wss: WebSocketServer[] = [];

function echoServer(server: http.Server | https.Server): void {
  const w = new WebSocketServer({ server });
  w.on('connection', (sock, req) => {
    sock.send(`welcome ${req.url ?? ''}`);
    sock.on('message', (m) => sock.send(`echo:${String(m)}`));
  });
  wss.push(w);
}

async function listen(s: http.Server | https.Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as net.AddressInfo).port;
}

/** a client frame: text, masked (RFC 6455 §5.3), payload < 126 bytes */
function textFrame(s: string): Buffer {
  const p = Buffer.from(s);
  const mask = crypto.randomBytes(4);
  const out = Buffer.alloc(6 + p.length);
  out[0] = 0x81;
  out[1] = 0x80 | p.length;
  mask.copy(out, 2);
  for (let i = 0; i < p.length; i++) out[6 + i] = p[i]! ^ mask[i % 4]!;
  return out;
}

/** reads the HTTP response head, then unmasked server text frames */
class WsReader {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  head: string | null = null;
  readonly messages: string[] = [];
  constructor(sock: Duplex) {
    sock.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.parse();
      this.waiters.splice(0).forEach((w) => w());
    });
  }
  private parse(): void {
    if (this.head === null) {
      const i = this.buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      this.head = this.buf.subarray(0, i).toString('latin1');
      this.buf = this.buf.subarray(i + 4);
      if (!this.head.startsWith('HTTP/1.1 101')) return;
    }
    while (this.buf.length >= 2) {
      const len = this.buf[1]! & 0x7f;
      if (len >= 126 || this.buf.length < 2 + len) return;
      this.messages.push(this.buf.subarray(2, 2 + len).toString('utf8'));
      this.buf = this.buf.subarray(2 + len);
    }
  }
  async until(pred: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timeout; head=${this.head ?? ''} messages=${this.messages.join('|')}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
}

function handshake(target: string, host: string, key: string, extra = ''): string {
  return `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
}

const accept = (key: string) => crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

beforeAll(async () => {
  pki = await makePki();
  plain = http.createServer((_q, r) => r.end('plain'));
  secure = https.createServer({ key: pki.origin.privateKeyPem, cert: pki.origin.certificatePem }, (_q, r) => r.end('secure'));
  echoServer(plain);
  echoServer(secure);
  await listen(plain);
  await listen(secure);
  gw = await startTestGateway(
    pki,
    testPolicy((p) => {
      p.blockList = [{ value: 'blocked.test' }];
      p.profiles = [{ id: 'default-profile', name: 'decrypting', httpsDecryption: { enabled: true } }];
    }),
    {},
  );
});

afterAll(async () => {
  await gw.close();
  for (const w of wss) w.close();
  plain.closeAllConnections();
  secure.closeAllConnections();
  await new Promise((r) => plain.close(r));
  await new Promise((r) => secure.close(r));
});

describe('WebSocket through the proxy', () => {
  it('tunnels an explicit ws:// upgrade both ways after the policy check', async () => {
    const port = (plain.address() as net.AddressInfo).port;
    const s = await connect(gw.port);
    const rd = new WsReader(s);
    const key = crypto.randomBytes(16).toString('base64');
    s.write(handshake(`http://site.test:${port}/chat?room=1`, `site.test:${port}`, key));
    await rd.until(() => rd.messages.length >= 1);
    expect(rd.head).toMatch(/^HTTP\/1\.1 101/);
    expect(rd.head!.toLowerCase()).toContain(`sec-websocket-accept: ${accept(key).toLowerCase()}`);
    expect(rd.messages[0]).toBe('welcome /chat?room=1');
    s.write(textFrame('hello'));
    s.write(textFrame('again'));
    await rd.until(() => rd.messages.length >= 3);
    expect(rd.messages.slice(1)).toEqual(['echo:hello', 'echo:again']);
    s.destroy();
    const ev = await waitFor(() => gw.sink.events.find((e) => e.type === 'access' && 'url' in e && e.url === `http://site.test:${port}/chat?room=1`));
    expect(ev).toMatchObject({ action: 'allow', status: 101 });
    expect((ev as { bytesDown?: number }).bytesDown).toBeGreaterThan(0);
  });

  it('tunnels a WebSocket inside a decrypted HTTPS connection (wss://)', async () => {
    const port = (secure.address() as net.AddressInfo).port;
    const raw = await connect(gw.port);
    raw.write(`CONNECT site.test:${port} HTTP/1.1\r\nHost: site.test:${port}\r\n\r\n`);
    await new Promise<void>((resolve, reject) => {
      raw.once('data', (c: Buffer) => (c.toString().startsWith('HTTP/1.1 200') ? resolve() : reject(new Error(c.toString()))));
    });
    const t = tls.connect({ socket: raw, servername: 'site.test', ca: pki.tenantCa.certificatePem, ALPNProtocols: ['http/1.1'] });
    await new Promise<void>((r, j) => {
      t.once('secureConnect', r);
      t.once('error', j);
    });
    // the client sees the tenant CA's leaf: the connection is decrypted
    expect(t.getPeerX509Certificate()?.issuer).toContain('Mamori Test Tenant CA');
    const rd = new WsReader(t);
    const key = crypto.randomBytes(16).toString('base64');
    t.write(handshake('/live', `site.test:${port}`, key));
    await rd.until(() => rd.messages.length >= 1);
    expect(rd.head).toMatch(/^HTTP\/1\.1 101/);
    expect(rd.messages[0]).toBe('welcome /live');
    t.write(textFrame('over tls'));
    await rd.until(() => rd.messages.length >= 2);
    expect(rd.messages[1]).toBe('echo:over tls');
    t.destroy();
    const ev = await waitFor(() => gw.sink.events.find((e) => e.type === 'access' && 'url' in e && e.url === `https://site.test:${port}/live`));
    expect(ev).toMatchObject({ action: 'allow', status: 101, decrypted: true });
  });

  it('answers a blocked WebSocket with the block page, and never reaches the origin', async () => {
    const port = (plain.address() as net.AddressInfo).port;
    const before = wss[0]!.clients.size;
    const s = await connect(gw.port);
    const rd = new WsReader(s);
    s.write(handshake(`http://blocked.test:${port}/`, `blocked.test:${port}`, crypto.randomBytes(16).toString('base64'), 'Accept-Language: en\r\n'));
    await rd.until(() => rd.head !== null);
    expect(rd.head).toMatch(/^HTTP\/1\.1 403/);
    expect(rd.head!.toLowerCase()).toContain('x-mamori-block-reason: blocklist');
    expect(wss[0]!.clients.size).toBe(before);
    s.destroy();
    const ev = gw.sink.events.find((e) => e.type === 'policy' && e.host === 'blocked.test');
    expect(ev).toMatchObject({ action: 'block', reasonKind: 'blockList' });
  });

  it('refuses other upgrade protocols with 501 and logs it', async () => {
    const port = (plain.address() as net.AddressInfo).port;
    const before = gw.rt.counters.badRequests;
    const s = await connect(gw.port);
    const rd = new WsReader(s);
    s.write(`GET http://site.test:${port}/ HTTP/1.1\r\nHost: site.test:${port}\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n`);
    await rd.until(() => rd.head !== null);
    expect(rd.head).toMatch(/^HTTP\/1\.1 501/);
    expect(gw.rt.counters.badRequests).toBe(before + 1);
    s.destroy();
  });
});

describe('WebSocket and the console cloud lookup', () => {
  it('waits for the cloud answer about a host only the console knows, like plain requests do', async () => {
    const port = (plain.address() as net.AddressInfo).port;
    const asked: string[] = [];
    const verdict = (query: string, categories: string[], score: number): CloudVerdict => ({
      query, categories, source: categories.length ? 'database' : 'none', reputation: { score, level: score >= 80 ? 'dangerous' : 'safe', reasons: [] },
    });
    const b = new CategoryDbBuilder('ws-cloud-test');
    b.addHost('known.test', 'news');
    const intel = new LayeredIntel({
      db: loadCategoryDb(b.build()),
      version: 't',
      ask: async (h) => {
        asked.push(h);
        await new Promise((r) => setTimeout(r, 150)); // the console takes its time
        return h === 'cloudbad.test' ? verdict(h, ['malware'], 100) : verdict(h, [], 0);
      },
      cloud: { backoffMs: 0, timeoutMs: 3000 },
    });
    const sink = new MemorySink();
    const rt = new GatewayRuntime({ engine: compileEngine(testPolicy(), 1, intel), leaves: null }, intel, sink);
    intel.onChange(() => rt.decisions.clear());
    const proxy = new WebProxy(rt, { upstream: { lookup: loopbackLookup } });
    const addr = await proxy.listen(0, '127.0.0.1');
    try {
      const before = wss[0]!.clients.size;
      const s = await connect(addr.port);
      const rd = new WsReader(s);
      s.write(handshake(`http://cloudbad.test:${port}/feed`, `cloudbad.test:${port}`, crypto.randomBytes(16).toString('base64'), 'Accept-Language: en\r\n'));
      await rd.until(() => rd.head !== null);
      // the first upgrade already gets the console's verdict: blocked, never relayed
      expect(rd.head).toMatch(/^HTTP\/1\.1 403/);
      expect(rd.head!.toLowerCase()).toContain('x-mamori-block-reason: rule'); // the default URL-filtering rule (malware category)
      expect(wss[0]!.clients.size).toBe(before);
      expect(asked).toContain('cloudbad.test');
      s.destroy();
      expect(sink.events.find((e) => e.type === 'access' && e.host === 'cloudbad.test')).toMatchObject({ action: 'block', status: 403, categories: ['malware'] });
      // a host the console does not flag is relayed after its lookup
      const s2 = await connect(addr.port);
      const rd2 = new WsReader(s2);
      s2.write(handshake(`http://cloudok.test:${port}/ok`, `cloudok.test:${port}`, crypto.randomBytes(16).toString('base64')));
      await rd2.until(() => rd2.messages.length >= 1);
      expect(rd2.head).toMatch(/^HTTP\/1\.1 101/);
      expect(rd2.messages[0]).toBe('welcome /ok');
      expect(asked).toContain('cloudok.test');
      s2.destroy();
    } finally {
      await proxy.close();
    }
  });
});

async function waitFor<T>(f: () => T | undefined, ms = 5000): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}
