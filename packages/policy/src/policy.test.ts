import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPolicyInput } from './defaults.js';
import { parsePolicyJson, Policy, validatePolicy, type PolicyInput } from './policy.js';

const codes = (input: unknown) => {
  const r = validatePolicy(input);
  return r.ok ? [] : r.problems.map((p) => `${p.path}:${p.code}`);
};
const base = (): PolicyInput => structuredClone(defaultPolicyInput(50));

describe('the policy document', () => {
  it('a minimal policy gets every default', () => {
    expect(Policy.parse({ schemaVersion: 1, model: 10 })).toEqual({
      schemaVersion: 1,
      model: 10,
      objects: { addresses: [], macs: [], services: [], users: [], userGroups: [], customCategories: [] },
      gatewayGroups: [],
      profiles: [],
      rules: [],
      allowList: [],
      blockList: [],
    });
  });
  it('refuses another schema version, an unknown model and unknown keys', () => {
    expect(codes({ schemaVersion: 2, model: 50 })).toEqual(['schemaVersion:schema.invalid_value']);
    expect(codes({ schemaVersion: 1, model: 20 })).toEqual(['model:schema.invalid_value']);
    expect(codes({ schemaVersion: 1, model: 50, extra: true })).toEqual(['extra:schema.unknown_key']);
    expect(codes({ schemaVersion: 1, model: 50, objects: { hosts: [] } })).toEqual(['objects.hosts:schema.unknown_key']);
    expect(codes([])).toEqual([':schema.invalid_type']);
  });
  it('checks every reference from rules and groups', () => {
    const p = base();
    p.objects!.userGroups = [{ id: 'g', name: 'g', members: ['ghost'] }];
    p.rules!.push({
      id: 'refs',
      name: 'refs',
      action: 'block',
      gatewayGroups: ['nowhere'],
      source: { type: 'selected', users: ['u0'], groups: ['g0'], addresses: ['a0'], macs: ['m0'] },
      destination: { type: 'addresses', addresses: ['a1'] },
      service: { type: 'selected', services: ['s0'] },
      content: { type: 'selected', customCategories: ['c0'] },
      profileId: 'p0',
    });
    expect(codes(p)).toEqual([
      'objects.userGroups.0.members.0:policy.reference.unknown',
      'rules.4.gatewayGroups.0:policy.reference.unknown',
      'rules.4.source.users.0:policy.reference.unknown',
      'rules.4.source.groups.0:policy.reference.unknown',
      'rules.4.source.addresses.0:policy.reference.unknown',
      'rules.4.source.macs.0:policy.reference.unknown',
      'rules.4.destination.addresses.0:policy.reference.unknown',
      'rules.4.service.services.0:policy.reference.unknown',
      'rules.4.content.customCategories.0:policy.reference.unknown',
      'rules.4.profileId:policy.profile.missing',
    ]);
    const r = validatePolicy(p);
    expect(!r.ok && r.problems[2]!.message).toEqual({ ja: 'user「u0」は存在しません。', en: 'Unknown user "u0".' });
  });
  it('refuses duplicate ids, duplicate names and duplicate list entries', () => {
    const p = base();
    p.rules!.push({ id: 'app-control', name: 'other', action: 'allow' });
    p.rules!.push({ id: 'other', name: 'ファイアウォール (個別許可設定)', action: 'allow' });
    p.allowList!.push({ value: '*.APPLE.com' });
    expect(codes(p)).toEqual(['rules.4.id:policy.id.duplicate', 'rules.5.name:policy.name.duplicate', 'allowList.8.value:policy.list_entry.duplicate']);
  });
  it('reports structural and reference problems together', () => {
    const p = base() as Record<string, unknown> & PolicyInput;
    p.rules![0]!.profileId = 'nope';
    (p.rules![1] as Record<string, unknown>)['bogus'] = 1;
    p.objects!.addresses![0] = { id: 'firewall-allow-sources', name: 'x', type: 'ipv4', addresses: '1.2.3.4, 300.1.1.1' };
    expect(codes(p).sort()).toEqual(['objects.addresses.0.addresses:policy.address.invalid', 'rules.0.profileId:policy.profile.missing', 'rules.1.bogus:schema.unknown_key']);
  });
  it('parsePolicyJson reports bad JSON at the root', () => {
    const r = parsePolicyJson('{"schemaVersion": 1,');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ path: '', code: 'policy.json.invalid' });
    expect(r.problems[0]!.message.ja).toMatch(/^JSONとして読み込めません: /);
    expect(parsePolicyJson(JSON.stringify(defaultPolicyInput(100))).ok).toBe(true);
  });
  it('validation never throws, whatever the document holds', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(fc.constantFrom('rules', 'objects', 'profiles', 'allowList', 'gatewayGroups', 'model'), fc.nat(5), json, (key, i, junk) => {
        const p = base() as Record<string, unknown>;
        const v = p[key];
        if (Array.isArray(v) && i < v.length) v[i] = junk;
        else if (v && typeof v === 'object') (v as Record<string, unknown>)['addresses'] = junk;
        else p[key] = junk;
        const r = validatePolicy(p);
        if (!r.ok) for (const pr of r.problems) expect(pr.message.ja.length * pr.message.en.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
