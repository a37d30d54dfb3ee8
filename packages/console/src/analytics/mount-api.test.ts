import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, signedIn, testConsole } from '../testing/client.js';
import { makeTenant, type Tenant } from '../testing/world.js';
import type { Console } from '../app.js';
import { analyticsFor } from './console-routes.js';
import { seedDemoEvents } from './demo/seed.js';

let c: Console;
let a: Tenant;
let b: Tenant;
let operator: Client;
beforeAll(async () => {
  c = await testConsole();
  operator = (await signedIn(c, 'operator', null, 'analytics-op@example.com')).client;
  a = await makeTenant(c, operator, 'Analytics A', 50);
  b = await makeTenant(c, operator, 'Analytics B', 10);
  const analytics = await analyticsFor(c.services);
  await seedDemoEvents(analytics.events, analytics.meta, a.id, { days: 1, eventsPerDay: 500, now: Date.now() });
}, 120_000);
afterAll(async () => c?.close());

interface WidgetResult { widget: string; data: { items?: Array<{ key: string; value: number }> } }

describe('the analytics API mounted on the console (§4, §9)', () => {
  it('serves the signed-in tenant its own dashboard data and nothing of another tenant', async () => {
    const mine = await a.admin.get<WidgetResult>('/api/analytics/widgets/top-apps-bandwidth?hours=48');
    expect(mine.status).toBe(200);
    expect(mine.body.data.items?.length ?? 0).toBeGreaterThan(0);
    const theirs = await b.admin.get<WidgetResult>('/api/analytics/widgets/top-apps-bandwidth?hours=48');
    expect(theirs.status).toBe(200);
    expect(theirs.body.data.items ?? []).toEqual([]);
  });

  it('requires a session and, for changes, the CSRF token', async () => {
    const anonymous = new Client(c.url);
    expect((await anonymous.get('/api/analytics/widgets')).status).toBe(401);
    const noCsrf = await a.admin.req('PUT', '/api/analytics/dashboard', { widgets: [] }, { csrf: null });
    expect(noCsrf.status).toBe(403);
    expect((noCsrf.body as { error: { code: string } }).error.code).toBe('auth.csrf');
    const layout = { widgets: [{ widget: 'top-apps-bandwidth', x: 0, y: 0, w: 12, h: 4 }] };
    const saved = await a.admin.put('/api/analytics/dashboard', layout);
    expect(saved.status).toBe(200);
    expect((await a.admin.get<{ widgets: Array<{ widget: string }> }>('/api/analytics/dashboard')).body.widgets.map((w) => w.widget)).toEqual(['top-apps-bandwidth']);
  });

  it('lets the operator read the tenant it names (dashboard, logs, reports) and keeps tenants apart', async () => {
    const widget = '/api/analytics/widgets/top-apps-bandwidth?hours=48';
    const own = await a.admin.get<WidgetResult>(widget);
    // the operator has no tenant of its own: it names one
    const unnamed = await operator.get<{ error: { code: string } }>(widget);
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.error.code).toBe('validation.failed');
    expect((await operator.get(`${widget}&tenant=no-such-tenant`)).status).toBe(404);
    const ofA = await operator.get<WidgetResult>(`${widget}&tenant=${a.id}`);
    expect(ofA.status).toBe(200);
    expect(ofA.body.data.items).toEqual(own.body.data.items);
    expect((await operator.get<WidgetResult>(`${widget}&tenant=${b.id}`)).body.data.items ?? []).toEqual([]);
    const viaHeader = await operator.req<WidgetResult>('GET', widget, undefined, { headers: { 'x-mamori-tenant': a.id } });
    expect(viaHeader.body.data.items).toEqual(own.body.data.items);

    // log analysis: drill-down, group-by and CSV of the named tenant
    const q = { from: Date.now() - 3 * 86_400_000, to: Date.now() + 60_000, limit: 5 };
    const rows = await operator.post<{ events: Array<{ id: string }> }>(`/api/analytics/logs/access/query?tenant=${a.id}`, q);
    expect(rows.status).toBe(200);
    expect(rows.body.events).toHaveLength(5);
    expect((await a.admin.post<{ events: Array<{ id: string }> }>('/api/analytics/logs/access/query', q)).body.events.map((e) => e.id)).toEqual(rows.body.events.map((e) => e.id));
    expect((await operator.post<{ events: unknown[] }>(`/api/analytics/logs/access/query?tenant=${b.id}`, q)).body.events).toEqual([]);
    const csv = await operator.get<string>(`/api/analytics/logs/access/csv?tenant=${a.id}&q=${encodeURIComponent(JSON.stringify({ from: q.from, to: q.to }))}`);
    expect(csv.status).toBe(200);
    expect(csv.body.split('\n').length).toBeGreaterThan(2);

    // reports: the operator runs the tenant's monthly report and downloads it
    const reports = await operator.get<Array<{ id: string; builtin: boolean }>>(`/api/analytics/reports?tenant=${a.id}`);
    const monthly = reports.body.find((r) => r.builtin)!;
    expect(monthly).toBeDefined();
    const run = await operator.post<{ id: string }>(`/api/analytics/reports/${monthly.id}/run?tenant=${a.id}`);
    expect(run.status).toBe(202);
    const analytics = await analyticsFor(c.services);
    await analytics.reports.whenIdle();
    const pdf = await operator.get<string>(`/api/analytics/report-runs/${run.body.id}/pdf?tenant=${a.id}`);
    expect(pdf.status).toBe(200);
    expect(pdf.raw.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await a.admin.get(`/api/analytics/report-runs/${run.body.id}/pdf`)).status).toBe(200);
    // the run belongs to A: not found when the operator names B, nor for B's own admin
    expect((await operator.get(`/api/analytics/report-runs/${run.body.id}/pdf?tenant=${b.id}`)).status).toBe(404);
    expect((await b.admin.get(`/api/analytics/report-runs/${run.body.id}/pdf`)).status).toBe(404);

    // a tenant account naming another tenant finds nothing; naming itself is fine
    for (const res of [
      await a.admin.get(`${widget}&tenant=${b.id}`),
      await a.viewer.post(`/api/analytics/logs/access/query?tenant=${b.id}`, q),
      await b.admin.get(`/api/analytics/reports?tenant=${a.id}`),
      await b.admin.get(`/api/analytics/report-runs/${run.body.id}?tenant=${a.id}`),
    ]) {
      expect(res.status).toBe(404);
      expect((res.body as { error: { code: string } }).error.code).toBe('tenant.not_found');
    }
    expect((await a.admin.get(`${widget}&tenant=${a.id}`)).status).toBe(200);
  });
});
