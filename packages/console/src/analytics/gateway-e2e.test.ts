/**
 * End to end with a real enrolled gateway agent (@mamori/gateway: proxy, spool, event shipper,
 * sync channel) and a real console (mutual-TLS gateway listener, analytics, SMTP to a real peer):
 * - the gateway's events show up in log analysis (shipped in columns, mamori.columns/1; a batch in
 *   columns gives the same values as in the row form, and a broken one is refused with its reason);
 * - no event is lost or stored twice across console restarts in the middle of a batch (before
 *   and after its commit), because the spool resends a batch until it is acknowledged and the
 *   console stores a batch id once;
 * - a gateway that stops raises a mailed "offline" alert once the (manual) clock passes 15
 *   minutes, and a "back online" alert when it returns.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEventColumns, isEventColumns, LOG_TYPES, LogEvent, type EventBatch, type TextColumn } from '@mamori/policy';
import { DataDir, startGateway, staticIntel, type RunningGateway } from '@mamori/gateway';
import type { Console } from '../app.js';
import { signedIn, testConsole, type Client } from '../testing/client.js';
import { makeTenant, type Tenant } from '../testing/world.js';
import { ManualClock } from './clock.js';
import { analyticsFor } from './console-routes.js';
import { generateEvents } from './demo/generator.js';
import type { IngestBatch, IngestResult } from './store/event-store.js';
import { startSmtpPeer, type SmtpPeer } from './test-support/smtp-peer.js';

const MIN = 60_000;
const log = pino({ level: 'silent' });
const intel = staticIntel({ categories: { 'news.test': ['news'] } });
const loopback: LookupFunction = (_host, opts, cb) => {
  if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
};

let clock: ManualClock;
let peer: SmtpPeer;
let consoleDir: string;
let gwDir: string;
let c: Console;
let operator: Client;
let tenant: Tenant;
let gatewayId: string;
let gw: RunningGateway | undefined;
let origin: http.Server;
let originPort: number;
let token: string;

function openConsole(ports?: { api: number; gateway: number }): Promise<Console> {
  return testConsole({ dataDir: consoleDir, analyticsClock: clock, smtpUrl: peer.url, ...(ports ? { port: ports.api, gatewayPort: ports.gateway } : {}) });
}

function startAgent(): Promise<RunningGateway> {
  return startGateway({
    dataDir: gwDir,
    console: { url: c.url, token, caPem: c.services.gatewayCa.certificatePem },
    proxy: { host: '127.0.0.1', port: 0 },
    intel,
    log,
    web: { upstream: { lookup: loopback } },
    shipIntervalMs: 100,
    reconnect: { minMs: 50, maxMs: 200 },
  });
}

/** one request through the gateway's web proxy (absolute-form, as a browser sends to a proxy) */
function browse(pathName: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: gw!.proxyAddress.port, path: `http://news.test:${originPort}${pathName}`, headers: { host: `news.test:${originPort}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface AccessRow { id: string; url?: string; gatewayId: string; host?: string }

async function accessLogs(urlContains: string): Promise<AccessRow[]> {
  const r = await tenant.admin.post<{ events: AccessRow[] }>('/api/analytics/logs/access/query', {
    from: Date.now() - 3_600_000, to: Date.now() + 3_600_000, filters: [{ field: 'url', op: 'contains', value: urlContains }], limit: 1000,
  });
  if (r.status !== 200) throw new Error(`log query: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.events;
}

async function gatewayRow() {
  return c.services.store.tenant(tenant.id).gateways.get(gatewayId);
}

/** POST /api/gateway/events on the console's mutual-TLS listener with the gateway's own key and certificate */
function postEvents(body: unknown, tls: { key: string; cert: string }): Promise<{ status: number; body: unknown }> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = https.request(`${c.gatewayUrl}/api/gateway/events`, { method: 'POST', ca: c.services.gatewayCa.certificatePem, ...tls, headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function gatewayPorts(): { api: number; gateway: number } {
  return { api: Number(new URL(c.url).port), gateway: Number(new URL(c.gatewayUrl!).port) };
}

beforeAll(async () => {
  clock = new ManualClock(Date.now());
  peer = await startSmtpPeer();
  consoleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-an-e2e-console-'));
  gwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-an-e2e-gw-'));
  origin = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', () => r()));
  originPort = (origin.address() as AddressInfo).port;
  c = await openConsole();
  operator = (await signedIn(c, 'operator', null, `e2e-op-${process.pid}@example.com`)).client;
  tenant = await makeTenant(c, operator, 'E2E株式会社', 10);
  const alerts = await operator.put(`/api/tenants/${tenant.id}/admin-alerts`, { enabled: true, recipients: ['soc@example.jp'], types: { gatewayStatus: true, cncCallback: true, deploymentFailed: true } });
  expect(alerts.status).toBe(200);
  const tok = await tenant.admin.post<{ token: string }>(`/api/tenants/${tenant.id}/gateways/enrollment-tokens`, { name: '本社ゲートウェイ' });
  token = tok.body.token;
  gw = await startAgent();
  gatewayId = gw.identity!.gatewayId;
  await until('sync channel', async () => gw!.sync!.connected);
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await c?.close();
  await peer?.close();
  await new Promise((r) => origin?.close(r));
  fs.rmSync(consoleDir, { recursive: true, force: true });
  fs.rmSync(gwDir, { recursive: true, force: true });
});

describe('a real gateway shipping to a real console over mutual TLS', () => {
  it('refuses the events endpoint without a gateway client certificate', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(`${c.gatewayUrl}/api/gateway/events`, { method: 'POST', ca: c.services.gatewayCa.certificatePem, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ batchId: 'x', gatewayId: 'x', events: [] }));
    });
    expect([401, 403]).toContain(status);
  });

  it('shows the gateway\'s web access in log analysis within seconds', async () => {
    for (let i = 0; i < 5; i++) expect(await browse(`/e2e-${i}`)).toBe(200);
    const rows = await until('events in log analysis', async () => {
      const r = await accessLogs('/e2e-');
      return r.length >= 5 ? r : undefined;
    });
    expect(rows.map((r) => new URL(r.url!).pathname).sort()).toEqual(['/e2e-0', '/e2e-1', '/e2e-2', '/e2e-3', '/e2e-4']);
    expect(new Set(rows.map((r) => r.gatewayId))).toEqual(new Set([gatewayId]));
    expect(rows.every((r) => r.host === 'news.test')).toBe(true);
    // and grouped by site
    const g = await tenant.admin.post<{ groups: Array<{ keys: Record<string, string>; count: number }> }>('/api/analytics/logs/access/query', {
      from: Date.now() - 3_600_000, to: Date.now() + 3_600_000, filters: [{ field: 'url', op: 'contains', value: '/e2e-' }], groupBy: ['host'],
    });
    expect(g.body.groups).toEqual([expect.objectContaining({ keys: { host: 'news.test' }, count: 5 })]);
  });

  it('takes a batch in columns through the real route: log analysis shows the same values as for the row form; a resend is a duplicate; a broken one is a 400 with the reason', async () => {
    const id = new DataDir(gwDir).readIdentity()!;
    const tls = { key: id.keyPem, cert: id.certPem };
    const now = Date.now();
    const rows: EventBatch = {
      batchId: `e2e-rows-${process.pid}`, gatewayId,
      events: [...generateEvents({ seed: 77, from: now - 10 * MIN, to: now, count: 120, idPrefix: 'rowform-' })].map((e) => LogEvent.parse(e)),
    };
    const cols = encodeEventColumns({ batchId: `e2e-cols-${process.pid}`, gatewayId, events: rows.events.map((e) => ({ ...e, id: e.id.replace('rowform-', 'colform-') })) });
    expect(await postEvents(rows, tls)).toEqual({ status: 200, body: { batchId: rows.batchId, accepted: 120, duplicate: false } });
    expect(await postEvents(cols, tls)).toEqual({ status: 200, body: { batchId: cols.batchId, accepted: 120, duplicate: false } });
    expect(await postEvents(cols, tls)).toEqual({ status: 200, body: { batchId: cols.batchId, accepted: 120, duplicate: true } });
    for (const type of LOG_TYPES) {
      const q = async (prefix: string) => {
        const r = await tenant.admin.post<{ events: Array<{ id: string }> }>(`/api/analytics/logs/${type}/query`, { from: now - 3_600_000, to: now + 3_600_000, filters: [{ field: 'id', op: 'prefix', value: prefix }], limit: 1000 });
        expect(r.status).toBe(200);
        return r.body.events.map((e) => ({ ...e, id: e.id.slice(prefix.length) }));
      };
      const fromRows = await q('rowform-');
      expect(fromRows.length).toBe(rows.events.filter((e) => e.type === type).length);
      expect(fromRows.length).toBeGreaterThan(0);
      expect(await q('colform-')).toEqual(fromRows);
    }
    const broken = structuredClone(cols);
    broken.batchId = `e2e-broken-${process.pid}`;
    const host = broken.types.access!.cols['host'] as TextColumn;
    host.i[1] = host.d.length + 5;
    const bad = await postEvents(broken, tls);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: {
        code: 'validation.failed',
        problems: [{ path: 'body.types.access.cols.host.i.1', code: 'events.columns_invalid', message: { en: `Invalid event batch in columns (index ${host.d.length + 5} outside the dictionary (${host.d.length} entries)).`, ja: `列形式のイベントバッチが正しくありません (index ${host.d.length + 5} outside the dictionary (${host.d.length} entries))。` } }],
      },
    });
    // the API document shows both forms of the body
    const doc = await operator.get<{ paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { anyOf: Array<{ properties: Record<string, unknown>; required: string[] }> } }> } } }> }>('/api/openapi.json');
    const forms = doc.body.paths['/api/gateway/events']!.post.requestBody.content['application/json']!.schema.anyOf;
    expect(forms.map((f) => f.required)).toEqual([['batchId', 'gatewayId', 'events'], ['format', 'batchId', 'gatewayId', 'types']]);
    expect(forms[1]!.properties['format']).toEqual({ const: 'mamori.columns/1' });
  });

  it('loses nothing and stores nothing twice across console restarts in the middle of a batch', async () => {
    const ports = gatewayPorts();
    // 1) the console goes down while it receives the batch, before committing it
    {
      const a = await analyticsFor(c.services);
      let hits = 0;
      a.events.ingest = async () => {
        hits++;
        c.gateway!.server.closeAllConnections();
        throw new Error('console crashed before commit');
      };
      for (let i = 0; i < 10; i++) expect(await browse(`/restart-${i}`)).toBe(200);
      await until('a batch attempt', async () => hits > 0);
      // the shipper waits while the console restarts, so that each console is set up before it ships
      gw!.shipper!.stop();
      await c.close();
      expect(gw!.spool.pending).toBeGreaterThanOrEqual(10);
    }
    // 2) the next console commits the batch and goes down before acknowledging it
    let committed: { batchId: string; result: IngestResult } | undefined;
    {
      c = await openConsole(ports);
      const a = await analyticsFor(c.services);
      const store = a.events;
      const ingest = store.ingest.bind(store);
      store.ingest = async (tenantId: string, batch: EventBatch) => {
        const result = await ingest(tenantId, batch);
        committed ??= { batchId: batch.batchId, result };
        c.gateway!.server.closeAllConnections();
        throw new Error('console crashed after commit, before the acknowledgement');
      };
      gw!.shipper!.start();
      await until('a committed batch', async () => committed !== undefined);
      gw!.shipper!.stop();
      await c.close();
      expect(committed!.result.duplicate).toBe(false);
      expect(gw!.spool.pending).toBeGreaterThanOrEqual(10); // the gateway never got the ack
    }
    // 3) a healthy console: the gateway resends; the committed batch is acknowledged as a duplicate
    const seen: Array<{ batchId: string; duplicate: boolean }> = [];
    const forms = new Set<string>();
    c = await openConsole(ports);
    const a = await analyticsFor(c.services);
    const ingest = a.events.ingest.bind(a.events);
    a.events.ingest = async (tenantId: string, batch: IngestBatch) => {
      const r = await ingest(tenantId, batch);
      seen.push({ batchId: batch.batchId, duplicate: r.duplicate });
      forms.add(isEventColumns(batch) ? 'columns' : 'rows');
      return r;
    };
    gw!.shipper!.start();
    await until('spool drained', async () => gw!.spool.pending === 0 && seen.length > 0);
    expect(seen.find((s) => s.batchId === committed!.batchId)).toEqual({ batchId: committed!.batchId, duplicate: true });
    expect(forms).toEqual(new Set(['columns'])); // the gateway ships columns
    const rows = await accessLogs('/restart-');
    const paths = rows.map((r) => new URL(r.url!).pathname).sort();
    expect(paths).toEqual(Array.from({ length: 10 }, (_, i) => `/restart-${i}`).sort());
    // the earlier events are still there, once each
    expect((await accessLogs('/e2e-')).length).toBe(5);
    await until('sync channel after the restarts', async () => gw!.sync!.connected && (await gatewayRow())?.connected === 1);
  }, 120_000);

  it('mails an "offline" alert when the gateway has been silent for 15 minutes, and "back online" when it returns', async () => {
    const mailsWith = (s: string) => peer.received.filter((m) => m.mail.subject?.includes(s));
    clock.set(Date.now());
    await clock.tick(MIN);
    expect(mailsWith('オフライン')).toEqual([]);

    await gw!.close();
    gw = undefined;
    await until('gateway marked disconnected', async () => (await gatewayRow())?.connected === 0);
    clock.set(Date.now());
    await clock.tick(14 * MIN);
    expect(mailsWith('オフライン')).toEqual([]);
    await clock.tick(2 * MIN); // 16 minutes without contact
    const [off] = await peer.waitFor(() => mailsWith('オフライン').length === 1).then(() => mailsWith('オフライン'));
    expect(off!.rcptTo).toEqual(['soc@example.jp']);
    expect(off!.mail.subject).toBe('【Mamori 管理者アラート】ゲートウェイ「本社ゲートウェイ」がオフラインになりました / [Mamori admin alert] Gateway "本社ゲートウェイ" went offline');
    expect(off!.mail.text).toContain(`gatewayId: ${gatewayId}`);
    // deduplicated: still offline a few minutes later, no second mail
    await clock.tick(5 * MIN);
    expect(mailsWith('オフライン')).toHaveLength(1);

    gw = await startAgent();
    await until('gateway back', async () => gw!.sync!.connected && (await gatewayRow())?.connected === 1);
    await clock.tick(MIN);
    const [on] = await peer.waitFor(() => mailsWith('オンラインに戻りました').length === 1).then(() => mailsWith('オンラインに戻りました'));
    expect(on!.rcptTo).toEqual(['soc@example.jp']);
    const alerts = await tenant.admin.get<Array<{ kind: string; state: string }>>('/api/analytics/alerts');
    expect(alerts.body.filter((x) => x.kind.startsWith('gateway.')).map((x) => [x.kind, x.state])).toEqual([['gateway.online', 'resolved'], ['gateway.offline', 'resolved']]);
  }, 120_000);
});
