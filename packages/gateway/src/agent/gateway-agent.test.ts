import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { ProxyAgent, request } from 'undici';
import { Policy, defaultPolicyInput, type Deployment } from '@mamori/policy';
import { startGateway, type RunningGateway } from './gateway-agent.js';
import { startTestConsole, type TestConsole } from '../test-support/test-console.js';
import { makePki, startHttpOrigin, loopbackLookup, type Origin, type Pki } from '../test-support/origins.js';
import { staticIntel } from '../chain/static-intel.js';

let tc: TestConsole;
let origin: Origin;
let pki: Pki;
let dataDir: string;
let gw: RunningGateway;
const intel = staticIntel({ categories: { 'news.test': ['news'] } });
const log = pino({ level: 'silent' });

function deployment(version: number, blocked: string[]): Deployment {
  const p = defaultPolicyInput(10);
  p.blockList = blocked.map((value) => ({ value }));
  return { version, policy: Policy.parse(p), decryptionCa: pki.tenantCa, gatewayGroups: [] };
}

async function get(g: RunningGateway, host: string, pathName = '/'): Promise<number> {
  const agent = new ProxyAgent({ uri: `http://127.0.0.1:${g.proxyAddress.port}`, proxyTunnel: false });
  try {
    const r = await request(`http://${host}:${origin.port}${pathName}`, { dispatcher: agent });
    await r.body.text();
    return r.statusCode;
  } finally {
    await agent.close();
  }
}

async function until(f: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function start(): Promise<RunningGateway> {
  return startGateway({
    dataDir,
    console: { url: tc.url, token: tc.token, caPem: tc.ca.certificatePem },
    proxy: { host: '127.0.0.1', port: 0 },
    intel,
    log,
    web: { upstream: { lookup: loopbackLookup } },
    shipIntervalMs: 100,
    reconnect: { minMs: 50, maxMs: 200 },
  });
}

beforeAll(async () => {
  pki = await makePki();
  tc = await startTestConsole();
  origin = await startHttpOrigin();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-agent-'));
  gw = await start();
});

afterAll(async () => {
  await gw?.close();
  await tc?.close();
  await origin?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('gateway agent', () => {
  it('enrolls once, keeps the key and certificate 0600 and says hello with its status', async () => {
    expect(tc.enrollments).toBe(1);
    for (const f of ['identity/client-key.pem', 'identity/client-cert.pem', 'identity/gateway.json']) {
      expect(fs.statSync(path.join(dataDir, f)).mode & 0o777).toBe(0o600);
    }
    await until(() => tc.messages.some((m) => m.type === 'hello'));
    const hello = tc.messages.find((m) => m.type === 'hello');
    expect(hello?.type === 'hello' && hello.status.mode).toBe('explicit-proxy');
    expect(hello?.type === 'hello' && hello.status.interfaces.some((i) => i.name === 'lo' && i.up && i.addresses.includes('127.0.0.1/8'))).toBe(true);
  });

  it('applies a deployment: enforcement changes and the console gets deployResult ok', async () => {
    expect(await get(gw, 'blocked.test')).toBe(200);
    tc.deploy(deployment(1, ['blocked.test']));
    expect(await tc.result(1)).toMatchObject({ ok: true });
    expect(await get(gw, 'blocked.test')).toBe(403);
    expect(fs.statSync(path.join(dataDir, 'deployment.json')).mode & 0o777).toBe(0o600);
  });

  it('keeps the previous policy when a deployment cannot be applied and reports why', async () => {
    const bad = { ...deployment(2, []), decryptionCa: { certificatePem: pki.tenantCa.certificatePem, privateKeyPem: 'garbage' } };
    tc.deploy(bad);
    const r = await tc.result(2);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/private key/);
    expect(await get(gw, 'blocked.test')).toBe(403);
    expect(gw.deployments.version).toBe(1);
  });

  it('keeps enforcing and logging while the console is down, across a restart, and ships every log later', async () => {
    await gw.shipper!.shipNow();
    const shippedBefore = tc.events.size;
    tc.down = true;
    tc.dropConnections();
    for (let i = 0; i < 5; i++) expect(await get(gw, 'news.test', `/down-${i}`)).toBe(200);
    expect(await get(gw, 'blocked.test', '/down-blocked')).toBe(403);
    await gw.close(); // restart while the console is unreachable
    gw = await start();
    expect(tc.enrollments).toBe(1);
    expect(await get(gw, 'blocked.test', '/after-restart')).toBe(403);
    expect(await get(gw, 'news.test', '/after-restart')).toBe(200);
    expect(gw.spool.pending).toBeGreaterThanOrEqual(7);
    tc.down = false;
    await until(() => gw.spool.pending === 0 && tc.events.size >= shippedBefore + 7);
    const urls = [...tc.events.values()].flatMap((e) => (e.type === 'access' && e.url ? [new URL(e.url).pathname] : []));
    for (const p of ['/down-0', '/down-4', '/down-blocked', '/after-restart']) expect(urls).toContain(p);
    // each logged once
    expect(urls.filter((u) => u === '/down-0')).toHaveLength(1);
    // shipped in columns
    expect(tc.batchForms.length).toBeGreaterThan(0);
    expect(new Set(tc.batchForms)).toEqual(new Set(['columns']));
    await until(() => gw.sync!.connected);
  });

  it('loses no request while policies are swapped under load', async () => {
    const agent = new ProxyAgent({ uri: `http://127.0.0.1:${gw.proxyAddress.port}`, proxyTunnel: false, connections: 16 });
    const statuses: number[] = [];
    const errors: unknown[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const r = await request(`http://news.test:${origin.port}/load`, { dispatcher: agent });
          await r.body.text();
          statuses.push(r.statusCode);
        } catch (e) {
          errors.push(e);
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    for (let v = 10; v < 16; v++) {
      tc.deploy(deployment(v, v % 2 ? ['news.test'] : ['other.test']));
      expect(await tc.result(v)).toMatchObject({ ok: true });
      // let requests complete under each policy before the next swap (a count, not a time window)
      const seen = statuses.length + errors.length;
      await until(() => statuses.length + errors.length >= seen + 10);
    }
    stop = true;
    await Promise.all(workers);
    await agent.close();
    expect(errors).toEqual([]);
    expect(statuses.length).toBeGreaterThan(50);
    expect(statuses.every((s) => s === 200 || s === 403)).toBe(true);
    expect(statuses).toContain(200);
    expect(statuses).toContain(403);
  });
});
