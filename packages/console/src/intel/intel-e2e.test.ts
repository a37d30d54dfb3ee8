/**
 * Intel between a real console and a real gateway agent (mutual TLS): cloud lookups for hosts
 * the gateway's database does not know (and the gateway going on alone when the console is
 * stopped), tenant reclassifications and custom categories deployed with the policy, and the
 * distribution of a new database (announce, download, verify, swap, status).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startGateway, type RunningGateway } from '@mamori/gateway';
import { CategoryDbBuilder, loadCategoryDb, loadStarterDb } from '@mamori/urlcat';
import { testConsole, signedIn, type Client } from '../testing/client.js';
import { makeTenant } from '../testing/world.js';
import type { Console } from '../app.js';
import { ConsoleIntel, intelVersion } from './console-intel.js';

const loopback: net.LookupFunction = (_host, opts, cb) => {
  if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
};

function dbWith(entries: Array<[string, string]>, name: string): Buffer {
  const b = new CategoryDbBuilder(name, new Date('2026-11-20T10:00:00Z'));
  for (const [host, cat] of entries) b.addHost(host, cat);
  return b.build();
}

async function until(f: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

let c: Console & { dataDir: string };
let operator: Client;
let admin: Client;
let tenantId: string;
let origin: http.Server;
let originPort = 0;
const dirs: string[] = [];
const gateways: RunningGateway[] = [];
const consoleDb = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-intel-')), 'console.mdb');

async function gateway(opts: { intelUpdates?: boolean } = {}): Promise<RunningGateway> {
  const tok = await admin.post<{ token: string }>(`/api/tenants/${tenantId}/gateways/enrollment-tokens`, { name: `gw-${gateways.length}` });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-intel-gw-'));
  dirs.push(dataDir);
  const gw = await startGateway({
    dataDir,
    console: { url: c.gatewayUrl!, token: tok.body.token, caPem: c.services.gatewayCa.certificatePem },
    proxy: { host: '127.0.0.1', port: 0 },
    log: pino({ level: 'silent' }),
    web: { upstream: { lookup: loopback } },
    reconnect: { minMs: 50, maxMs: 200 },
    statusIntervalMs: 200,
    cloud: { timeoutMs: 2_000, backoffMs: 100 },
    ...opts,
  });
  gateways.push(gw);
  await until(() => gw.sync?.connected === true);
  return gw;
}

/** GET http://<host>:<origin port>/ through the gateway's proxy: the status and the block reason */
function viaProxy(gw: RunningGateway, host: string): Promise<{ status: number; reason: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: gw.proxyAddress.port, method: 'GET', path: `http://${host}:${originPort}/`, headers: { host: `${host}:${originPort}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reason: res.headers['x-mamori-block-reason'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  fs.writeFileSync(consoleDb, dbWith([['cloud-only.example', 'malware'], ['console-news.example', 'news']], 'console-intel'));
  c = await testConsole({ pingIntervalSec: 3600, intelFile: consoleDb });
  operator = (await signedIn(c, 'operator', null, `intel-operator-${process.pid}@example.com`)).client;
  const t = await makeTenant(c, operator, 'Intel Co', 10);
  admin = t.admin;
  tenantId = t.id;
  origin = http.createServer((_req, res) => res.end('origin'));
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', () => r()));
  originPort = (origin.address() as net.AddressInfo).port;
  const dep = await admin.post(`/api/tenants/${tenantId}/policy/deploy`);
  expect(dep.status).toBe(200);
}, 90_000);

afterAll(async () => {
  for (const g of gateways) await g.close();
  await c?.close();
  await new Promise<void>((r) => origin?.close(() => r()));
  for (const d of [...dirs, path.dirname(consoleDb)]) fs.rmSync(d, { recursive: true, force: true });
});

describe('intel between the console and a gateway', () => {
  it('the console reports its active database with a version made of the content hash and the build time', async () => {
    const r = await operator.get<{ version: string; sha256: string; builtAt: string; source: string; counts: { hosts: number } }>('/api/intel');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ source: 'file', builtAt: '2026-11-20T10:00:00.000Z', counts: { hosts: 2 } });
    expect(r.body.version).toBe(intelVersion(r.body.sha256, '2026-11-20T10:00:00.000Z'));
    expect(r.body.version).toMatch(/^[0-9a-f]{16}-20261120T100000Z$/);
  });

  it('distributes the active database: the gateway downloads it over mutual TLS, verifies it and reports the version', async () => {
    const gw = await gateway();
    const info = (await operator.get<{ version: string }>('/api/intel')).body;
    await until(() => gw.rt.intel.version === info.version);
    expect(gw.rt.intel.categorize?.('www.cloud-only.example')).toEqual(['malware']);
    // the status the console stores carries the new version
    await until(async () => JSON.parse((await c.services.store.tenant(tenantId).gateways.get(gw.identity!.gatewayId))?.status_json ?? '{}').intelVersion === info.version);

    // a new upload is validated, activated and announced; the gateway swaps to it
    const bad = await operator.put('/api/intel/db', { base64: Buffer.from('not a database at all').toString('base64') });
    expect(bad.status).toBe(400);
    const next = dbWith([['new-bad.example', 'phishing']], 'console-intel-2');
    const up = await operator.put<{ version: string; source: string }>('/api/intel/db', { base64: next.toString('base64') });
    expect(up.status).toBe(200);
    expect(up.body.source).toBe('upload');
    await until(() => gw.rt.intel.version === up.body.version);
    expect(gw.rt.intel.categorize?.('new-bad.example')).toEqual(['phishing']);
    expect(await viaProxy(gw, 'new-bad.example')).toEqual({ status: 403, reason: 'rule' });
    // kept in the data directory for a restart
    expect(fs.readdirSync(path.join(dirs[0]!, 'intel')).filter((f) => f.endsWith('.mdb'))).toHaveLength(1);

    // an announcement whose hash does not match what is served is refused; the database stays
    c.services.hub.broadcast({ type: 'intel', version: 'forged', url: '/api/gateway/intel/db', sha256: 'ab'.repeat(32) });
    await new Promise((r) => setTimeout(r, 500));
    expect(gw.rt.intel.version).toBe(up.body.version);
    expect(gw.rt.intel.categorize?.('new-bad.example')).toEqual(['phishing']);
  });

  it('reclassifies hosts for a tenant with validation, and the deployment carries them with custom categories', async () => {
    const url = `/api/tenants/${tenantId}/intel/reclassifications`;
    const badCat = await admin.put<{ error: { problems: Array<{ path: string; code: string }> } }>(url, { reclassifications: [{ entry: 'x.example', categories: ['no-such-category'] }] });
    expect(badCat.status).toBe(400);
    expect(badCat.body.error.problems[0]).toMatchObject({ path: 'body.reclassifications.0.categories.0', code: 'policy.reference.unknown' });
    const badEntry = await admin.put<{ error: { problems: Array<{ path: string; code: string; message: { ja: string; en: string } }> } }>(url, { reclassifications: [{ entry: 'not a host!', categories: ['news'] }] });
    expect(badEntry.status).toBe(400);
    // the message names the rejected entry (not a literal "{value}")
    expect(badEntry.body.error.problems[0]).toMatchObject({ path: 'body.reclassifications.0.entry', code: 'policy.list_entry.invalid' });
    expect(badEntry.body.error.problems[0]?.message.en).toContain('"not a host!"');
    expect(badEntry.body.error.problems[0]?.message.ja).toContain('「not a host!」');
    const dup = await admin.put(url, { reclassifications: [{ entry: 'a.example', categories: ['news'] }, { entry: 'A.example', categories: ['games'] }] });
    expect(dup.status).toBe(400);
    const ok = await admin.put(url, {
      reclassifications: [
        { entry: '*.new-bad.example', categories: ['business'], note: 'our partner' },
        { entry: 'play.example', categories: ['gambling'] },
      ],
    });
    expect(ok.status).toBe(200);
    expect((await admin.get<{ reclassifications: unknown[] }>(url)).body.reclassifications).toHaveLength(2);

    await c.services.policy.change(tenantId, 'test', 'policy.custom', 'customCategories', (p) => {
      p.objects.customCategories.push({ id: 'partners', name: 'Partners', entries: ['partner.example', '*.partner.example'] });
      return { before: null, after: null, result: null };
    });
    const gw = gateways[0]!;
    const before = gw.deployments.version ?? 0;
    expect((await admin.post(`/api/tenants/${tenantId}/policy/deploy`)).status).toBe(200);
    await until(() => (gw.deployments.version ?? 0) > before);
    // the tenant's word first, then the database
    expect(gw.rt.intel.categorize?.('new-bad.example')).toEqual(['business']);
    expect(gw.rt.intel.categorize?.('www.new-bad.example')).toEqual(['business']);
    expect(gw.rt.intel.categorize?.('play.example')).toEqual(['gambling']);
    expect(gw.rt.intel.categorize?.('www.partner.example')).toEqual(['partners']);
    expect(await viaProxy(gw, 'new-bad.example')).toEqual({ status: 200, reason: undefined });
    expect(ConsoleIntel.problems([{ entry: 'x.example', categories: ['news'] }])).toEqual([]);
  });

  it('asks the console about hosts its own database does not know, caches the answer, and goes on alone when the console stops', async () => {
    const gw = await gateway({ intelUpdates: false });
    // this gateway keeps the starter database: the console's database is not its own
    expect(loadStarterDb().lookupHost('cloud-only.example').categories).toEqual([]);
    await until(() => gw.rt.intel.version === 'starter' && gw.deployments.version !== null);
    const upload = dbWith([['cloud-only.example', 'malware'], ['new-bad.example', 'phishing']], 'console-intel-3');
    expect((await operator.put('/api/intel/db', { base64: upload.toString('base64') })).status).toBe(200);
    expect(await viaProxy(gw, 'cloud-only.example')).toEqual({ status: 403, reason: 'rule' });
    expect(gw.rt.intel.categorize?.('cloud-only.example')).toEqual(['malware']);
    expect(gw.rt.intel.version).toBe('starter');

    await c.close();
    // cached answers stay; new unknown hosts are decided locally at once; local knowledge still blocks
    expect(await viaProxy(gw, 'cloud-only.example')).toEqual({ status: 403, reason: 'rule' });
    const started = Date.now();
    const unknown = await viaProxy(gw, 'never-seen.example');
    expect(unknown.status).not.toBe(403);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(loadStarterDb().lookupHost('wicar.org').categories).toContain('malware');
    expect(await viaProxy(gw, 'wicar.org')).toEqual({ status: 403, reason: 'rule' });
    expect(loadCategoryDb(upload).lookupHost('cloud-only.example').categories).toEqual(['malware']);
  });
});
