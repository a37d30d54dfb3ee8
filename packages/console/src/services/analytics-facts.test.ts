import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, testConsole } from '../testing/client.js';
import { makeTenant } from '../testing/world.js';
import { createCsr } from '../crypto/pki.js';
import { consoleFacts } from './analytics-facts.js';
import type { Console } from '../app.js';

let c: Console;
beforeAll(async () => {
  c = await testConsole();
}, 60_000);
afterAll(async () => c?.close());

describe('consoleFacts (the analytics contract)', () => {
  it('reports gateways, deployments with per-gateway results, alert settings, tenants and mail', async () => {
    const { client: op } = await signedIn(c, 'operator', null, 'facts-op@example.com');
    const t = await makeTenant(c, op, 'Facts Co', 10);
    const tok = await c.services.gateways.createEnrollmentToken(t.id, { name: 'gw', groups: [] }, 'test');
    const { csrPem } = await createCsr('gw');
    const gw = await c.services.gateways.enroll({ token: tok.token, csrPem, hostname: 'h', version: '1.2.3' });
    await c.services.policy.deployAll(t.id, 'test');
    await c.services.policy.recordResult(t.id, gw.gatewayId, 1, false, 'nft failed');
    const f = consoleFacts(c.services);
    expect(await f.gateways(t.id)).toMatchObject([{ id: gw.gatewayId, name: 'gw', version: '1.2.3', model: '10', lastDeployment: { version: 1, status: 'failed', error: 'nft failed' } }]);
    expect(await f.deployments(t.id, 5)).toMatchObject([{ version: 1, by: 'test', results: [{ gatewayId: gw.gatewayId, status: 'failed', error: 'nft failed' }] }]);
    const alerts = await f.alertSettings(t.id);
    expect(alerts.enabled).toBe(true);
    expect(alerts.recipients[0]).toMatch(/^admin-.*@example\.com$/);
    expect((await f.tenants()).map((x) => x.name)).toContain('Facts Co');
    expect(await f.sendMail(t.id, { to: ['ops@example.com'], subject: 'alert', text: 'gateway offline' })).toBe(true);
    expect((await c.services.store.tenant(t.id).outbox.list()).find((m) => m.to_addr === 'ops@example.com')?.text).toBe('gateway offline');
  });
});
