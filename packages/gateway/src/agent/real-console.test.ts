/**
 * The gateway against the REAL console (in-process, SQLite, ephemeral ports): enrollment with a
 * token from the console API, a block-list change deployed with "deploy all" (すべて配信) changes
 * enforcement; with the console down the gateway keeps enforcing and spooling, and after the
 * console restarts on the same data dir and ports every log arrives, none lost, none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { ProxyAgent, request } from 'undici';
import { createConsole, type Console } from '@mamori/console';
import { startGateway, type RunningGateway } from './gateway-agent.js';
import { startHttpOrigin, loopbackLookup, type Origin } from '../test-support/origins.js';
import { staticIntel } from '../chain/static-intel.js';

const PASSWORD = 'correct horse 42 battery';
const intel = staticIntel({ categories: { 'news.test': ['news'] } });

/** a signed-in console API client (session cookie + CSRF token) */
class Api {
  private cookie = '';
  private csrf = '';
  constructor(private readonly base: string) {}
  async req<T>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers['cookie'] = this.cookie;
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(this.base + url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const m = /mamori_session=([^;]*)/.exec(r.headers.get('set-cookie') ?? '');
    if (m?.[1]) this.cookie = `mamori_session=${m[1]}`;
    const text = await r.text();
    return { status: r.status, body: (text && (r.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text) as T };
  }
  async login(id: string): Promise<void> {
    const r = await this.req<{ csrfToken: string; privacyNoticeRequired: boolean }>('POST', '/api/auth/login', { login: id, password: PASSWORD });
    if (r.status !== 200) throw new Error(`login: ${r.status} ${JSON.stringify(r.body)}`);
    this.csrf = r.body.csrfToken;
    if (r.body.privacyNoticeRequired) await this.req('POST', '/api/auth/privacy', { accept: true, version: '2026-11' });
  }
}

let consoleDir: string;
let gwDir: string;
let c: Console;
let ports: { api: number; gw: number };
let api: Api;
let tenantId: string;
let adminId: string;
let opId: string;
let origin: Origin;
let gw: RunningGateway;

async function openConsole(port = 0, gatewayPort = 0): Promise<Console> {
  return createConsole({ host: '127.0.0.1', port, gatewayPort, dataDir: consoleDir, logLevel: 'silent' });
}

async function get(host: string, p: string): Promise<number> {
  const agent = new ProxyAgent({ uri: `http://127.0.0.1:${gw.proxyAddress.port}`, proxyTunnel: false });
  try {
    const r = await request(`http://${host}:${origin.port}${p}`, { dispatcher: agent });
    await r.body.text();
    return r.statusCode;
  } finally {
    await agent.close();
  }
}

async function until(f: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** access-log URLs the console has stored whose path starts with `prefix` */
async function storedUrls(prefix: string): Promise<string[]> {
  const r = await api.req<{ events: Array<{ url?: string }> }>('POST', '/api/analytics/logs/access/query', {
    from: Date.now() - 3_600_000,
    to: Date.now() + 60_000,
    filters: [{ field: 'url', op: 'contains', value: prefix }],
    limit: 1000,
  });
  if (r.status !== 200) throw new Error(`log query: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.events.map((e) => new URL(e.url ?? 'http://x/').pathname);
}

beforeAll(async () => {
  consoleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-real-console-'));
  gwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-real-gw-'));
  origin = await startHttpOrigin();
  c = await openConsole();
  ports = { api: Number(new URL(c.url).port), gw: Number(new URL(c.gatewayUrl ?? '').port) };
  const { auth, tenants } = c.services;
  const op = await auth.createAccount({ tenantId: null, role: 'operator', email: `op-${process.pid}@example.com`, name: 'operator', lang: 'en' });
  const t = await tenants.create({ name: 'Gateway test tenant', model: 10, admin: { email: `admin-${process.pid}@example.com`, name: 'admin', lang: 'en' } }, op.account.id);
  opId = op.account.id;
  await auth.setPassword(new URL(op.setPasswordUrl).searchParams.get('token') ?? '', PASSWORD, PASSWORD);
  tenantId = t.tenant.id;
  adminId = t.admin.id;
  await auth.setPassword(new URL(t.setPasswordUrl).searchParams.get('token') ?? '', PASSWORD, PASSWORD);
  api = new Api(c.url);
  await api.login(adminId);
  const tok = await api.req<{ token: string }>('POST', `/api/tenants/${tenantId}/gateways/enrollment-tokens`, { name: 'test gateway' });
  expect(tok.status).toBe(201);
  gw = await startGateway({
    dataDir: gwDir,
    console: { url: c.url, token: tok.body.token, caPem: c.services.gatewayCa.certificatePem },
    proxy: { host: '127.0.0.1', port: 0 },
    intel,
    log: pino({ level: 'silent' }),
    web: { upstream: { lookup: loopbackLookup } },
    shipIntervalMs: 100,
    reconnect: { minMs: 50, maxMs: 300 },
  });
}, 60_000);

afterAll(async () => {
  await gw?.close();
  await c?.close();
  await origin?.close();
  fs.rmSync(consoleDir, { recursive: true, force: true });
  fs.rmSync(gwDir, { recursive: true, force: true });
});

describe('gateway with the real console', () => {
  it('enrolls with a console token and a block-list change deployed with "deploy all" changes enforcement', async () => {
    await until(() => gw.sync?.connected === true);
    const list = await api.req<Array<{ id: string; state: string }>>('GET', `/api/tenants/${tenantId}/gateways`);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).toContain(gw.identity?.gatewayId ?? 'missing');
    expect(await get('shop.test', '/before')).toBe(200);
    const put = await api.req('PUT', `/api/tenants/${tenantId}/policy/block-list`, { entries: [{ value: 'shop.test', comment: 'test' }] });
    expect(put.status).toBe(200);
    // a draft change alone does not reach the gateway
    expect(await get('shop.test', '/draft-only')).toBe(200);
    const dep = await api.req<{ version: number; gateways: Array<{ gatewayId: string; connected: boolean }> }>('POST', `/api/tenants/${tenantId}/policy/deploy`);
    expect(dep.status).toBe(200);
    expect(dep.body.gateways).toEqual([expect.objectContaining({ gatewayId: gw.identity?.gatewayId, connected: true })]);
    await until(() => gw.deployments.version === dep.body.version);
    expect(await get('shop.test', '/after')).toBe(403);
    expect(await get('news.test', '/after')).toBe(200);
    // the console learns that the deployment succeeded
    await until(async () => {
      const v = await api.req<{ gateways?: Array<{ state: string }> }>('GET', `/api/tenants/${tenantId}/policy/versions/${dep.body.version}`);
      return JSON.stringify(v.body).includes('succeeded');
    });
  }, 60_000);

  it('keeps enforcing while the console is down and delivers every log after it restarts', async () => {
    await until(async () => (await storedUrls('/after')).length >= 2);
    await c.close();
    for (let i = 0; i < 6; i++) expect(await get('news.test', `/while-down-${i}`)).toBe(200);
    expect(await get('shop.test', '/while-down-blocked')).toBe(403);
    await new Promise((r) => setTimeout(r, 300)); // shipping attempts fail meanwhile
    expect(gw.spool.pending).toBeGreaterThanOrEqual(7);
    c = await openConsole(ports.api, ports.gw);
    api = new Api(c.url);
    await api.login(adminId);
    await until(() => gw.spool.pending === 0, 30_000);
    await until(async () => (await storedUrls('/while-down')).length >= 7, 30_000);
    const urls = await storedUrls('/while-down');
    const expected = [...Array.from({ length: 6 }, (_, i) => `/while-down-${i}`), '/while-down-blocked'];
    // every one arrived, exactly once
    expect([...urls].sort()).toEqual([...expected].sort());
    await until(() => gw.sync?.connected === true, 30_000);
  }, 90_000);

  it('swaps policies deployed through the console API under a load of requests: every request completes, enforcement changes', async () => {
    await until(() => gw.sync?.connected === true, 30_000);
    const agent = new ProxyAgent({ uri: `http://127.0.0.1:${gw.proxyAddress.port}`, proxyTunnel: false, connections: 8 });
    const done: Array<{ status: number; startedAt: number | null; endedAt: number | null; error?: string }> = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const startedAt = gw.deployments.version;
        try {
          const r = await request(`http://swap.test:${origin.port}/load-${w}-${i}`, { dispatcher: agent });
          await r.body.text();
          done.push({ status: r.statusCode, startedAt, endedAt: gw.deployments.version });
        } catch (e) {
          done.push({ status: 0, startedAt, endedAt: gw.deployments.version, error: (e as Error).message });
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    try {
      const count = () => done.length;
      await until(() => count() >= 50);
      // deploy a block list with swap.test while the load runs
      expect((await api.req('PUT', `/api/tenants/${tenantId}/policy/block-list`, { entries: [{ value: 'shop.test' }, { value: 'swap.test' }] })).status).toBe(200);
      const d1 = await api.req<{ version: number }>('POST', `/api/tenants/${tenantId}/policy/deploy`);
      expect(d1.status).toBe(200);
      await until(() => gw.deployments.version === d1.body.version, 30_000);
      const at1 = count();
      await until(() => count() >= at1 + 50);
      // and take it out again
      expect((await api.req('PUT', `/api/tenants/${tenantId}/policy/block-list`, { entries: [{ value: 'shop.test' }] })).status).toBe(200);
      const d2 = await api.req<{ version: number }>('POST', `/api/tenants/${tenantId}/policy/deploy`);
      expect(d2.status).toBe(200);
      await until(() => gw.deployments.version === d2.body.version, 30_000);
      const at2 = count();
      await until(() => count() >= at2 + 50);
      stop = true;
      await load;
      // every request completed with an answer of one policy or the other
      expect(done.filter((d) => d.status !== 200 && d.status !== 403)).toEqual([]);
      // enforcement followed the deployments: requests begun and answered under one version got its answer
      const under = (v: number) => done.filter((d) => d.startedAt === v && d.endedAt === v);
      expect(under(d1.body.version).length).toBeGreaterThanOrEqual(40);
      expect(under(d1.body.version).every((d) => d.status === 403)).toBe(true);
      expect(under(d2.body.version).length).toBeGreaterThanOrEqual(40);
      expect(under(d2.body.version).every((d) => d.status === 200)).toBe(true);
      expect(done.filter((d) => d.startedAt !== null && d.startedAt < d1.body.version).some((d) => d.status === 200)).toBe(true);
      // the origin saw exactly the allowed ones
      const allowed = done.filter((d) => d.status === 200).length;
      expect(origin.seen.filter((x) => x.includes('/load-')).length).toBe(allowed);
    } finally {
      stop = true;
      await load;
      await agent.close();
    }
  }, 120_000);

  it("blocks a download whose hash the console's file list names (cloud file lookup over mutual TLS), passes others", async () => {
    await until(() => gw.sync?.connected === true, 30_000);
    // samples made now: random bytes, one of them declared malicious on the console
    const bad = crypto.randomBytes(30_000);
    const good = crypto.randomBytes(30_000);
    const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
    const op = new Api(c.url);
    await op.login(opId);
    expect((await op.req('PUT', '/api/intel/file-hashes', { hashes: [{ sha256: sha(bad), verdict: 'malicious', name: 'Console.Test.Sample' }] })).status).toBe(200);
    const files = http.createServer((req, res) => {
      const body = req.url === '/bad.bin' ? bad : good;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    const port = (files.address() as net.AddressInfo).port;
    const agent = new ProxyAgent({ uri: `http://127.0.0.1:${gw.proxyAddress.port}`, proxyTunnel: false });
    try {
      const get2 = async (p: string) => {
        const r = await request(`http://news.test:${port}${p}`, { dispatcher: agent, headers: { 'accept-language': 'en' } });
        return { status: r.statusCode, body: Buffer.from(await r.body.arrayBuffer()) };
      };
      const blocked = await get2('/bad.bin');
      expect(blocked.status).toBe(403);
      expect(blocked.body.toString()).toContain(sha(bad));
      expect(blocked.body.toString()).toContain('Console.Test.Sample');
      const passed = await get2('/good.bin');
      expect(passed.status).toBe(200);
      expect(sha(passed.body)).toBe(sha(good));
      expect(gw.rt.files.stats.cloudAsked).toBeGreaterThanOrEqual(2);
    } finally {
      await agent.close();
      files.closeAllConnections();
      await new Promise((r) => files.close(r));
    }
  }, 60_000);
});
