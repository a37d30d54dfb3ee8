/**
 * Every route from the registry: a tenant's users get 404 for another tenant's resources and
 * change nothing there; tenant roles cannot change admin alerts; nothing but public routes
 * answers without a session; the OpenAPI document lists every route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConsole } from '../testing/client.js';
import { fillUrl, makeWorld, type World } from '../testing/world.js';
import type { Console } from '../app.js';

let c: Console;
let w: World;
beforeAll(async () => {
  c = await testConsole();
  w = await makeWorld(c);
}, 120_000);
afterAll(async () => c?.close());

async function snapshotB() {
  const ts = c.services.store.tenant(w.b.id);
  return JSON.stringify({
    draft: (await ts.policy.draft())?.json,
    gateways: (await ts.gateways.list()).map((g) => [g.id, g.name, g.groups_json]),
    backups: (await ts.backups.list()).map((b) => b.id),
    tokens: (await ts.enrollmentTokens.list()).map((t) => t.id),
    ca: (await ts.ca.get())?.certPem,
    alerts: await ts.alerts.get(),
    versions: (await ts.policy.versions()).length,
    audit: (await ts.audit.list({ limit: 500 })).length,
    accounts: (await ts.accounts.list()).length,
  });
}

describe('tenant isolation over every route', () => {
  it('answers 404 tenant.not_found to tenant A for every tenant-scoped route of tenant B, and changes nothing', async () => {
    const routes = c.services && (await import('./index.js')).buildRegistry().routes.filter((r) => r.tenantScoped);
    expect(routes.length).toBeGreaterThan(50);
    const before = await snapshotB();
    const seen: string[] = [];
    for (const route of routes) {
      const url = fillUrl(route.url, w.bParams);
      for (const who of [w.a.admin, w.a.viewer]) {
        const r = await who.req(route.method, url, route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
        expect({ route: `${route.method} ${route.url}`, status: r.status, code: (r.body as { error?: { code?: string } }).error?.code }).toEqual({
          route: `${route.method} ${route.url}`,
          status: 404,
          code: 'tenant.not_found',
        });
      }
      seen.push(`${route.method} ${route.url}`);
    }
    expect(await snapshotB()).toBe(before);
    expect(seen).toContain('POST /api/tenants/:tenantId/policy/deploy');
    expect(seen).toContain('GET /api/tenants/:tenantId/backups/:backupId/download');
  });

  it("answers 404 when tenant A names B's gateway, backup, token or account under its own tenant id", async () => {
    const own = { ...w.bParams, tenantId: w.a.id };
    const routes = (await import('./index.js')).buildRegistry().routes.filter((r) => r.tenantScoped && /:(gatewayId|backupId|tokenId|accountId)/.test(r.url));
    expect(routes.length).toBeGreaterThanOrEqual(8);
    const before = await snapshotB();
    for (const route of routes) {
      const body = route.method === 'PATCH' ? { name: 'taken over' } : route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      const r = await w.a.admin.req(route.method, fillUrl(route.url, own), body);
      expect({ route: `${route.method} ${route.url}`, status: r.status }).toEqual({ route: `${route.method} ${route.url}`, status: 404 });
    }
    expect(await snapshotB()).toBe(before);
  });

  it('lets tenant roles read but not change the admin alerts (operator only)', async () => {
    const url = `/api/tenants/${w.a.id}/admin-alerts`;
    const current = await w.a.admin.get<{ recipients: string[]; editable: boolean }>(url);
    expect(current.status).toBe(200);
    expect(current.body.editable).toBe(false);
    const change = { enabled: false, recipients: ['someone@example.com'], types: { gatewayStatus: false, cncCallback: false, deploymentFailed: false } };
    for (const who of [w.a.admin, w.a.viewer]) {
      const r = await who.put(url, change);
      expect(r.status).toBe(403);
      expect(r.body['error']).toMatchObject({ code: 'auth.admin_alerts_read_only' });
    }
    expect((await w.a.admin.get(url)).body).toMatchObject({ enabled: true, recipients: current.body.recipients });
    const op = await w.operator.put(url, change);
    expect(op.status).toBe(200);
    expect((await w.a.viewer.get(url)).body).toMatchObject({ enabled: false, recipients: ['someone@example.com'] });
    const audit = await w.a.admin.get<{ entries: Array<{ action: string; before: unknown; after: unknown }> }>(`/api/tenants/${w.a.id}/audit`);
    expect(audit.body.entries.find((e) => e.action === 'admin_alerts.update')).toMatchObject({ before: { enabled: true }, after: { enabled: false } });
  });

  it('keeps viewers from changing anything in their own tenant', async () => {
    const routes = (await import('./index.js')).buildRegistry().routes.filter((r) => r.tenantScoped && r.method !== 'GET' && r.access !== 'tenantViewer');
    for (const route of routes) {
      const r = await w.a.viewer.req(route.method, fillUrl(route.url, { ...w.bParams, tenantId: w.a.id }), route.method === 'DELETE' ? undefined : {});
      expect({ route: `${route.method} ${route.url}`, status: r.status }).toEqual({ route: `${route.method} ${route.url}`, status: 403 });
    }
  });

  it('answers 401 without a session on every non-public API route', async () => {
    const { Client } = await import('../testing/client.js');
    const anon = new Client(c.url);
    const routes = (await import('./index.js')).buildRegistry().routes.filter((r) => r.access !== 'public' && r.access !== 'gateway');
    for (const route of routes) {
      const r = await anon.req(route.method, fillUrl(route.url, w.bParams), route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
      expect({ route: `${route.method} ${route.url}`, status: r.status }).toEqual({ route: `${route.method} ${route.url}`, status: 401 });
    }
  });

  it('documents every route in /api/openapi.json', async () => {
    const doc = (await w.operator.get<{ openapi: string; paths: Record<string, Record<string, unknown>> }>('/api/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const registered = c.registry.routes.map((r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    expect(documented.sort()).toEqual(registered.sort());
    const createRule = doc.paths['/api/tenants/{tenantId}/policy/rules']?.['post'] as { requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } } };
    expect(Object.keys(createRule.requestBody.content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['id', 'name', 'action', 'source']));
  });
});
