import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase } from './db.js';
import { Store } from './store.js';
import { DIALECTS, testDatabase, type TestDb } from '../testing/databases.js';

const gatewayRow = (id: string, fp: string) => ({
  id,
  name: `gw ${id}`,
  hostname: 'host',
  groups_json: '[]',
  cert_fingerprint: fp,
  version: '1.0',
  status_json: null,
  connected: 0,
  last_seen: 1_700_000_000_123,
  enrolled_at: 1_700_000_000_000,
  deploy_version: null,
  deploy_state: null,
  deploy_error: null,
  deploy_at: null,
});

describe.each(DIALECTS)('store on %s', (dialect) => {
  let tdb: TestDb;
  let store: Store;

  beforeAll(async () => {
    tdb = await testDatabase(dialect);
    const { db, dialect: d } = await openDatabase({ databaseUrl: tdb.databaseUrl, sqlitePath: path.join(tdb.dataDir, 'console.db') });
    expect(d).toBe(dialect);
    store = new Store(db, d);
  });
  afterAll(async () => {
    await store?.close();
    await tdb?.drop();
  });

  it('migrates idempotently (a second open finds nothing to do)', async () => {
    const again = await openDatabase({ databaseUrl: tdb.databaseUrl, sqlitePath: path.join(tdb.dataDir, 'console.db') });
    const n = await again.db.selectFrom('tenants').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBeGreaterThanOrEqual(0);
    await again.db.destroy();
  });

  it('keeps each tenant’s rows behind its tenant id', async () => {
    const a = await store.tenants.create({ name: 'A', model: 10 });
    const b = await store.tenants.create({ name: 'B', model: 50 });
    await store.tenant(a.id).gateways.insert(gatewayRow('gw_a', `fp-a-${dialect}`));
    await store.tenant(b.id).gateways.insert(gatewayRow('gw_b', `fp-b-${dialect}`));
    expect((await store.tenant(a.id).gateways.list()).map((g) => g.id)).toEqual(['gw_a']);
    expect(await store.tenant(a.id).gateways.get('gw_b')).toBeUndefined();
    expect(await store.tenant(a.id).gateways.update('gw_b', { name: 'stolen' })).toBe(false);
    expect(await store.tenant(a.id).gateways.delete('gw_b')).toBe(false);
    expect((await store.tenant(b.id).gateways.get('gw_b'))?.name).toBe('gw gw_b');
    // epoch milliseconds come back as numbers on both dialects
    expect((await store.tenant(b.id).gateways.get('gw_b'))?.last_seen).toBe(1_700_000_000_123);
    expect(await store.gatewayByFingerprint(`fp-b-${dialect}`)).toEqual({ id: 'gw_b', tenantId: b.id });

    await store.tenant(a.id).policy.putDraft('{"a":1}', 'x');
    expect(await store.tenant(b.id).policy.draft()).toBeUndefined();
    await store.tenant(a.id).policy.insertVersion(1, '{"a":1}', 'x');
    expect(await store.tenant(b.id).policy.latestVersion()).toBeUndefined();
    expect((await store.tenant(a.id).policy.latestVersion())?.version).toBe(1);

    await store.tenant(a.id).backups.insert({ id: 'bk1', config_hash: 'h', content_json: '{}', created_at: 1, created_by: 'x' });
    expect(await store.tenant(b.id).backups.get('bk1')).toBeUndefined();
    expect(await store.tenant(b.id).backups.delete('bk1')).toBe(false);
    expect(await store.tenant(a.id).backups.get('bk1')).toBeDefined();

    await store.tenant(a.id).audit.add({ actor: 'x', action: 'y', target: 'z', before: { v: 1 }, after: { v: 2 } });
    expect(await store.tenant(b.id).audit.list()).toEqual([]);
    const [entry] = await store.tenant(a.id).audit.list();
    expect(entry && JSON.parse(entry.after_json ?? 'null')).toEqual({ v: 2 });

    await store.tenant(a.id).alerts.put('{"enabled":true}');
    expect(await store.tenant(b.id).alerts.get()).toBeUndefined();
    await store.tenant(a.id).ca.put('cert', 'key', 'generated');
    expect(await store.tenant(b.id).ca.get()).toBeUndefined();
    expect(() => store.tenant('')).toThrow(/tenant id required/);
  });

  it('upserts deployments and drafts', async () => {
    const t = await store.tenants.create({ name: 'C', model: 100 });
    const ts = store.tenant(t.id);
    await ts.deployments.upsert(1, 'g1', 'pending', null);
    await ts.deployments.upsert(1, 'g1', 'failed', 'nft: syntax error');
    expect(await ts.deployments.forVersion(1)).toMatchObject([{ gateway_id: 'g1', state: 'failed', error: 'nft: syntax error' }]);
    await ts.policy.putDraft('{"v":1}', 'a');
    await ts.policy.putDraft('{"v":2}', 'b');
    expect(await ts.policy.draft()).toMatchObject({ json: '{"v":2}', updatedBy: 'b' });
  });

  it('consumes one-time tokens once, even when raced', async () => {
    const t = await store.tenants.create({ name: 'D', model: 10 });
    await store.accounts.insert({
      id: `TMF${dialect === 'sqlite' ? '0000000001' : '0000000002'}`,
      tenant_id: t.id,
      role: 'tenantAdmin',
      email: `d-${dialect}@example.com`,
      name: 'D',
      lang: 'ja',
      password_hash: null,
      totp_secret: null,
      totp_enabled: 0,
      privacy_accepted_at: null,
      failed_logins: 0,
      locked_until: null,
      created_at: Date.now(),
    });
    const accountId = dialect === 'sqlite' ? 'TMF0000000001' : 'TMF0000000002';
    await store.accountTokens.insert({ token_hash: `h-${dialect}`, account_id: accountId, purpose: 'set-password', expires_at: Date.now() + 1000, used_at: null, created_at: Date.now() });
    const results = await Promise.all([1, 2, 3].map(() => store.accountTokens.consume(`h-${dialect}`, Date.now())));
    expect(results.filter(Boolean)).toHaveLength(1);

    await store.tenant(t.id).enrollmentTokens.insert({ tokenHash: `e-${dialect}`, id: `et-${dialect}`, name: 'gw', groups: ['g'], expiresAt: Date.now() + 10_000 });
    const first = await store.consumeEnrollmentToken(`e-${dialect}`, Date.now());
    expect(first).toEqual({ tenantId: t.id, name: 'gw', groups: ['g'] });
    expect(await store.consumeEnrollmentToken(`e-${dialect}`, Date.now())).toBeUndefined();
    await store.tenant(t.id).enrollmentTokens.insert({ tokenHash: `x-${dialect}`, id: `ex-${dialect}`, name: 'gw', groups: [], expiresAt: Date.now() - 1 });
    expect(await store.consumeEnrollmentToken(`x-${dialect}`, Date.now())).toBeUndefined();
  });

  it('rolls a failed transaction back', async () => {
    const before = (await store.tenants.list()).length;
    await expect(
      store.transaction(async (tx) => {
        await tx.tenants.create({ name: 'E', model: 10 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await store.tenants.list()).length).toBe(before);
  });

  it('lets the first writer win a key (setIfAbsent)', async () => {
    expect(await store.kv.setIfAbsent('k', 'one')).toBe('one');
    expect(await store.kv.setIfAbsent('k', 'two')).toBe('one');
    await store.kv.set('k', 'three');
    expect(await store.kv.get('k')).toBe('three');
  });
});
