/**
 * `mamori demo`'s gateway part against the real console: the DNS filter answers on the printed
 * port (UDP and TCP), a malware-category name gets the sinkhole, and the block reaches the
 * console's logs. Ports 0 so that parallel runs do not collide.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Resolver } from 'node:dns/promises';
import { analyticsFor, createConsole, type Console } from '@mamori/console';
import { gatewayDemoHook } from './demo-gateway.js';

let dir: string;
let c: Console;
let tenantId: string;
let stop: () => Promise<void>;
const printed: string[] = [];

/** a DNS query for an A record (RFC 1035 §4.1) */
function query(name: string, id: number): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]));
  const head = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([head, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

function tcpQuery(port: number, msg: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      s.write(Buffer.concat([len, msg]));
    });
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        s.destroy();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
    s.on('error', reject);
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-demo-gw-'));
  process.env['MAMORI_PROXY_PORT'] = '0';
  process.env['MAMORI_DNS_PORT'] = '0';
  c = await createConsole({ host: '127.0.0.1', port: 0, gatewayPort: 0, dataDir: path.join(dir, 'console'), logLevel: 'silent' });
  const op = await c.services.auth.createAccount({ tenantId: null, role: 'operator', email: `op-${process.pid}@example.com`, name: 'op', lang: 'en' });
  const t = await c.services.tenants.create({ name: 'Demo', model: 50, admin: { email: `admin-${process.pid}@example.com`, name: 'admin', lang: 'en' } }, op.account.id);
  tenantId = t.tenant.id;
  stop = await gatewayDemoHook.start({
    console: c,
    tenantId,
    dataDir: dir,
    print: (l) => printed.push(l),
    enrollmentToken: async (name) => (await c.services.gateways.createEnrollmentToken(tenantId, { name, groups: [] }, 'demo')).token,
  });
}, 60_000);

afterAll(async () => {
  await stop?.();
  await c?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mamori demo: gateway and DNS filter', () => {
  it('prints the DNS filter address and answers a malware-category name with the sinkhole over UDP and TCP', async () => {
    const line = printed.find((l) => l.startsWith('DNS filter:'));
    expect(line).toMatch(/^DNS filter: +127\.0\.0\.1:\d+ \(UDP and TCP/);
    expect(printed.some((l) => /^Gateway proxy: +http:\/\/127\.0\.0\.1:\d+ .*enrolled as /.test(l))).toBe(true);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(line ?? '')?.[1]);
    expect(port).toBeGreaterThan(0);
    // UDP, through the system's stub resolver library pointed at the filter
    const r = new Resolver({ timeout: 3000, tries: 2 });
    r.setServers([`127.0.0.1:${port}`]);
    expect(await r.resolve4('malware.wicar.org')).toEqual(['0.0.0.0']);
    // TCP, by hand: one A answer whose data is 0.0.0.0
    const reply = await tcpQuery(port, query('wicar.org', 0x4d4d));
    expect(reply.readUInt16BE(0)).toBe(0x4d4d);
    expect(reply[3]! & 0x0f).toBe(0); // NOERROR
    expect(reply.readUInt16BE(6)).toBe(1); // one answer
    expect([...reply.subarray(reply.length - 4)]).toEqual([0, 0, 0, 0]);
  }, 30_000);

  it('logs the blocked names to the console', async () => {
    const analytics = await analyticsFor(c.services);
    const hosts = async () => {
      const rows = await analytics.events.raw(tenantId, { type: 'access', from: Date.now() - 3_600_000, to: Date.now() + 60_000, filters: [{ field: 'action', op: 'eq', value: 'block' }], groupBy: [], orderBy: 'count', limit: 100, offset: 0 });
      return rows.map((e) => (e as { host?: string }).host);
    };
    const end = Date.now() + 20_000;
    let seen: Array<string | undefined> = [];
    while (Date.now() < end) {
      seen = await hosts();
      if (seen.includes('malware.wicar.org') && seen.includes('wicar.org')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(seen).toContain('malware.wicar.org');
    expect(seen).toContain('wicar.org');
  }, 30_000);
});
