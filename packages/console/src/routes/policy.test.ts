import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, testConsole } from '../testing/client.js';
import { makeTenant, type Tenant } from '../testing/world.js';
import type { Console } from '../app.js';

let c: Console;
let t: Tenant;
beforeAll(async () => {
  c = await testConsole();
  const { client: operator } = await signedIn(c, 'operator', null, 'policy-op@example.com');
  t = await makeTenant(c, operator, 'Policy Co', 50);
}, 60_000);
afterAll(async () => c?.close());

const rule = (id: string, name: string) => ({ id, name, action: 'block', content: { type: 'selected', urlCategories: ['gambling'] } });

describe('policy editing (§6)', () => {
  it('starts from defaultPolicy(model) and edits rules: add, reorder, duplicate, disable, delete', async () => {
    const base = `/api/tenants/${t.id}/policy/rules`;
    const start = await t.admin.get<{ items: Array<{ id: string; name: string }> }>(base);
    expect(start.body.items.map((r) => r.name)).toContain('[50-1] URLフィルタリング');
    const added = await t.admin.req('POST', `${base}?position=0`, rule('no-gambling', 'ギャンブル禁止'));
    expect(added.status).toBe(201);
    const ids = (await t.admin.get<{ items: Array<{ id: string }> }>(base)).body.items.map((r) => r.id);
    expect(ids[0]).toBe('no-gambling');
    const reversed = [...ids].reverse();
    expect((await t.admin.post(`${base}/reorder`, { ids: reversed })).status).toBe(200);
    expect((await t.admin.get<{ items: Array<{ id: string }> }>(base)).body.items.map((r) => r.id)).toEqual(reversed);
    const missing = await t.admin.post(`${base}/reorder`, { ids: reversed.slice(1) });
    expect(missing.status).toBe(400);

    const dup = await t.admin.post<{ id: string; name: string; enabled: boolean }>(`${base}/no-gambling/duplicate`);
    expect(dup.body).toMatchObject({ id: 'no-gambling-copy', name: 'ギャンブル禁止 のコピー', enabled: false });
    const items = (await t.admin.get<{ items: Array<{ id: string }> }>(base)).body.items.map((r) => r.id);
    expect(items[items.indexOf('no-gambling') + 1]).toBe('no-gambling-copy');
    const en = await t.admin.patch<{ enabled: boolean }>(`${base}/no-gambling-copy/enabled`, { enabled: true });
    expect(en.body.enabled).toBe(true);
    expect((await t.admin.del(`${base}/no-gambling-copy`)).status).toBe(200);
    expect((await t.admin.get(`${base}/no-gambling-copy`)).status).toBe(404);
    const exists = await t.admin.post(base, rule('no-gambling', 'other name'));
    expect(exists.status).toBe(409);
  });

  it('rejects invalid changes with coded ja/en problems and stores nothing', async () => {
    const before = await t.admin.get<{ policy: unknown; updatedAt: number }>(`/api/tenants/${t.id}/policy`);
    const bad = await t.admin.post(`/api/tenants/${t.id}/policy/addresses`, { id: 'office', name: 'Office', type: 'ipv4', addresses: '192.168.0.1, 10.0.0.300' });
    expect(bad.status).toBe(400);
    const problems = (bad.body['error'] as { problems: Array<{ path: string; code: string; message: { ja: string; en: string } }> }).problems;
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.message.ja.length).toBeGreaterThan(0);
    expect(problems[0]?.path.startsWith('body')).toBe(true);
    const unknownKey = await t.admin.post(`/api/tenants/${t.id}/policy/rules`, { ...rule('x1', 'x1'), colour: 'red' });
    expect(unknownKey.body['error']).toMatchObject({ code: 'validation.failed', problems: [{ code: 'schema.unknown_key', path: 'body.colour' }] });
    // a profile still used by rules cannot be deleted
    const inUse = await t.admin.del(`/api/tenants/${t.id}/policy/profiles/default-profile`);
    expect(inUse.status).toBe(400);
    expect(inUse.body['error']).toMatchObject({ code: 'policy.invalid', problems: expect.arrayContaining([expect.objectContaining({ code: 'policy.profile.missing' })]) });
    const badList = await t.admin.post(`/api/tenants/${t.id}/policy/block-list`, { value: 'not a host!' });
    expect(badList.body['error']).toMatchObject({ code: 'validation.failed', problems: [{ code: 'policy.list_entry.invalid' }] });
    const malformed = await t.admin.req('POST', `/api/tenants/${t.id}/policy/rules`, undefined, { headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    const after = await t.admin.get<{ policy: unknown; updatedAt: number }>(`/api/tenants/${t.id}/policy`);
    expect(after.body).toEqual(before.body);
  });

  it('reports the draft as differing until Deploy all, and simulates flows over draft or deployed policy', async () => {
    const p = `/api/tenants/${t.id}/policy`;
    await t.admin.post(`${p}/deploy`);
    expect((await t.admin.get(p)).body).toMatchObject({ differs: false, message: null });
    await t.admin.post(`${p}/block-list`, { value: '*.blocked.example' });
    expect((await t.admin.get(p)).body).toMatchObject({ differs: true, message: { ja: '設定が変更されました。[すべて配信]をクリックして変更を反映してください。' } });

    const flow = { srcIp: '192.168.1.10', dstHost: 'www.blocked.example', dstPort: 443, protocol: 'tcp', url: 'https://www.blocked.example/' };
    const draft = await t.viewer.post<{ decision: string; reason: { kind: string; entry: string }; explanation: { ja: string } }>(`${p}/simulate`, { flow });
    expect(draft.body).toMatchObject({ decision: 'block', reason: { kind: 'blockList', entry: '*.blocked.example' } });
    expect(draft.body.explanation.ja).toContain('ブロックリスト');
    const deployed = await t.viewer.post<{ decision: string; version: number }>(`${p}/simulate`, { flow, source: 'deployed' });
    expect(deployed.body.decision).not.toBe('block');
    expect(deployed.body.version).toBeGreaterThanOrEqual(1);
    const l4 = await t.viewer.post<{ decision: string; needs: string[] }>(`${p}/simulate`, { flow: { srcIp: '192.168.1.10', dstIp: '203.0.113.5', dstPort: 443, protocol: 'tcp' } });
    expect(l4.body.decision).toBe('undecided');
    const badFlow = await t.viewer.post(`${p}/simulate`, { flow: { srcIp: 'nope', dstPort: 99999, protocol: 'tcp' } });
    expect(badFlow.status).toBe(400);
    expect((badFlow.body['error'] as { problems: Array<{ path: string }> }).problems.map((x) => x.path)).toEqual(expect.arrayContaining(['body.flow.srcIp', 'body.flow.dstPort']));

    const audit = await t.admin.get<{ entries: Array<{ actor: string; action: string; after: unknown }> }>(`/api/tenants/${t.id}/audit?limit=5`);
    expect(audit.body.entries[0]).toMatchObject({ actor: t.adminId, action: 'policy.blockList.add', after: { value: '*.blocked.example' } });
  });

  it('edits every part: profiles, objects, gateway groups', async () => {
    const p = `/api/tenants/${t.id}/policy`;
    expect((await t.admin.post(`${p}/gateway-groups`, { id: 'tokyo', name: '東京' })).status).toBe(201);
    expect((await t.admin.post(`${p}/services`, { id: 'web-alt', name: 'Web alt', entries: [{ protocol: 'tcp', ports: '8080-8081' }] })).status).toBe(201);
    expect((await t.admin.post(`${p}/users`, { id: 'taro', name: 'Taro', email: 'taro@example.com' })).status).toBe(201);
    expect((await t.admin.post(`${p}/user-groups`, { id: 'sales', name: 'Sales', members: ['taro'] })).status).toBe(201);
    expect((await t.admin.post(`${p}/macs`, { id: 'printer', name: 'Printer', macs: ['00:11:22:33:44:55'] })).status).toBe(201);
    expect((await t.admin.post(`${p}/custom-categories`, { id: 'partners', name: 'Partners', entries: ['*.partner.example'] })).status).toBe(201);
    const prof = await t.admin.get<{ id: string; name: string }>(`${p}/profiles/default-profile`);
    const renamed = await t.admin.put<{ name: string }>(`${p}/profiles/default-profile`, { ...prof.body, name: '社内プロファイル' });
    expect(renamed.status).toBe(200);
    expect((await t.admin.del(`${p}/users/taro`)).status).toBe(400);
    const gws = await t.admin.get<{ items: Array<{ id: string }> }>(`${p}/gateway-groups`);
    expect(gws.body.items.map((g) => g.id)).toContain('tokyo');
  });
});
