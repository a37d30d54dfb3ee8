import { describe, expect, it } from 'vitest';
import { CATEGORY_ID_PATTERN, RISK_GROUPS, URL_CATEGORIES, isUrlCategoryId, urlCategory } from './taxonomy.js';
import { UT1_CATEGORY_MAP, UT1_SKIPPED } from './ut1-map.js';

describe('taxonomy', () => {
  it('has about 80 categories with unique kebab ids, both names and a known risk group', () => {
    expect(URL_CATEGORIES.length).toBeGreaterThanOrEqual(75);
    expect(URL_CATEGORIES.length).toBeLessThanOrEqual(100);
    const ids = URL_CATEGORIES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const groups = new Set(RISK_GROUPS.map((g) => g.id));
    for (const c of URL_CATEGORIES) {
      expect(c.id).toMatch(CATEGORY_ID_PATTERN);
      expect(c.en.length).toBeGreaterThan(0);
      expect(c.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]|^P2P$|^DNS over HTTPS$|^Web|^C&C/);
      expect(groups.has(c.group)).toBe(true);
    }
  });

  it('contains the ids fixed in CONTRACTS.md', () => {
    for (const id of ['malware', 'phishing', 'cnc', 'cryptomining', 'finance', 'health', 'adult', 'gambling', 'social-networking', 'file-sharing', 'streaming-media', 'search-engines', 'news', 'games', 'shopping', 'webmail', 'chat', 'proxy-avoidance', 'software-updates']) {
      expect(isUrlCategoryId(id), id).toBe(true);
    }
    expect(urlCategory('cnc')?.group).toBe('security');
    expect(urlCategory('gambling')?.group).toBe('legal');
    expect(isUrlCategoryId('porn')).toBe(false);
  });

  it('maps UT1 folders only onto taxonomy ids, and no folder is both mapped and skipped', () => {
    for (const [folder, cats] of Object.entries(UT1_CATEGORY_MAP)) {
      expect(cats.length, folder).toBeGreaterThan(0);
      for (const c of cats) expect(isUrlCategoryId(c), `${folder} -> ${c}`).toBe(true);
      expect(UT1_SKIPPED[folder]).toBeUndefined();
    }
    expect(UT1_CATEGORY_MAP['malware']).toEqual(['malware']);
    expect(UT1_CATEGORY_MAP['cryptojacking']).toEqual(['cryptomining']);
    expect(UT1_CATEGORY_MAP['bank']).toEqual(['finance']);
  });
});
