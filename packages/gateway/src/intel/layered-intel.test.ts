import { describe, expect, it } from 'vitest';
import { defaultPolicy, type CloudVerdict } from '@mamori/policy';
import { CategoryDbBuilder, loadCategoryDb } from '@mamori/urlcat';
import { LayeredIntel } from './layered-intel.js';

function db(entries: Array<[string, string]>) {
  const b = new CategoryDbBuilder('layered-test');
  for (const [h, c] of entries) b.addHost(h, c);
  return loadCategoryDb(b.build());
}

const verdict = (query: string, categories: string[], score = 0): CloudVerdict => ({
  query,
  categories,
  source: categories.length ? 'database' : 'none',
  reputation: { score, level: score >= 80 ? 'dangerous' : 'safe', reasons: [] },
});

describe('layered intel', () => {
  it('applies custom categories and reclassifications before the database', () => {
    const database = db([['example.com', 'news'], ['shop.example.com', 'shopping']]);
    const intel = new LayeredIntel({ db: database, version: 't' });
    expect(intel.categorize('www.example.com')).toEqual(['news']);
    // nothing layered on the database: its shared (frozen) category array, nothing allocated
    expect(intel.categorize('WWW.Example.com.')).toBe(database.lookupHost('example.com').categories);
    const policy = defaultPolicy(10);
    policy.objects.customCategories.push({ id: 'Team_Sites', name: 'Team sites', entries: ['*.example.com', 'tools.example.org/admin'] });
    intel.applyDeployment({ policy, intel: { reclassifications: [{ entry: 'shop.example.com', categories: ['games'] }, { entry: '198.51.100.9', categories: ['cnc'] }] } });
    expect(intel.categorize('shop.example.com')).toEqual(['Team_Sites', 'games']);
    expect(intel.categorize('www.example.com')).toEqual(['Team_Sites', 'news']);
    expect(intel.categorize('http://tools.example.org/admin/users')).toEqual(['Team_Sites']);
    expect(intel.categorize('http://tools.example.org/public')).toEqual([]);
    expect(intel.categorize('198.51.100.9')).toEqual(['cnc']);
    // a reclassified host is trusted: heuristics do not make it dangerous
    expect(intel.reputation('198.51.100.9').reasons).toContain('category cnc');
    intel.applyDeployment({ policy: defaultPolicy(10) });
    expect(intel.categorize('shop.example.com')).toEqual(['shopping']);
  });

  it('asks the console only about hosts it does not know, serves the cached answer, and falls back when the console fails', async () => {
    const asked: string[] = [];
    let up = true;
    const intel = new LayeredIntel({
      db: db([['known.example', 'news']]),
      version: 't',
      ask: async (h) => {
        asked.push(h);
        if (!up) throw new Error('ECONNREFUSED');
        return h === 'bad.example' ? verdict(h, ['malware'], 100) : verdict(h, []);
      },
      cloud: { backoffMs: 0 },
    });
    expect(intel.prefetch('known.example')).toBeUndefined();
    expect(intel.categorize('bad.example')).toEqual([]); // not known yet: asked in the background
    await intel.prefetch('bad.example');
    expect(intel.categorize('www.known.example')).toEqual(['news']);
    expect(intel.categorize('bad.example')).toEqual(['malware']);
    expect(intel.reputation('bad.example').score).toBe(100);
    expect(intel.prefetch('bad.example')).toBeUndefined();
    expect(asked).toEqual(['bad.example']);
    expect(intel.prefetch('10.0.0.1')).toBeUndefined();
    up = false;
    await intel.prefetch('other.example');
    expect(intel.categorize('other.example')).toEqual([]);
    expect(intel.cloud?.stats.fallback).toBeGreaterThan(0);
  });

  it('swaps the database in one step', () => {
    const intel = new LayeredIntel({ db: db([['a.example', 'news']]), version: 'v1' });
    intel.swapDatabase(db([['a.example', 'games']]), 'v2', 'ab'.repeat(32));
    expect(intel.version).toBe('v2');
    expect(intel.sha256).toBe('ab'.repeat(32));
    expect(intel.categorize('a.example')).toEqual(['games']);
  });
});
