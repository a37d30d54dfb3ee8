/**
 * A populated console for route tests: an operator, tenants A and B each with an admin and a
 * viewer, and B owning one of everything (gateway, backup, enrollment token, deployed version).
 */
import type { Console } from '../app.js';
import { createCsr } from '../crypto/pki.js';
import { Client, signedIn } from './client.js';

export interface Tenant {
  id: string;
  admin: Client;
  adminId: string;
  viewer: Client;
  viewerId: string;
}

export interface World {
  operator: Client;
  a: Tenant;
  b: Tenant;
  /** ids of B's resources, keyed by the route parameter name */
  bParams: Record<string, string>;
}

let n = 0;
export async function makeTenant(c: Console, operator: Client, name: string, model: 10 | 50 | 100 = 50): Promise<Tenant> {
  const tag = `${process.pid}-${++n}`;
  const r = await operator.post<{ tenant: { id: string }; admin: { id: string } }>('/api/tenants', { name, model, admin: { email: `admin-${tag}@example.com`, name: `${name} admin`, lang: 'ja' } });
  if (r.status !== 201) throw new Error(`tenant: ${r.status} ${JSON.stringify(r.body)}`);
  const id = r.body.tenant.id;
  // the admin created by the tenant gets a password through its mailed link
  const mail = (await c.services.store.tenant(id).outbox.list()).find((m) => m.text.includes(r.body.admin.id));
  const link = /https?:\/\/\S+set-password\?token=\S+/.exec(mail?.text ?? '')?.[0];
  if (!link) throw new Error('no set-password link mailed');
  const { PASSWORD, tokenOf } = await import('./client.js');
  await c.services.auth.setPassword(tokenOf(link), PASSWORD, PASSWORD);
  const admin = new Client(c.url);
  const lr = await admin.login(r.body.admin.id, PASSWORD);
  if (lr.status !== 200) throw new Error(`admin login ${lr.status}`);
  const viewer = await signedIn(c, 'tenantViewer', id, `viewer-${tag}@example.com`);
  return { id, admin, adminId: r.body.admin.id, viewer: viewer.client, viewerId: viewer.accountId };
}

export async function makeWorld(c: Console): Promise<World> {
  const { client: operator } = await signedIn(c, 'operator', null, `operator-${process.pid}-${++n}@example.com`);
  const a = await makeTenant(c, operator, 'Tenant A');
  const b = await makeTenant(c, operator, 'Tenant B');
  const tok = await b.admin.post<{ id: string; token: string }>(`/api/tenants/${b.id}/gateways/enrollment-tokens`, { name: 'B gw' });
  const tok2 = await b.admin.post<{ id: string; token: string }>(`/api/tenants/${b.id}/gateways/enrollment-tokens`, { name: 'B gw 2' });
  const { csrPem } = await createCsr('b-gateway');
  const gw = await c.services.gateways.enroll({ token: tok.body.token, csrPem, hostname: 'b-host', version: '0.1.0' });
  const bk = await b.admin.post<{ id: string }>(`/api/tenants/${b.id}/backups`);
  await b.admin.post(`/api/tenants/${b.id}/policy/deploy`);
  return {
    operator,
    a,
    b,
    bParams: {
      tenantId: b.id,
      gatewayId: gw.gatewayId,
      backupId: bk.body.id,
      tokenId: tok2.body.id,
      accountId: b.viewerId,
      itemId: 'url-filtering',
      version: '1',
    },
  };
}

export function fillUrl(url: string, params: Record<string, string>): string {
  return url.replace(/:([A-Za-z]+)/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`no sample value for :${k} in ${url}`);
    return encodeURIComponent(v);
  });
}
