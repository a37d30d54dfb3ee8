/**
 * A simulated gateway over the real channel: enroll with a token and a CSR, connect the sync
 * WebSocket with mutual TLS, receive Deploy all, report results, reconnect for the latest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import { WebSocket } from 'ws';
import { EnrollResponse, ServerMessage, type GatewayMessage, type GatewayStatus } from '@mamori/policy';
import { testConsole, type Client } from '../testing/client.js';
import { makeTenant } from '../testing/world.js';
import { signedIn } from '../testing/client.js';
import { createCa, createCsr, issueServerCertificate } from '../crypto/pki.js';
import type { Console } from '../app.js';

let c: Console;
let admin: Client;
let tenantId: string;

beforeAll(async () => {
  c = await testConsole({ pingIntervalSec: 3600 });
  const { client: operator } = await signedIn(c, 'operator', null, 'sync-operator@example.com');
  const t = await makeTenant(c, operator, 'Sync Co', 10);
  admin = t.admin;
  tenantId = t.id;
}, 60_000);
afterAll(async () => c?.close());

const status = (policyVersion: number | null): GatewayStatus => ({
  version: '0.9.1',
  mode: 'explicit-proxy',
  modeReason: 'not root',
  uptimeSec: 12,
  policyVersion,
  intelVersion: null,
  interfaces: [{ name: 'eth0', role: 'lan', addresses: ['10.99.0.1/24'], up: true }],
  spoolPending: 0,
});

class SimGateway {
  ws!: WebSocket;
  inbox: ServerMessage[] = [];
  private waiters: Array<() => void> = [];
  constructor(readonly creds: { cert: string; key: string; ca: string; url: string }) {}

  async connect(): Promise<void> {
    this.ws = new WebSocket(this.creds.url, { cert: this.creds.cert, key: this.creds.key, ca: this.creds.ca });
    this.ws.on('message', (d) => {
      this.inbox.push(ServerMessage.parse(JSON.parse(d.toString())));
      for (const w of this.waiters.splice(0)) w();
    });
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }
  send(m: GatewayMessage): void {
    this.ws.send(JSON.stringify(m));
  }
  async next<T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>> {
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as Extract<ServerMessage, { type: T }>;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((r) => {
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not reached');
}

async function enroll(name: string, groups: string[] = []): Promise<{ gatewayId: string; creds: SimGateway['creds'] }> {
  const tok = await admin.post<{ token: string; enrollUrl: string }>(`/api/tenants/${tenantId}/gateways/enrollment-tokens`, { name, groups });
  expect(tok.status).toBe(201);
  const { csrPem, privateKeyPem } = await createCsr(name);
  // enrollment over the gateway listener's TLS (no client certificate yet)
  const body = JSON.stringify({ token: tok.body.token, csrPem, hostname: `${name}.local`, version: '0.9.1' });
  const res = await new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    const req = https.request(tok.body.enrollUrl, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (d: Buffer) => chunks.push(d));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('error', reject);
    req.end(body);
  });
  expect(res.status).toBe(200);
  const e = EnrollResponse.parse(res.json);
  expect(e.tenantId).toBe(tenantId);
  expect(e.syncUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/api\/gateway\/sync$/);
  // the token is single use
  const again = await fetch(`${c.url}/api/gateway/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(again.status).toBe(401);
  return { gatewayId: e.gatewayId, creds: { cert: e.certificatePem, key: privateKeyPem, ca: e.caPem, url: e.syncUrl } };
}

describe('gateway sync over mutual TLS', () => {
  it('enrolls, receives Deploy all with the tenant CA, reports results, and gets the latest after reconnecting', async () => {
    const { gatewayId, creds } = await enroll('gw-one');
    const gw = new SimGateway(creds);
    await gw.connect();
    expect(await gw.next('welcome')).toMatchObject({ gatewayId, protocol: 1 });
    gw.send({ type: 'hello', protocol: 1, status: status(null) });

    const list = await until(
      () => admin.get<{ gateways: Array<{ id: string; status: string; connected: boolean; version: string | null; details: { interfaces: unknown[] } | null }> }>(`/api/tenants/${tenantId}/gateways`),
      (r) => r.body.gateways[0]?.details !== null,
    );
    expect(list.body.gateways[0]).toMatchObject({ id: gatewayId, status: 'online', connected: true, version: '0.9.1', details: { interfaces: [{ name: 'eth0', up: true }] } });

    // the draft differs until deployed
    const draft = await admin.get<{ differs: boolean; message: { ja: string } | null }>(`/api/tenants/${tenantId}/policy`);
    expect(draft.body).toMatchObject({ differs: true, message: { ja: '設定が変更されました。[すべて配信]をクリックして変更を反映してください。' } });

    const dep = await admin.post<{ version: number; gateways: Array<{ gatewayId: string; state: string; connected: boolean }> }>(`/api/tenants/${tenantId}/policy/deploy`);
    expect(dep.body).toEqual({ version: 1, gateways: [{ gatewayId, name: 'gw-one', state: 'pending', connected: true }] });
    const d1 = await gw.next('deploy');
    expect(d1.deployment.version).toBe(1);
    expect(d1.deployment.policy.model).toBe(10);
    expect(d1.deployment.decryptionCa.certificatePem).toContain('BEGIN CERTIFICATE');
    expect(d1.deployment.decryptionCa.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect((await admin.get<{ differs: boolean }>(`/api/tenants/${tenantId}/policy`)).body.differs).toBe(false);

    gw.send({ type: 'deployResult', version: 1, ok: true });
    const ok = await until(
      () => admin.get<{ gateways: Array<{ lastDeployment: { version: number; state: string } | null }> }>(`/api/tenants/${tenantId}/policy/versions/1`),
      (r) => (r.body as unknown as { gateways: Array<{ state: string }> }).gateways[0]?.state === 'succeeded',
    );
    expect(ok.status).toBe(200);

    // a second version fails on the gateway: the reason is recorded
    await admin.patch(`/api/tenants/${tenantId}/policy/rules/firewall/enabled`, { enabled: true });
    await admin.post(`/api/tenants/${tenantId}/policy/deploy`);
    const d2 = await gw.next('deploy');
    expect(d2.deployment.version).toBe(2);
    gw.send({ type: 'deployResult', version: 2, ok: false, error: 'nft: Error: syntax error' });
    const failed = await until(
      () => admin.get<{ lastDeployment: { version: number; state: string; error: string | null } | null }>(`/api/tenants/${tenantId}/gateways/${gatewayId}`),
      (r) => r.body.lastDeployment?.state === 'failed',
    );
    expect(failed.body.lastDeployment).toMatchObject({ version: 2, state: 'failed', error: 'nft: Error: syntax error' });

    // offline meanwhile: version 3 is deployed; reconnecting with version 2 gets version 3
    await gw.close();
    await until(() => admin.get<{ connected: boolean }>(`/api/tenants/${tenantId}/gateways/${gatewayId}`), (r) => r.body.connected === false);
    await admin.post(`/api/tenants/${tenantId}/policy/allow-list`, { value: '*.example.org' });
    const d3dep = await admin.post<{ version: number; gateways: Array<{ connected: boolean }> }>(`/api/tenants/${tenantId}/policy/deploy`);
    expect(d3dep.body).toMatchObject({ version: 3, gateways: [{ connected: false }] });
    const again = new SimGateway(creds);
    await again.connect();
    await again.next('welcome');
    again.send({ type: 'hello', protocol: 1, status: status(2) });
    const d3 = await again.next('deploy');
    expect(d3.deployment.version).toBe(3);
    expect(d3.deployment.policy.allowList.map((e) => e.value)).toContain('*.example.org');
    again.send({ type: 'deployResult', version: 3, ok: true });
    await until(() => admin.get<{ lastDeployment: { version: number; state: string } | null }>(`/api/tenants/${tenantId}/gateways/${gatewayId}`), (r) => r.body.lastDeployment?.state === 'succeeded' && r.body.lastDeployment.version === 3);

    // a gateway already on the latest version gets nothing on reconnect
    await again.close();
    const third = new SimGateway(creds);
    await third.connect();
    await third.next('welcome');
    third.send({ type: 'hello', protocol: 1, status: status(3) });
    third.send({ type: 'pong', ts: 1 });
    await until(() => admin.get<{ connected: boolean; details: { policyVersion: number | null } | null }>(`/api/tenants/${tenantId}/gateways/${gatewayId}`), (r) => r.body.details?.policyVersion === 3);
    expect(third.inbox.filter((m) => m.type === 'deploy')).toEqual([]);
    await third.close();
  });

  it('refuses the sync channel without a client certificate or with one from another CA', async () => {
    const { creds } = await enroll('gw-two');
    const noCert = new WebSocket(creds.url, { ca: creds.ca });
    const status1 = await new Promise<number>((resolve) => {
      noCert.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
      noCert.once('open', () => resolve(101));
      noCert.once('error', () => resolve(-1));
    });
    expect(status1).toBe(401);

    const foreignCa = await createCa('Foreign CA', 1);
    const foreign = await issueServerCertificate(foreignCa, 'intruder', [{ type: 'dns', value: 'intruder' }]);
    const forged = new WebSocket(creds.url, { ca: creds.ca, cert: foreign.certificatePem, key: foreign.privateKeyPem });
    const status2 = await new Promise<number>((resolve) => {
      forged.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
      forged.once('open', () => resolve(101));
      forged.once('error', () => resolve(-1));
    });
    expect(status2).not.toBe(101);

    // a removed gateway's certificate stops working
    const { gatewayId, creds: c3 } = await enroll('gw-three');
    expect((await admin.del(`/api/tenants/${tenantId}/gateways/${gatewayId}`)).status).toBe(200);
    const removed = new SimGateway(c3);
    await expect(removed.connect()).rejects.toThrow(/HTTP 401/);
  });

  it('rejects a bad CSR and an unknown token with typed errors', async () => {
    const tok = await admin.post<{ token: string }>(`/api/tenants/${tenantId}/gateways/enrollment-tokens`, { name: 'bad' });
    const bad = await fetch(`${c.url}/api/gateway/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: tok.body.token, csrPem: `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(120)}\n-----END CERTIFICATE REQUEST-----\n`, hostname: 'x', version: '1' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('gateway.csr_invalid');
    const { csrPem } = await createCsr('x');
    const unknown = await fetch(`${c.url}/api/gateway/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'mgt_' + 'x'.repeat(40), csrPem, hostname: 'x', version: '1' }) });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('gateway.enroll_token_invalid');
  });
});
