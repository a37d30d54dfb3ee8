import { describe, expect, it } from 'vitest';
import { ja } from './ja.js';
import { en } from './en.js';

function flatten(o: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof o === 'string') out.set(prefix, o);
  else if (Array.isArray(o)) o.forEach((v, i) => flatten(v, `${prefix}[${i}]`).forEach((s, k) => out.set(k, s)));
  else if (o && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) flatten(v, prefix ? `${prefix}.${k}` : k).forEach((s, kk) => out.set(kk, s));
  }
  return out;
}

describe('translations', () => {
  const j = flatten(ja);
  const e = flatten(en);
  it('Japanese and English have the same keys (including step lists of the same length)', () => {
    expect([...j.keys()].filter((k) => !e.has(k))).toEqual([]);
    expect([...e.keys()].filter((k) => !j.has(k))).toEqual([]);
    expect(j.size).toBeGreaterThan(400);
  });
  it('no string is empty and interpolations match', () => {
    for (const [k, v] of j) {
      expect(v.trim(), k).not.toBe('');
      const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      expect(vars(e.get(k) ?? ''), k).toEqual(vars(v));
    }
    for (const [k, v] of e) expect(v.trim(), k).not.toBe('');
  });
  it('the main menu uses the manual\'s names', () => {
    expect([ja.menu.dashboard, ja.menu.gateways, ja.menu.policy, ja.menu.analytics, ja.menu.admin]).toEqual(['ダッシュボード', 'ゲートウェイ', 'ポリシー', '分析とレポート', '管理']);
    expect(ja.deploy.pending).toBe('設定が変更されました。[すべて配信]をクリックして変更を反映してください。');
    expect(ja.address.help).toContain('例: 192.168.0.1, 10.0.0.1-10.0.0.4, 10.0.0.8/24');
  });
});
