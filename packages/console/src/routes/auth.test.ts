import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, signedIn, testConsole, tokenOf } from '../testing/client.js';
import type { Console } from '../app.js';
import { LINK_VALID_MS, LOCKOUT_THRESHOLD } from '../services/auth.js';

let c: Console;
beforeAll(async () => {
  c = await testConsole();
});
afterAll(async () => c?.close());

describe('sign-in (manual §3)', () => {
  it('mails the new account its login URL, account name and a 7-day set-password link (ja and en)', async () => {
    const { account } = await c.services.auth.createAccount({ tenantId: null, role: 'operator', email: 'mail-ja@example.com', name: 'x', lang: 'ja' });
    const en = await c.services.auth.createAccount({ tenantId: null, role: 'operator', email: 'mail-en@example.com', name: 'y', lang: 'en' });
    expect(account.id).toMatch(/^TMF\d{10}$/);
    const mails = await c.services.store.outbox.listAll();
    const ja = mails.find((m) => m.to_addr === 'mail-ja@example.com');
    expect(ja?.subject).toContain('新規アカウント発行のお知らせ');
    expect(ja?.text).toContain(`アカウント名: ${account.id}`);
    expect(ja?.text).toContain('このURLは7日間のみ有効です');
    expect(ja?.text).toContain(`${c.url}/login`);
    expect(ja?.text).toMatch(/\/set-password\?token=[\w-]{20,}/);
    const enMail = mails.find((m) => m.to_addr === 'mail-en@example.com');
    expect(enMail?.text).toContain(`Account name: ${en.account.id}`);
    expect(enMail?.text).toContain('valid for 7 days');
  });

  it('sets a password once with the link; a reused or expired link is refused', async () => {
    const { account, setPasswordUrl } = await c.services.auth.createAccount({ tenantId: null, role: 'operator', email: 'link@example.com', name: 'x', lang: 'ja' });
    const client = new Client(c.url);
    const token = tokenOf(setPasswordUrl);
    const info = await client.get(`/api/auth/password-link?token=${token}`);
    expect(info.body).toEqual({ accountId: account.id, purpose: 'set-password' });
    const weak = await client.post('/api/auth/password', { token, password: 'short1', confirm: 'short1' });
    expect(weak.status).toBe(400);
    expect(weak.body['error']).toMatchObject({ code: 'auth.password_weak' });
    const mismatch = await client.post('/api/auth/password', { token, password: PASSWORD, confirm: PASSWORD + 'x' });
    expect(mismatch.body['error']).toMatchObject({ code: 'auth.password_mismatch' });
    const ok = await client.post('/api/auth/password', { token, password: PASSWORD, confirm: PASSWORD });
    expect(ok.status).toBe(200);
    const again = await client.post('/api/auth/password', { token, password: PASSWORD, confirm: PASSWORD });
    expect(again.status).toBe(400);
    expect(again.body['error']).toMatchObject({ code: 'auth.link_used', message: { ja: 'このURLは既に使用されています。' } });

    // an expired link: issued 7 days + 1 ms ago
    const url = await c.services.auth.issueLink(account.id, 'reset-password');
    const t = tokenOf(url);
    const { sha256 } = await import('../store/ids.js');
    await c.services.store.db.updateTable('account_tokens').set({ expires_at: Date.now() - 1 }).where('token_hash', '=', sha256(t)).execute();
    const expired = await client.post('/api/auth/password', { token: t, password: PASSWORD, confirm: PASSWORD });
    expect(expired.body['error']).toMatchObject({ code: 'auth.link_expired' });
    expect(LINK_VALID_MS).toBe(7 * 24 * 3600 * 1000);
    const bogus = await client.post('/api/auth/password', { token: 'x'.repeat(40), password: PASSWORD, confirm: PASSWORD });
    expect(bogus.body['error']).toMatchObject({ code: 'auth.link_invalid' });
  });

  it('asks for the privacy notice at first sign-in and records it', async () => {
    const { account, setPasswordUrl } = await c.services.auth.createAccount({ tenantId: null, role: 'operator', email: 'privacy@example.com', name: 'x', lang: 'ja' });
    await c.services.auth.setPassword(tokenOf(setPasswordUrl), PASSWORD, PASSWORD);
    const client = new Client(c.url);
    const r = await client.login(account.id, PASSWORD, false);
    expect(r.body).toMatchObject({ privacyNoticeRequired: true });
    const blocked = await client.get('/api/tenants');
    expect(blocked.status).toBe(403);
    expect(blocked.body['error']).toMatchObject({ code: 'auth.privacy_not_accepted' });
    expect((await client.post('/api/auth/privacy', { accept: true, version: '2026-11' })).status).toBe(200);
    expect((await c.services.store.accounts.byId(account.id))?.privacy_accepted_at).toBeTypeOf('number');
    expect((await client.get('/api/tenants')).status).toBe(200);
    const again = await new Client(c.url).login(account.id, PASSWORD, false);
    expect(again.body).toMatchObject({ privacyNoticeRequired: false });
  });

  it('sets an httpOnly SameSite=Strict session cookie and requires the CSRF token on changes', async () => {
    const { account, setPasswordUrl } = await c.services.auth.createAccount({ tenantId: null, role: 'operator', email: 'csrf@example.com', name: 'x', lang: 'ja' });
    await c.services.auth.setPassword(tokenOf(setPasswordUrl), PASSWORD, PASSWORD);
    const raw = await fetch(`${c.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: account.id, password: PASSWORD }) });
    const sc = raw.headers.get('set-cookie') ?? '';
    expect(sc).toMatch(/HttpOnly/i);
    expect(sc).toMatch(/SameSite=Strict/i);
    const client = new Client(c.url);
    await client.login(account.id, PASSWORD);
    const body = { name: 'T', model: 10, admin: { email: 'csrf-admin@example.com', name: 'A', lang: 'en' } };
    const noToken = await client.req('POST', '/api/tenants', body, { csrf: null });
    expect(noToken.status).toBe(403);
    expect(noToken.body['error']).toMatchObject({ code: 'auth.csrf' });
    const wrong = await client.req('POST', '/api/tenants', body, { csrf: 'forged' });
    expect(wrong.body['error']).toMatchObject({ code: 'auth.csrf' });
    expect(await c.services.store.accounts.byEmail('csrf-admin@example.com')).toBeUndefined();
    const ok = await client.post('/api/tenants', body);
    expect(ok.status).toBe(201);
  });

  it('locks an account after repeated wrong passwords', async () => {
    const { account, setPasswordUrl } = await c.services.auth.createAccount({ tenantId: null, role: 'operator', email: 'lock@example.com', name: 'x', lang: 'ja' });
    await c.services.auth.setPassword(tokenOf(setPasswordUrl), PASSWORD, PASSWORD);
    const client = new Client(c.url);
    const codes: string[] = [];
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) codes.push(String(((await client.login(account.id, 'wrong password 1')).body as { error: { code: string } }).error.code));
    expect(codes.slice(0, -1).every((x) => x === 'auth.invalid_credentials')).toBe(true);
    expect(codes.at(-1)).toBe('auth.locked');
    // even the right password is refused while locked
    const r = await client.login(account.id, PASSWORD);
    expect(r.status).toBe(423);
    expect(r.body).toMatchObject({ error: { code: 'auth.locked' } });
  });

  it('throttles many failed sign-ins from one address', async () => {
    const own = await testConsole();
    try {
      const client = new Client(own.url);
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await client.login(`nobody${i}@example.com`, 'whatever 123')).status);
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses[20]).toBe(429);
    } finally {
      await own.close();
    }
  });

  it('resets a forgotten password by mail, without telling whether the account exists', async () => {
    const { client, accountId } = await signedIn(c, 'operator', null, 'reset@example.com');
    expect((await client.post('/api/auth/password-reset', { login: 'nobody@example.com' })).status).toBe(200);
    expect((await client.post('/api/auth/password-reset', { login: accountId })).status).toBe(200);
    const mail = (await c.services.store.outbox.listAll()).find((m) => m.to_addr === 'reset@example.com' && m.subject.includes('パスワードのリセット'));
    const link = /https?:\/\/\S+reset-password\?token=\S+/.exec(mail?.text ?? '')?.[0];
    expect(link).toBeDefined();
    const np = 'another good one 77';
    expect((await new Client(c.url).post('/api/auth/password', { token: tokenOf(link as string), password: np, confirm: np })).status).toBe(200);
    // the old session is gone; the new password works
    expect((await client.get('/api/auth/session')).status).toBe(401);
    expect((await new Client(c.url).login(accountId, np)).status).toBe(200);
  });

  it('requires a TOTP code once TOTP is enabled', async () => {
    const { generate } = await import('otplib');
    const { client, accountId } = await signedIn(c, 'operator', null, 'totp@example.com');
    const setup = await client.post<{ secret: string; uri: string }>('/api/auth/totp/setup');
    expect(setup.body.uri).toMatch(/^otpauth:\/\/totp\//);
    expect((await client.post('/api/auth/totp/confirm', { code: '000000' === (await generate({ secret: setup.body.secret })) ? '111111' : '000000' })).status).toBe(401);
    expect((await client.post('/api/auth/totp/confirm', { code: await generate({ secret: setup.body.secret }) })).status).toBe(200);
    const c2 = new Client(c.url);
    expect((await c2.login(accountId, PASSWORD)).body).toMatchObject({ error: { code: 'auth.totp_required' } });
    const r = await c2.post('/api/auth/login', { login: accountId, password: PASSWORD, totp: await generate({ secret: setup.body.secret }) });
    expect(r.status).toBe(200);
  });

  it('lists the subscribed service in the portal', async () => {
    const { client: op } = await signedIn(c, 'operator', null, 'portal-op@example.com');
    const t = await op.post<{ tenant: { id: string } }>('/api/tenants', { name: 'Portal Co', model: 50, admin: { email: 'portal-admin@example.com', name: 'A', lang: 'ja' } });
    const { client } = await signedIn(c, 'tenantViewer', t.body.tenant.id, 'portal-viewer@example.com');
    const p = await client.get('/api/portal');
    expect(p.body).toEqual({ services: [{ tenantId: t.body.tenant.id, tenantName: 'Portal Co', service: 'Mamori Gateway 50', model: 50, consolePath: `/tenants/${t.body.tenant.id}/dashboard` }] });
  });
});
