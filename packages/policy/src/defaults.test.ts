import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOW_LIST, defaultPolicy, defaultPolicyInput } from './defaults.js';
import { validatePolicy } from './policy.js';

describe('default tenant policy (manual initial state)', () => {
  it.each([10, 50, 100] as const)('model %i validates and names its rules after the model', (model) => {
    expect(validatePolicy(defaultPolicyInput(model)).ok).toBe(true);
    const p = defaultPolicy(model);
    expect(p.model).toBe(model);
    expect(p.rules.map((r) => [r.name, r.enabled, r.action])).toEqual([
      [`[${model}-1] アプリケーションコントロール`, true, 'block'],
      [`[${model}-1] URLフィルタリング`, true, 'block'],
      ['ファイアウォール (個別許可設定)', false, 'allow'],
      [`[${model}-1] ファイアウォール`, false, 'block'],
    ]);
    expect(p.profiles.map((x) => x.name)).toEqual([`[${model}-1] 初期設定のプロファイル`]);
    expect(new Set(p.rules.map((r) => r.profileId))).toEqual(new Set([p.profiles[0]!.id]));
  });
  it('blocks the security-risk categories and the risky application categories', () => {
    const [app, url, allow, block] = defaultPolicy(50).rules;
    expect(app!.content).toMatchObject({ type: 'selected', applicationCategories: ['p2p', 'anonymizer'] });
    expect(url!.content).toMatchObject({ type: 'selected', urlCategories: ['malware', 'phishing', 'cnc', 'cryptomining'] });
    expect(block!.source).toEqual({ type: 'any' });
    expect(block!.content).toEqual({ type: 'any' });
    expect(allow!.source).toMatchObject({ type: 'selected', addresses: ['firewall-allow-sources'] });
  });
  it('allows the OS update domains and none of the vendor\'s own', () => {
    const values = defaultPolicy(50).allowList.map((e) => e.value);
    expect(values).toEqual(DEFAULT_ALLOW_LIST.map((e) => e.value));
    expect(values).toContain('*.apple.com');
    expect(values).toContain('*.windowsupdate.com');
    expect(values).toContain('download.microsoft.com');
    expect(values.some((v) => v.includes('trendmicro'))).toBe(false);
    expect(defaultPolicy(50).blockList).toEqual([]);
  });
  it('returns a fresh object each time', () => {
    const a = defaultPolicy(50);
    a.rules[0]!.enabled = false;
    expect(defaultPolicy(50).rules[0]!.enabled).toBe(true);
  });
});
