import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, signedIn, testConsole } from '../testing/client.js';
import { makeTenant, type Tenant } from '../testing/world.js';
import type { Console } from '../app.js';
import { analyticsFor } from './console-routes.js';
import { seedDemoEvents } from './demo/seed.js';

let c: Console;
let a: Tenant;
let b: Tenant;
beforeAll(async () => {
  c = await testConsole();
  const { client: operator } = await signedIn(c, 'operator', null, 'analytics-op@example.com');
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
});
