/**
 * `mamori demo --intel <file>`: the demo console and its gateway both start with the named
 * category database (a small one built here), so a name listed only in that file is blocked by
 * the demo's DNS filter and categorized by the console.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Resolver } from 'node:dns/promises';
import { consoleIntel, createConsole, type Console } from '@mamori/console';
import { CategoryDbBuilder } from '@mamori/urlcat';
import { gatewayDemoHook } from './demo-gateway.js';
import { demoIntelFile } from './demo.js';

let dir: string;
let dbFile: string;
let c: Console;
let stop: () => Promise<void>;
const printed: string[] = [];
const ONLY_IN_FILE = `only-in-file-${process.pid}.example.org`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-demo-intel-'));
  const b = new CategoryDbBuilder('demo-intel-test', new Date('2026-01-02T03:04:05Z'));
  b.addHost(ONLY_IN_FILE, 'malware');
  b.addHost(`news-${process.pid}.example.org`, 'news');
  dbFile = path.join(dir, 'intel.mdb');
  fs.writeFileSync(dbFile, b.build());
  process.env['MAMORI_PROXY_PORT'] = '0';
  process.env['MAMORI_DNS_PORT'] = '0';
  // what `mamori demo --intel <file>` does: check the file, then give it to the console and the gateway hook
  const intel = demoIntelFile(path.relative(process.cwd(), dbFile), {});
  if (!intel) throw new Error('demoIntelFile returned nothing for --intel');
  c = await createConsole({ host: '127.0.0.1', port: 0, gatewayPort: 0, dataDir: path.join(dir, 'console'), logLevel: 'silent', intelFile: intel.file });
  const op = await c.services.auth.createAccount({ tenantId: null, role: 'operator', email: `op-${process.pid}@example.com`, name: 'op', lang: 'en' });
  const t = await c.services.tenants.create({ name: 'Demo', model: 50, admin: { email: `admin-${process.pid}@example.com`, name: 'admin', lang: 'en' } }, op.account.id);
  const tenantId = t.tenant.id;
  stop = await gatewayDemoHook.start({
    console: c,
    tenantId,
    dataDir: dir,
    print: (l) => printed.push(l),
    intelFile: intel.file,
    enrollmentToken: async (name) => (await c.services.gateways.createEnrollmentToken(tenantId, { name, groups: [] }, 'demo')).token,
  });
}, 60_000);

afterAll(async () => {
  await stop?.();
  await c?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mamori demo --intel <file>', () => {
  it('resolves --intel before $MAMORI_INTEL_DB and refuses a missing or damaged file with the reason', () => {
    expect(demoIntelFile(undefined, {})).toBeUndefined();
    expect(demoIntelFile(undefined, { MAMORI_INTEL_DB: dbFile })).toEqual({ file: dbFile, hosts: 2 });
    expect(demoIntelFile(dbFile, { MAMORI_INTEL_DB: path.join(dir, 'other.mdb') })).toEqual({ file: dbFile, hosts: 2 });
    expect(() => demoIntelFile(path.join(dir, 'missing.mdb'), {})).toThrow(/cannot read category database .*missing\.mdb: ENOENT/);
    const bad = path.join(dir, 'bad.mdb');
    fs.writeFileSync(bad, 'not a database, just some text that is long enough to hold a header......');
    expect(() => demoIntelFile(bad, {})).toThrow(/bad\.mdb: not a Mamori category database/);
  });

  it('the console holds the file as its active database', async () => {
    const intel = await consoleIntel(c.services.store, c.services.options.dataDir, c.services.options.intelFile);
    expect(intel.info.source).toBe('file');
    expect(intel.info.name).toBe('demo-intel-test');
    expect(intel.info.counts.hosts).toBe(2);
    expect(intel.db.lookupHost(`www.${ONLY_IN_FILE}`).categories).toEqual(['malware']);
  });

  it("the demo gateway's DNS filter blocks a name listed only in that file", async () => {
    const line = printed.find((l) => l.startsWith('DNS filter:'));
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(line ?? '')?.[1]);
    expect(port).toBeGreaterThan(0);
    const r = new Resolver({ timeout: 3000, tries: 2 });
    r.setServers([`127.0.0.1:${port}`]);
    expect(await r.resolve4(ONLY_IN_FILE)).toEqual(['0.0.0.0']);
    expect(await r.resolve4(`cdn.${ONLY_IN_FILE}`)).toEqual(['0.0.0.0']);
  }, 30_000);
});
