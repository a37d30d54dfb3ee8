/**
 * The console knows more than it distributes: over the edition cap, gateways download a gateway
 * edition (security-category hosts first, then popular ones) and ask the console's cloud lookup
 * about the rest, which the console answers from its full database.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startGateway, type RunningGateway } from '@mamori/gateway';
import { buildEdition, CategoryDbBuilder, loadCategoryDb, parseCidr } from '@mamori/urlcat';
import { testConsole, signedIn, type Client } from '../testing/client.js';
import { makeTenant } from '../testing/world.js';
import type { Console } from '../app.js';
import { consoleIntel, editionMaxHosts } from './console-intel.js';

// the cap for this file (a process of its own): two host keys
process.env['MAMORI_INTEL_EDITION_HOSTS'] = '2';

const loopback: net.LookupFunction = (_host, opts, cb) => {
  if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
};

async function until(f: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function fullDb(): Buffer {
  const b = new CategoryDbBuilder('full-intel', new Date('2026-11-21T10:00:00Z'));
  b.addHost('kept-malware.example', 'malware');
  b.addHost('local-news.example', 'news');
  b.addHost('cloud-phish.example', 'phishing');
  b.addHost('cloud-cnc.example', 'cnc');
  b.addHost('cloud-gambling.example', 'gambling');
  b.addHost('amazon.co.jp', 'shopping');
  b.addUrl('pages.example', '/bad', 'phishing');
  const cidr = parseCidr('203.0.113.0/24');
  if (!cidr) throw new Error('cidr');
  b.addCidr(cidr, 'cnc');
  return b.build();
}

let c: Console & { dataDir: string };
let admin: Client;
let tenantId: string;
let origin: http.Server;
let originPort = 0;
let gw: RunningGateway;
const dirs: string[] = [];
const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-edition-'));
const dbFile = path.join(dbDir, 'full.mdb');

function viaProxy(host: string): Promise<{ status: number; reason: string | undefined }> {
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
  fs.writeFileSync(dbFile, fullDb());
  c = await testConsole({ pingIntervalSec: 3600, intelFile: dbFile });
  const operator = (await signedIn(c, 'operator', null, `edition-operator-${process.pid}@example.com`)).client;
  const t = await makeTenant(c, operator, 'Edition Co', 10);
  admin = t.admin;
  tenantId = t.id;
  origin = http.createServer((_req, res) => res.end('origin'));
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', () => r()));
  originPort = (origin.address() as net.AddressInfo).port;
  expect((await admin.post(`/api/tenants/${tenantId}/policy/deploy`)).status).toBe(200);
  const tok = await admin.post<{ token: string }>(`/api/tenants/${tenantId}/gateways/enrollment-tokens`, { name: 'gw-edition' });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-edition-gw-'));
  dirs.push(dataDir);
  gw = await startGateway({
    dataDir,
    console: { url: c.gatewayUrl!, token: tok.body.token, caPem: c.services.gatewayCa.certificatePem },
    proxy: { host: '127.0.0.1', port: 0 },
    log: pino({ level: 'silent' }),
    web: { upstream: { lookup: loopback } },
    reconnect: { minMs: 50, maxMs: 200 },
    statusIntervalMs: 200,
    cloud: { timeoutMs: 3_000, backoffMs: 100 },
  });
  await until(() => gw.sync?.connected === true);
}, 90_000);

afterAll(async () => {
  await gw?.close();
  await c?.close();
  await new Promise<void>((r) => origin?.close(() => r()));
  for (const d of [...dirs, dbDir]) fs.rmSync(d, { recursive: true, force: true });
});

describe('gateway edition', () => {
  it('keeps security hosts first, then popular ones, up to the cap, with every URL prefix and IP network', () => {
    const full = loadCategoryDb(fullDb());
    const { bytes, report } = buildEdition(full, 2, (h) => h === 'amazon.co.jp');
    expect(report).toEqual({ hosts: 6, kept: 2, security: 2, popular: 0, securityCut: 1 });
    const ed = loadCategoryDb(bytes);
    expect(ed.lookupHost('www.kept-malware.example').categories).toEqual(['malware']);
    expect(ed.lookupHost('cloud-phish.example').categories).toEqual(['phishing']);
    expect(ed.lookupHost('amazon.co.jp').categories).toEqual([]);
    expect(ed.lookupHost('local-news.example').categories).toEqual([]);
    expect(ed.lookupUrl('http://pages.example/bad/x').categories).toEqual(['phishing']);
    expect(ed.lookupIp('203.0.113.9').categories).toEqual(['cnc']);
    expect(ed.meta.builtAt).toBe(full.meta.builtAt);
    expect(ed.lookupHost('cloud-cnc.example').categories).toEqual([]);
    const roomy = buildEdition(full, 4, (h) => h === 'amazon.co.jp');
    expect(roomy.report).toMatchObject({ kept: 4, security: 3, popular: 1, securityCut: 0 });
    expect(loadCategoryDb(roomy.bytes).lookupHost('amazon.co.jp').categories).toEqual(['shopping']);
    const tight = buildEdition(full, 1, () => false);
    expect(tight.report).toMatchObject({ kept: 1, security: 1, securityCut: 2 });
    expect(() => buildEdition(full, -1, () => false)).toThrow(/whole number/);
    expect(editionMaxHosts({})).toBe(300_000);
    expect(() => editionMaxHosts({ MAMORI_INTEL_EDITION_HOSTS: 'lots' })).toThrow(/MAMORI_INTEL_EDITION_HOSTS/);
  });

  it('the console keeps the full database and hands gateways the edition under the same version', async () => {
    const intel = await consoleIntel(c.services.store, c.services.options.dataDir, c.services.options.intelFile);
    expect(intel.info.counts.hosts).toBe(6);
    expect(intel.edition?.report).toMatchObject({ hosts: 6, kept: 2 });
    const served = intel.file();
    expect(served?.equals(intel.edition!.bytes)).toBe(true);
    expect(intel.announcement()).toMatchObject({ type: 'intel', version: intel.info.version, sha256: intel.edition!.sha256 });
    expect(intel.file(intel.info.sha256)?.length).toBe(intel.info.bytes);
    // cloud lookups answer from the full database
    const answers = await intel.lookup(tenantId, ['cloud-cnc.example', 'local-news.example']);
    expect(answers.map((a) => [a.query, a.categories, a.source])).toEqual([
      ['cloud-cnc.example', ['cnc'], 'database'],
      ['local-news.example', ['news'], 'database'],
    ]);
  });

  it('a gateway with the edition categorizes a host only the console knows through the cloud lookup', async () => {
    const info = (await consoleIntel(c.services.store, c.services.options.dataDir, c.services.options.intelFile)).info;
    await until(() => gw.rt.intel.version === info.version);
    // what the gateway downloaded is the edition: the security hosts, not the rest
    const kept = fs.readdirSync(path.join(dirs[0]!, 'intel')).filter((f) => f.endsWith('.mdb'));
    expect(kept).toHaveLength(1);
    const local = loadCategoryDb(fs.readFileSync(path.join(dirs[0]!, 'intel', kept[0]!)));
    expect(local.lookupHost('kept-malware.example').categories).toEqual(['malware']);
    expect(local.lookupHost('cloud-cnc.example').categories).toEqual([]);
    expect(local.lookupHost('local-news.example').categories).toEqual([]);
    expect(await viaProxy('kept-malware.example')).toEqual({ status: 403, reason: 'rule' });
    // a C&C host the cap left out of the edition: the gateway asks the console, which knows it
    expect(await viaProxy('cloud-cnc.example')).toEqual({ status: 403, reason: 'rule' });
    expect(gw.rt.intel.categorize?.('cloud-cnc.example')).toEqual(['cnc']);
    expect(await viaProxy('local-news.example')).toEqual({ status: 200, reason: undefined });
    expect(gw.rt.intel.categorize?.('local-news.example')).toEqual(['news']);
  });
});
