/**
 * The gateway's intel in layers: the tenant's custom categories (policy objects) and
 * reclassifications (deployed with the policy) first, then the local category database, then
 * the console's cloud lookup for hosts the database does not know (answers cached with a TTL in
 * a bounded LRU; a console that cannot answer leaves the local answer). The database itself can
 * be swapped at run time (intel distribution); appid and C&C come from the engine intel.
 */
import { LRUCache } from 'lru-cache';
import { HostSet, classifyListValue, parseIP, type CloudVerdict, type Deployment } from '@mamori/policy';
import { CloudLookup, reputation as webReputation, splitUrl, type CategoryDb } from '@mamori/urlcat';
import { engineIntel } from '../chain/engine-intel.js';
import type { AppFacts, AppResult, Intel, Reputation } from '../chain/intel.js';

interface UrlRule {
  host: string;
  wildcard: boolean;
  path: string;
  value: string[];
}

/** Entries in list semantics (exact host, "*.domain" with its apex, host/path prefix, IP/CIDR as exact IP). */
class EntrySet {
  private readonly hosts = new HostSet<string[]>();
  private readonly urls: UrlRule[] = [];
  private readonly ips = new Map<string, string[]>();
  size = 0;

  add(entry: string, value: string[]): void {
    const k = classifyListValue(entry);
    if (!k) return;
    this.size++;
    if (k.kind === 'ip') this.ips.set(k.host, value);
    else if (k.kind === 'url') this.urls.push({ host: k.host.replace(/^\*\./, ''), wildcard: k.host.startsWith('*.'), path: k.path, value });
    else this.hosts.add(k.host, value);
  }

  finish(): void {
    this.urls.sort((a, b) => b.path.length - a.path.length);
  }

  /** every value matching (URL prefixes first, then IP, exact host, wildcards) */
  all(host: string, path: string | undefined): string[][] {
    const out: string[][] = [];
    if (path !== undefined) for (const u of this.urls) if ((host === u.host || (u.wildcard && host.endsWith(`.${u.host}`))) && path.startsWith(u.path)) out.push(u.value);
    const ip = this.ips.get(host);
    if (ip) out.push(ip);
    for (const v of this.hosts.matches(host)) out.push(v);
    return out;
  }
}

export interface TenantLayer {
  /** custom category ids matching the target */
  custom(host: string, path: string | undefined): string[];
  /** the tenant's categories for the target, replacing the database's; undefined: not reclassified */
  reclassified(host: string, path: string | undefined): string[] | undefined;
  readonly empty: boolean;
}

export function tenantLayer(d: Pick<Deployment, 'policy' | 'intel'>): TenantLayer {
  const custom = new EntrySet();
  for (const c of d.policy.objects.customCategories) for (const e of c.entries) custom.add(e, [c.id]);
  custom.finish();
  const reclass = new EntrySet();
  for (const r of d.intel?.reclassifications ?? []) reclass.add(r.entry, r.categories);
  reclass.finish();
  return {
    empty: custom.size === 0 && reclass.size === 0,
    custom(host, path) {
      if (custom.size === 0) return [];
      return [...new Set(custom.all(host, path).flat())];
    },
    reclassified(host, path) {
      if (reclass.size === 0) return undefined;
      return reclass.all(host, path)[0];
    },
  };
}

const EMPTY_LAYER: TenantLayer = { empty: true, custom: () => [], reclassified: () => undefined };

function target(t: string): { host: string; path: string | undefined } {
  if (t.includes('/')) {
    const p = splitUrl(t);
    if (p) return { host: p.host.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, ''), path: p.path || '/' };
  }
  return { host: t.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, ''), path: undefined };
}

export interface LayeredIntelOptions {
  db: CategoryDb;
  version: string | null;
  /** SHA-256 of the database file, when known (a distributed database is not fetched twice) */
  sha256?: string | null;
  /** asks the console (mutual TLS); undefined: no cloud lookups */
  ask?: (host: string) => Promise<CloudVerdict>;
  cloud?: { ttlMs?: number; maxEntries?: number; timeoutMs?: number; backoffMs?: number; now?: () => number };
}

export class LayeredIntel implements Intel {
  private db: CategoryDb;
  private base: Intel;
  private layer: TenantLayer = EMPTY_LAYER;
  private readonly repCache = new LRUCache<string, Reputation>({ max: 20_000 });
  readonly cloud: CloudLookup<CloudVerdict> | undefined;
  version: string | null;
  sha256: string | null;
  private readonly changeListeners: Array<() => void> = [];

  constructor(o: LayeredIntelOptions) {
    this.db = o.db;
    this.version = o.version;
    this.sha256 = o.sha256 ?? null;
    this.base = engineIntel(o.db, undefined, o.version);
    const ask = o.ask;
    this.cloud = ask
      ? new CloudLookup<CloudVerdict>({
          ask: async (h) => {
            const v = await ask(h);
            // an answer that can change a decision makes memoized decisions stale
            if (v.categories.length > 0 || v.reputation.score > 0) this.changed();
            return v;
          },
          ...o.cloud,
        })
      : undefined;
  }

  /** Called whenever what this intel answers may have changed (callers drop memoized decisions). */
  onChange(fn: () => void): void {
    this.changeListeners.push(fn);
  }

  private changed(): void {
    this.repCache.clear();
    for (const fn of this.changeListeners) fn();
  }

  get database(): CategoryDb {
    return this.db;
  }

  /** A new database (verified by the caller): one assignment, requests see the old or the new one. */
  swapDatabase(db: CategoryDb, version: string, sha256: string | null): void {
    this.db = db;
    this.base = engineIntel(db, undefined, version);
    this.version = version;
    this.sha256 = sha256;
    this.changed();
  }

  /** The deployed tenant layer (custom categories + reclassifications). */
  applyDeployment(d: Pick<Deployment, 'policy' | 'intel'>): void {
    this.layer = tenantLayer(d);
    this.changed();
  }

  /** Database + reclassification, without custom categories and cloud: what the gateway knows on its own. */
  private local(t: string, host: string, path: string | undefined): readonly string[] {
    if (!this.layer.empty) {
      const own = this.layer.reclassified(host, path);
      if (own) return own;
    }
    // a bare host: the allocation-free lookup (the same categories as the engine intel's lookupHost)
    if (!t.includes('://')) return this.db.lookupHostCategories(t);
    return this.base.categorize?.(t) ?? [];
  }

  categorize(t: string): string[] {
    // without a tenant layer a listed host needs no parsing of the target (the proxy's common case)
    if (this.layer.empty) {
      const cats = this.local(t, '', undefined);
      if (cats.length > 0 || !this.cloud) return cats as string[];
    }
    const { host, path } = target(t);
    let cats = this.local(t, host, path);
    if (cats.length === 0 && this.cloud && host !== '' && parseIP(host) === null) {
      const hit = this.cloud.peek(host);
      if (hit) cats = hit.categories;
      else void this.cloud.lookup(host);
    }
    if (this.layer.empty) return cats as string[];
    const custom = this.layer.custom(host, path);
    return custom.length > 0 ? [...new Set([...custom, ...cats])] : (cats as string[]);
  }

  /**
   * A promise when the console is being asked about a host the gateway does not know (callers
   * that can wait, wait: the console answers or the lookup times out); undefined otherwise.
   */
  prefetch(t: string): Promise<void> | undefined {
    if (!this.cloud) return undefined;
    const { host, path } = target(t);
    if (host === '' || parseIP(host) !== null || this.local(t, host, path).length > 0 || this.cloud.peek(host)) return undefined;
    return this.cloud.lookup(host).then(() => undefined);
  }

  reputation(t: string): Reputation {
    const hit = this.repCache.get(t);
    if (hit) return hit;
    const { host, path } = target(t);
    const localCats = this.local(t, host, path);
    const cloud = localCats.length === 0 && this.cloud ? this.cloud.peek(host) : undefined;
    const r = webReputation(t, this.db, { categories: cloud ? cloud.categories : localCats });
    const best = cloud && cloud.reputation.score > r.score ? cloud.reputation : r;
    // an unknown host still waiting for the console is not cached: its answer may change this
    if (localCats.length > 0 || cloud || !this.cloud) this.repCache.set(t, best);
    return best;
  }

  isDangerous(score: number, sensitivity: 'low' | 'medium' | 'high'): boolean {
    return this.base.isDangerous ? this.base.isDangerous(score, sensitivity) : score >= 90;
  }

  identifyApp(f: AppFacts): AppResult | undefined {
    return this.base.identifyApp?.(f);
  }

  appCategory(app: string): string | undefined {
    return this.base.appCategory?.(app);
  }

  cnc(hostOrIp: string): string | undefined {
    return this.base.cnc?.(hostOrIp);
  }
}
