import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, testConsole, type Client } from '../testing/client.js';
import { makeTenant, type Tenant } from '../testing/world.js';
import { analyticsFor } from '../analytics/console-routes.js';
import type { Console } from '../app.js';

let c: Console;
let operator: Client;
let t: Tenant;
let other: Tenant;

beforeAll(async () => {
  c = await testConsole();
  operator = (await signedIn(c, 'operator', null, 'sandbox-op@example.com')).client;
  t = await makeTenant(c, operator, 'Sandbox Co');
  other = await makeTenant(c, operator, 'Other Co');
}, 60_000);
afterAll(async () => c?.close());

describe('sandbox submissions (§10)', () => {
  it('is empty until a gateway reports a sandbox event, then lists it with its verdict, per tenant', async () => {
    const url = `/api/tenants/${t.id}/sandbox/submissions`;
    const empty = await t.viewer.get<{ submissions: unknown[] }>(url);
    expect(empty.status).toBe(200);
    expect(empty.body.submissions).toEqual([]);

    const a = await analyticsFor(c.services);
    const now = Date.now();
    const ev = (id: string, action: 'block' | 'allow' | 'tag', ts: number) => ({
      type: 'security' as const, id, ts, srcIp: '10.0.0.5', threatType: 'sandbox' as const, action, signature: 'virtual analyzer', severity: 'high' as const,
      fileName: `${id}.docm`, mailFrom: 'sender@example.net', mailTo: ['staff@example.com'], subject: `invoice ${id}`,
    });
    await a.events.ingest(t.id, { batchId: 'b1', gatewayId: 'gw-1', events: [ev('bad', 'block', now - 60_000), ev('ok', 'allow', now - 120_000), ev('wait', 'tag', now - 30_000)] });
    await a.events.ingest(t.id, { batchId: 'b2', gatewayId: 'gw-1', events: [{ type: 'security', id: 'cnc1', ts: now - 10_000, srcIp: '10.0.0.5', threatType: 'cnc', action: 'block', signature: 'C&C', severity: 'high' }] });

    const list = await t.viewer.get<{ submissions: Array<{ id: string; verdict: string; attachment: string; subject: string; sender: string; recipient: string }> }>(url);
    expect(list.body.submissions.map((s) => [s.id, s.verdict])).toEqual([['wait', 'pending'], ['bad', 'malicious'], ['ok', 'safe']]);
    expect(list.body.submissions[1]).toMatchObject({ attachment: 'bad.docm', subject: 'invoice bad', sender: 'sender@example.net', recipient: 'staff@example.com' });
    // another tenant sees nothing of it, and cannot read this tenant's list
    expect((await other.admin.get<{ submissions: unknown[] }>(`/api/tenants/${other.id}/sandbox/submissions`)).body.submissions).toEqual([]);
    expect((await other.admin.get(url)).status).toBe(404);
    expect((await t.viewer.get(`${url}?days=0`)).status).toBe(400);
  });
});
