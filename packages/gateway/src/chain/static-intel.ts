/**
 * Intel from a small JSON document (`mamori gateway --intel file.json`, tests, local overrides):
 * host → categories (with `*.` wildcards), C&C indicators, reputation scores, app signatures and
 * known-malicious file hashes.
 */
import { z } from 'zod';
import type { AppFacts, AppResult, Intel, Reputation } from './intel.js';

export const StaticIntelDoc = z.strictObject({
  version: z.string().default('static'),
  categories: z.record(z.string(), z.array(z.string())).default({}),
  cnc: z.array(z.string()).default([]),
  reputation: z.record(z.string(), z.number().int().min(0).max(100)).default({}),
  apps: z
    .array(
      z.strictObject({
        host: z.string(),
        method: z.string().optional(),
        pathPrefix: z.string().optional(),
        app: z.string(),
        function: z.string().optional(),
        category: z.string().optional(),
      }),
    )
    .default([]),
  /** known-malicious files: SHA-256 → name */
  files: z.record(z.string().regex(/^[0-9a-fA-F]{64}$/, 'a file hash is 64 hex digits (SHA-256)'), z.string().max(256)).default({}),
});
export type StaticIntelDoc = z.input<typeof StaticIntelDoc>;

function hostOf(hostOrUrl: string): string {
  if (hostOrUrl.includes('://')) {
    try {
      return new URL(hostOrUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    } catch {
      return hostOrUrl.toLowerCase();
    }
  }
  return hostOrUrl.toLowerCase();
}

/** exact host, then each parent under `*.` */
function lookup<T>(map: Map<string, T>, host: string): T | undefined {
  const exact = map.get(host);
  if (exact !== undefined) return exact;
  let h = host;
  for (let i = h.indexOf('.'); i >= 0; i = h.indexOf('.')) {
    h = h.slice(i + 1);
    const w = map.get('*.' + h);
    if (w !== undefined) return w;
  }
  return undefined;
}

function level(score: number): Reputation['level'] {
  return score >= 90 ? 'dangerous' : score >= 70 ? 'high' : score >= 50 ? 'medium' : score >= 20 ? 'low' : 'safe';
}

export function staticIntel(input: StaticIntelDoc): Intel {
  const doc = StaticIntelDoc.parse(input);
  const cats = new Map(Object.entries(doc.categories).map(([k, v]) => [k.toLowerCase(), v]));
  const cnc = new Map(doc.cnc.map((c) => [c.toLowerCase(), c]));
  const rep = new Map(Object.entries(doc.reputation).map(([k, v]) => [k.toLowerCase(), v]));
  const appCats = new Map(doc.apps.filter((a) => a.category).map((a) => [a.app, a.category!]));
  const files = new Map(Object.entries(doc.files).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    maliciousFile: (sha256) => files.get(sha256.toLowerCase()),
    version: doc.version,
    categorize: (t) => lookup(cats, hostOf(t)) ?? [],
    cnc: (h) => lookup(cnc, hostOf(h)),
    reputation: (t) => {
      const score = lookup(rep, hostOf(t)) ?? 0;
      return { score, level: level(score), reasons: score ? [hostOf(t)] : [] };
    },
    identifyApp(f: AppFacts): AppResult | undefined {
      const host = (f.host ?? f.sni ?? '').toLowerCase();
      let best: AppResult | undefined;
      for (const a of doc.apps) {
        if (a.host.toLowerCase() !== host && !(a.host.startsWith('*.') && host.endsWith(a.host.slice(1).toLowerCase()))) continue;
        const fnMatch = a.method !== undefined || a.pathPrefix !== undefined;
        if (fnMatch) {
          if (a.method && a.method.toUpperCase() !== f.method?.toUpperCase()) continue;
          if (a.pathPrefix && !(f.path ?? '').startsWith(a.pathPrefix)) continue;
          return { app: a.app, ...(a.function ? { function: a.function } : {}), ...(a.category ? { category: a.category } : {}) };
        }
        best ??= { app: a.app, ...(a.category ? { category: a.category } : {}) };
      }
      return best;
    },
    appCategory: (a) => appCats.get(a),
  };
}
