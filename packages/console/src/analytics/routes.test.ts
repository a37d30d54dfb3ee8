import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEventColumns, LOG_TYPES, LogEvent, type EventBatch, type TextColumn } from '@mamori/policy';
import { createAnalytics, type Analytics } from './analytics.js';
import { ManualClock } from './clock.js';
import { emptyFacts, type MailMessage } from './console-facts.js';
import { generateEvents } from './demo/generator.js';
import { isDemoData, seedDemoEvents } from './demo/seed.js';
import { registerAnalyticsRoutes, type RequestUser } from './routes.js';
import { SqliteEventStore } from './store/sqlite-store.js';
import { sqliteMeta } from './test-support/meta.js';
import type { EventStore, IngestResult } from './store/event-store.js';

const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
const users: Record<string, RequestUser> = {
  admin: { tenantId: 't1', userId: 'u-admin', role: 'tenant-admin' },
  viewer: { tenantId: 't1', userId: 'u-view', role: 'tenant-viewer' },
  other: { tenantId: 't2', userId: 'u-other', role: 'tenant-admin' },
};

function batchOf(id: string, gatewayId: string, n: number, seed: number): EventBatch {
  return { batchId: id, gatewayId, events: [...generateEvents({ seed, from: NOW - 3_600_000, to: NOW, count: n, idPrefix: `${id}-` })].map((e) => LogEvent.parse(e)) };
}

describe('analytics HTTP API', () => {
  let app: FastifyInstance;
  let analytics: Analytics;
  let store: EventStore;
  const clock = new ManualClock(NOW);
  const mails: MailMessage[] = [];
  let gate: Promise<void> | undefined;

  beforeAll(async () => {
    const inner = new SqliteEventStore({ path: ':memory:' });
    // a store that can be held mid-write, to exercise back-pressure
    store = Object.assign(Object.create(inner) as EventStore, {
      ingest: async (t: string, b: EventBatch): Promise<IngestResult> => {
        if (gate) await gate;
        return inner.ingest(t, b);
      },
    });
    const meta = await sqliteMeta();
    analytics = await createAnalytics({
      events: store, meta, metaDialect: 'sqlite', clock,
      facts: emptyFacts({ sendMail: async (_t, m) => { mails.push(m); return true; }, tenants: async () => [{ id: 't1', name: 'T1' }], gateways: async () => [{ id: 'gw1', name: '本社', lastSeenAt: NOW }] }),
      ingest: { maxInFlight: 1, maxQueued: 1, maxPerGateway: 1, retryAfterSec: 7 },
    });
    app = Fastify();
    registerAnalyticsRoutes(app, {
      analytics,
      user: async (req) => users[String(req.headers['x-test-user'])] ?? null,
      gateway: async (req) => (req.headers['x-test-gateway'] ? { tenantId: 't1', gatewayId: String(req.headers['x-test-gateway']) } : null),
    });
    await app.ready();
  });
  afterAll(async () => {
    await analytics.stop();
    await app.close();
    await store.close();
    await analytics.meta.destroy();
  });

  const post = (url: string, body: unknown, headers: Record<string, string>) => app.inject({ method: 'POST', url, payload: body as object, headers });

  it('ingests a batch from an authenticated gateway, once', async () => {
    const b = batchOf('b1', 'gw1', 300, 1);
    expect((await post('/api/gateway/events', b, {})).statusCode).toBe(401);
    const r1 = await post('/api/gateway/events', b, { 'x-test-gateway': 'gw1' });
    expect(r1.statusCode).toBe(200);
    expect(r1.json()).toEqual({ batchId: 'b1', accepted: 300, duplicate: false });
    const r2 = await post('/api/gateway/events', b, { 'x-test-gateway': 'gw1' });
    expect(r2.json()).toEqual({ batchId: 'b1', accepted: 300, duplicate: true });
    const wrong = await post('/api/gateway/events', b, { 'x-test-gateway': 'gw9' });
    expect(wrong.statusCode).toBe(403);
    const bad = await post('/api/gateway/events', { batchId: 'x', gatewayId: 'gw1', events: [{ type: 'access', id: 'e', ts: -1 }] }, { 'x-test-gateway': 'gw1' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('analytics.bad_batch');
    expect(bad.json().error.message).toContain('events.0');
  });

  it('ingests a batch in columns (mamori.columns/1) once, storing the same values as the row form, and refuses a broken one with the reason', async () => {
    const rows = batchOf('br', 'gw1', 400, 31);
    const same = { ...rows, batchId: 'bc', events: rows.events.map((e) => ({ ...e, id: e.id.replace(/^br-/, 'bc-') })) };
    const cols = encodeEventColumns(same);
    expect((await post('/api/gateway/events', rows, { 'x-test-gateway': 'gw1' })).json()).toEqual({ batchId: 'br', accepted: 400, duplicate: false });
    expect((await post('/api/gateway/events', cols, { 'x-test-gateway': 'gw1' })).json()).toEqual({ batchId: 'bc', accepted: 400, duplicate: false });
    expect((await post('/api/gateway/events', cols, { 'x-test-gateway': 'gw1' })).json()).toEqual({ batchId: 'bc', accepted: 400, duplicate: true });
    expect((await post('/api/gateway/events', cols, { 'x-test-gateway': 'gw9' })).statusCode).toBe(403);
    for (const type of LOG_TYPES) {
      const q = (prefix: string) => post(`/api/analytics/logs/${type}/query`, { from: 0, to: NOW + 1, filters: [{ field: 'id', op: 'prefix', value: prefix }], limit: 1000 }, { 'x-test-user': 'admin' });
      const [r, c] = await Promise.all([q('br-'), q('bc-')]);
      const fromRows = (r.json().events as Array<{ id: string }>).map((e) => ({ ...e, id: e.id.slice(3) }));
      const fromCols = (c.json().events as Array<{ id: string }>).map((e) => ({ ...e, id: e.id.slice(3) }));
      expect(fromRows.length).toBe(rows.events.filter((e) => e.type === type).length);
      expect(fromRows.length).toBeGreaterThan(0);
      expect(fromCols).toEqual(fromRows);
    }
    const broken = structuredClone(encodeEventColumns({ ...rows, batchId: 'bx' }));
    const host = broken.types.access!.cols['host'] as TextColumn;
    host.i[5] = host.d.length + 3;
    const bad = await post('/api/gateway/events', broken, { 'x-test-gateway': 'gw1' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('analytics.bad_batch');
    expect(bad.json().error.message).toBe(`invalid event batch (columns): types.access.cols.host.i[5]: index ${host.d.length + 3} outside the dictionary (${host.d.length} entries)`);
  });

  it('answers 429 / 503 with Retry-After when overloaded, and stores what it acknowledged', async () => {
    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    const first = post('/api/gateway/events', batchOf('bp1', 'gw1', 10, 2), { 'x-test-gateway': 'gw1' });
    const queued = post('/api/gateway/events', batchOf('bp2', 'gw2', 10, 3), { 'x-test-gateway': 'gw2' });
    await new Promise((r) => setTimeout(r, 50));
    const sameGw = await post('/api/gateway/events', batchOf('bp3', 'gw1', 10, 4), { 'x-test-gateway': 'gw1' });
    const over = await post('/api/gateway/events', batchOf('bp5', 'gw3', 10, 6), { 'x-test-gateway': 'gw3' });
    expect(over.statusCode).toBe(503);
    expect(over.headers['retry-after']).toBe('7');
    gate = undefined;
    release();
    expect(sameGw.statusCode).toBe(429);
    expect(sameGw.headers['retry-after']).toBe('7');
    expect((await first).statusCode).toBe(200);
    expect((await queued).statusCode).toBe(200);
    const q = await post('/api/analytics/logs/access/query', { from: 0, to: NOW + 1, filters: [{ field: 'id', op: 'prefix', value: 'bp5-' }], limit: 5 }, { 'x-test-user': 'admin' });
    expect(q.json().events).toEqual([]);
  });

  it('queries logs: group-by with top-N, drill-down with a cursor, tenant-scoped, with clear errors', async () => {
    const g = await post('/api/analytics/logs/access/query', { from: NOW - 3_600_000, to: NOW, groupBy: ['host'], limit: 3, filters: [{ field: 'action', op: 'eq', value: 'allow' }] }, { 'x-test-user': 'admin' });
    expect(g.statusCode).toBe(200);
    const body = g.json() as { total: number; groups: Array<{ keys: { host: string }; count: number }> };
    expect(body.groups).toHaveLength(3);
    const host = body.groups[0]!.keys.host;
    const d1 = await post('/api/analytics/logs/access/query', { from: NOW - 3_600_000, to: NOW, limit: 4, filters: [{ field: 'host', op: 'eq', value: host }, { field: 'action', op: 'eq', value: 'allow' }] }, { 'x-test-user': 'admin' });
    const page1 = d1.json() as { events: Array<{ host: string; id: string; ts: number }>; next: unknown };
    expect(page1.events.every((e) => e.host === host)).toBe(true);
    const d2 = await post('/api/analytics/logs/access/query', { from: NOW - 3_600_000, to: NOW, limit: 4, after: page1.next, filters: [{ field: 'host', op: 'eq', value: host }, { field: 'action', op: 'eq', value: 'allow' }] }, { 'x-test-user': 'admin' });
    const page2 = d2.json() as { events: Array<{ id: string; ts: number }> };
    expect(page2.events[0]!.ts).toBeLessThanOrEqual(page1.events.at(-1)!.ts);
    expect(page2.events.map((e) => e.id)).not.toContain(page1.events[0]!.id);
    const other = await post('/api/analytics/logs/access/query', { from: 0, to: NOW + 1, groupBy: ['host'] }, { 'x-test-user': 'other' });
    expect(other.json().groups).toEqual([]);
    const unknown = await post('/api/analytics/logs/access/query', { from: 0, to: 1, filters: [{ field: 'nope', op: 'eq', value: 1 }] }, { 'x-test-user': 'admin' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toContain('unknown field "nope"');
    expect((await post('/api/analytics/logs/firewall/query', { from: 0, to: 1 }, { 'x-test-user': 'admin' })).statusCode).toBe(404);
    expect((await post('/api/analytics/logs/access/query', { from: 0, to: 1 }, {})).statusCode).toBe(401);
  });

  it('downloads CSV with a BOM', async () => {
    const q = encodeURIComponent(JSON.stringify({ from: NOW - 3_600_000, to: NOW, filters: [{ field: 'threatType', op: 'eq', value: 'spam' }] }));
    const r = await app.inject({ method: 'GET', url: `/api/analytics/logs/security/csv?q=${q}`, headers: { 'x-test-user': 'admin' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.rawPayload.subarray(0, 3).toString('hex')).toBe('efbbbf');
    const lines = r.payload.slice(1).trim().split('\r\n');
    const count = await store.count('t1', { type: 'security', from: NOW - 3_600_000, to: NOW, filters: [{ field: 'threatType', op: 'eq', value: 'spam' }] });
    expect(lines.length).toBe(1 + count);
    expect(lines[0]).toContain('脅威の種類');
  });

  it('saves favorite queries per user', async () => {
    const s = await post('/api/analytics/saved-queries', { name: 'ブロックされたアクセス', query: { type: 'access', filters: [{ field: 'action', op: 'eq', value: 'block' }], groupBy: ['host'] }, hours: 24 }, { 'x-test-user': 'admin' });
    expect(s.statusCode).toBe(201);
    const bad = await post('/api/analytics/saved-queries', { name: 'x', query: { type: 'access', groupBy: ['nope'] } }, { 'x-test-user': 'admin' });
    expect(bad.statusCode).toBe(400);
    const mine = await app.inject({ method: 'GET', url: '/api/analytics/saved-queries', headers: { 'x-test-user': 'admin' } });
    expect(mine.json()).toMatchObject([{ name: 'ブロックされたアクセス', type: 'access', favorite: true, hours: 24 }]);
    const theirs = await app.inject({ method: 'GET', url: '/api/analytics/saved-queries', headers: { 'x-test-user': 'viewer' } });
    expect(theirs.json()).toEqual([]);
    const del = await app.inject({ method: 'DELETE', url: `/api/analytics/saved-queries/${s.json().id}`, headers: { 'x-test-user': 'viewer' } });
    expect(del.statusCode).toBe(404);
  });

  it('serves every widget from rollups and keeps each user’s layout', async () => {
    const list = (await app.inject({ method: 'GET', url: '/api/analytics/widgets', headers: { 'x-test-user': 'admin' } })).json() as Array<{ id: string }>;
    expect(list.map((w) => w.id)).toEqual(expect.arrayContaining(['top-apps-bandwidth', 'top-blocked-categories', 'top-blocked-sites', 'threats-over-time', 'top-users', 'cnc-hosts', 'gateway-status', 'deployments']));
    for (const w of list) {
      const r = await app.inject({ method: 'GET', url: `/api/analytics/widgets/${w.id}?hours=2`, headers: { 'x-test-user': 'admin' } });
      expect({ id: w.id, status: r.statusCode }).toEqual({ id: w.id, status: 200 });
    }
    const apps = (await app.inject({ method: 'GET', url: '/api/analytics/widgets/top-apps-bandwidth?hours=2&limit=3', headers: { 'x-test-user': 'admin' } })).json();
    const raw = await store.groupBy('t1', { type: 'bandwidth', from: apps.from, to: apps.to, filters: [], groupBy: ['app'], orderBy: 'bytes', limit: 3, offset: 0 });
    expect(apps.data.items.map((i: { key: string; value: number }) => [i.key, i.value])).toEqual(raw.map((g) => [g.keys['app'], g.bytesUp + g.bytesDown]));
    const gw = (await app.inject({ method: 'GET', url: '/api/analytics/widgets/gateway-status', headers: { 'x-test-user': 'admin' } })).json();
    expect(gw.data.rows[0]).toMatchObject({ name: '本社', status: 'online' });
    const threats = (await app.inject({ method: 'GET', url: '/api/analytics/widgets/threats-over-time?hours=2', headers: { 'x-test-user': 'admin' } })).json();
    expect(threats.data.grain).toBe('minute');
    const total = threats.data.series.reduce((s: number, x: { values: number[] }) => s + x.values.reduce((a, b) => a + b, 0), 0);
    expect(total).toBe(await store.count('t1', { type: 'security', from: threats.from - (threats.from % 60_000), to: threats.to, filters: [] }));

    const def = (await app.inject({ method: 'GET', url: '/api/analytics/dashboard', headers: { 'x-test-user': 'admin' } })).json();
    expect(def.widgets.length).toBeGreaterThan(5);
    const layout = { widgets: [{ widget: 'cnc-hosts', x: 0, y: 0, w: 12, h: 4 }, { widget: 'top-users', x: 0, y: 4, w: 6, h: 4, hours: 48 }] };
    expect((await app.inject({ method: 'PUT', url: '/api/analytics/dashboard', payload: layout, headers: { 'x-test-user': 'admin' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/analytics/dashboard', headers: { 'x-test-user': 'admin' } })).json()).toEqual(layout);
    expect((await app.inject({ method: 'GET', url: '/api/analytics/dashboard', headers: { 'x-test-user': 'viewer' } })).json().widgets.length).toBeGreaterThan(5);
    const bad = await app.inject({ method: 'PUT', url: '/api/analytics/dashboard', payload: { widgets: [{ widget: 'nope', x: 0, y: 0, w: 1, h: 1 }] }, headers: { 'x-test-user': 'admin' } });
    expect(bad.statusCode).toBe(400);
  });

  it('runs a report now, shows progress, and downloads PDF and Excel; the monthly report is protected', async () => {
    const list = (await app.inject({ method: 'GET', url: '/api/analytics/reports', headers: { 'x-test-user': 'admin' } })).json() as Array<{ id: string; builtin: boolean }>;
    const monthly = list.find((r) => r.builtin)!;
    expect((await app.inject({ method: 'DELETE', url: `/api/analytics/reports/${monthly.id}`, headers: { 'x-test-user': 'admin' } })).statusCode).toBe(403);
    const created = await post('/api/analytics/reports', { name: 'テストレポート', period: { kind: 'last-hour' } }, { 'x-test-user': 'admin' });
    expect(created.statusCode).toBe(201);
    const run = await post(`/api/analytics/reports/${created.json().id}/run`, {}, { 'x-test-user': 'admin' });
    expect(run.statusCode).toBe(202);
    expect(run.json().status).toBe('running');
    await analytics.reports.whenIdle();
    const status = (await app.inject({ method: 'GET', url: `/api/analytics/report-runs/${run.json().id}`, headers: { 'x-test-user': 'admin' } })).json();
    expect(status).toMatchObject({ status: 'done', progress: 100 });
    const pdf = await app.inject({ method: 'GET', url: `/api/analytics/report-runs/${run.json().id}/pdf`, headers: { 'x-test-user': 'admin' } });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const xlsx = await app.inject({ method: 'GET', url: `/api/analytics/report-runs/${run.json().id}/xlsx`, headers: { 'x-test-user': 'admin' } });
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect((await app.inject({ method: 'GET', url: `/api/analytics/report-runs/${run.json().id}/pdf`, headers: { 'x-test-user': 'other' } })).statusCode).toBe(404);
    expect((await post(`/api/analytics/reports/${created.json().id}/run`, {}, { 'x-test-user': 'viewer' })).statusCode).toBe(403);
  });

  it('lists admin alerts raised by the engine', async () => {
    clock.set(NOW + 16 * 60_000);
    await analytics.alerts.evaluate('t1');
    const r = (await app.inject({ method: 'GET', url: '/api/analytics/alerts?state=open', headers: { 'x-test-user': 'admin' } })).json() as Array<{ kind: string }>;
    expect(r.map((a) => a.kind)).toContain('gateway.offline');
    expect((await app.inject({ method: 'GET', url: '/api/analytics/alerts', headers: { 'x-test-user': 'other' } })).json()).toEqual([]);
  });

  it('seeds demo data once and marks it', async () => {
    const first = await seedDemoEvents(analytics.events, analytics.meta, 'demo', { now: NOW, days: 2, eventsPerDay: 3000 });
    expect(first).toEqual({ stored: 6000, duplicate: 0 });
    const again = await seedDemoEvents(analytics.events, analytics.meta, 'demo', { now: NOW, days: 2, eventsPerDay: 3000 });
    expect(again).toEqual({ stored: 0, duplicate: 6000 });
    expect(await isDemoData(analytics.meta, 'demo')).toBe(true);
    expect(await isDemoData(analytics.meta, 't1')).toBe(false);
    const sec = await analytics.events.rollup('demo', { metric: 'events', from: NOW - 2 * 86_400_000, to: NOW, groupBy: 'k1' });
    expect(sec.reduce((s, r) => s + r.count, 0)).toBe(6000);
  });
});
