/**
 * The real engines behind the chain's Intel port: @mamori/urlcat (categories, web reputation)
 * and @mamori/appid (application and function). Optional static overrides (`--intel file.json`)
 * add categories, C&C indicators and app signatures on top.
 */
import { LRUCache } from 'lru-cache';
import { isDangerous, reputation, type CategoryDb } from '@mamori/urlcat';
import { appCategory, identify } from '@mamori/appid';
import type { AppFacts, AppResult, Intel, Reputation } from './intel.js';

export function engineIntel(db: CategoryDb, overrides?: Intel, version: string | null = null): Intel {
  const repCache = new LRUCache<string, Reputation>({ max: 20_000 });
  const categorize = (t: string): string[] => {
    const r = t.includes('://') ? db.lookupUrl(t) : db.lookupHost(t);
    const extra = overrides?.categorize?.(t) ?? [];
    return extra.length ? [...new Set([...extra, ...r.categories])] : r.categories;
  };
  return {
    version,
    categorize,
    reputation(t: string): Reputation {
      const hit = repCache.get(t);
      if (hit) return hit;
      const own = overrides?.reputation?.(t);
      const r = own && own.score > 0 ? own : reputation(t, db, { categories: categorize(t) });
      repCache.set(t, r);
      return r;
    },
    isDangerous: (score, sensitivity) => isDangerous(score, sensitivity),
    identifyApp(f: AppFacts): AppResult | undefined {
      const own = overrides?.identifyApp?.(f);
      if (own) return own;
      const m = identify({
        protocol: f.protocol,
        dstPort: f.port,
        ...(f.sni ? { sni: f.sni } : {}),
        ...(f.host ? { host: f.host } : {}),
        ...(f.method ? { method: f.method } : {}),
        ...(f.path ? { path: f.path } : {}),
        ...(f.alpn ? { alpn: [f.alpn] } : {}),
      });
      // a port-only guess says nothing about a proxied web request
      if (!m || m.by === 'port' || m.by === 'alpn') return undefined;
      return { app: m.app, category: m.category, ...(m.function ? { function: m.function } : {}) };
    },
    appCategory: (a) => overrides?.appCategory?.(a) ?? appCategory(a),
    cnc: (h) => overrides?.cnc?.(h),
  };
}
