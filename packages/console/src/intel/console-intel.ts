/**
 * The console's intel: the active category database (the starter one by default, or
 * `mamori console --intel <file>` / $MAMORI_INTEL_DB, or one uploaded by the operator), its
 * version (SHA-256 of the content + build time), the tenants' reclassifications (stored in the
 * configuration store, deployed with the policy), the answers to gateways' cloud lookups and the
 * announcement of the active database on the sync channel.
 *
 * Like a Cloud Scan server, the console knows more than it hands out: it answers cloud lookups
 * from the full database, and when that one has more than $MAMORI_INTEL_EDITION_HOSTS host keys
 * (default 300,000) it distributes a gateway edition (urlcat edition.ts: every security-category
 * host and the popular ones up to that cap, all URL prefixes and IP networks) under the same
 * version; the gateways ask the console about the rest.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HostSet, classifyListValue, message, type CloudVerdict, type Problem, type FileVerdict, type Reclassification, type ServerMessage, type TenantIntel } from '@mamori/policy';
import { buildEdition, isUrlCategoryId, loadCategoryDb, loadStarterDb, reputation, splitUrl, starterDbPath, type CategoryDb, type EditionReport } from '@mamori/urlcat';
import type { Store } from '../store/store.js';

export const INTEL_DB_PATH = '/api/gateway/intel/db';

export interface IntelInfo {
  version: string;
  sha256: string;
  name: string;
  builtAt: string | null;
  activatedAt: number;
  bytes: number;
  counts: { hosts: number; urls: number; ipv4: number; ipv6: number };
  source: 'starter' | 'file' | 'upload';
}

export class IntelDbInvalid extends Error {}

/** `<first 16 hex of the SHA-256>-<build time or "unknown">`: content and build time in one string. */
export function intelVersion(sha256: string, builtAt: string | null): string {
  return `${sha256.slice(0, 16)}-${builtAt ? builtAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z') : 'unknown'}`;
}

interface Active {
  db: CategoryDb;
  bytes: Buffer;
  info: IntelInfo;
  /** what gateways download when the database is over the edition cap */
  edition?: Edition;
}

export interface Edition {
  bytes: Buffer;
  sha256: string;
  maxHosts: number;
  report: EditionReport;
}

export const DEFAULT_EDITION_HOSTS = 300_000;

/** $MAMORI_INTEL_EDITION_HOSTS, else 300,000 */
export function editionMaxHosts(env = process.env): number {
  const v = env['MAMORI_INTEL_EDITION_HOSTS'];
  if (v === undefined || v === '') return DEFAULT_EDITION_HOSTS;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`MAMORI_INTEL_EDITION_HOSTS must be a whole number >= 0, got "${v}"`);
  return n;
}

/** Checks a candidate database completely before it may become active. */
export function validateIntelDb(bytes: Buffer): CategoryDb {
  let db: CategoryDb;
  try {
    db = loadCategoryDb(bytes);
  } catch (e) {
    throw new IntelDbInvalid(e instanceof Error ? e.message : String(e));
  }
  if (db.meta.counts.hosts + db.meta.counts.urls + db.meta.counts.ipv4 + db.meta.counts.ipv6 === 0) throw new IntelDbInvalid('the database has no entries');
  return db;
}

const RECLASS_KEY = (tenantId: string) => `intel.reclassifications.${tenantId}`;
const ACTIVE_KEY = 'intel.active';
const HASHES_KEY = 'intel.file-hashes';

export interface FileHashEntry {
  sha256: string;
  verdict: FileVerdict['verdict'];
  name?: string;
}

/** Reclassifications compiled for lookups: list semantics (exact host, "*.domain", host/path, IP). */
class TenantLayer {
  private readonly hosts = new HostSet<string[]>();
  private readonly urls: Array<{ host: string; wildcard: boolean; path: string; categories: string[] }> = [];
  private readonly ips = new Map<string, string[]>();

  constructor(list: readonly Reclassification[]) {
    for (const r of list) {
      const k = classifyListValue(r.entry);
      if (!k) continue;
      if (k.kind === 'ip') this.ips.set(k.host, r.categories);
      else if (k.kind === 'url') this.urls.push({ host: k.host.replace(/^\*\./, ''), wildcard: k.host.startsWith('*.'), path: k.path, categories: r.categories });
      else this.hosts.add(k.host, r.categories);
    }
    this.urls.sort((a, b) => b.path.length - a.path.length);
  }

  lookup(host: string, pathAndQuery: string): string[] | undefined {
    for (const u of this.urls) {
      const hostOk = host === u.host || (u.wildcard && host.endsWith(`.${u.host}`));
      if (hostOk && pathAndQuery.startsWith(u.path)) return u.categories;
    }
    return this.ips.get(host) ?? this.hosts.matches(host).next().value;
  }
}

export class ConsoleIntel {
  private active: Active;
  private readonly layers = new Map<string, { at: number; layer: TenantLayer }>();
  private readonly hashes = new Map<string, { verdict: FileVerdict['verdict']; name?: string }>();

  private constructor(
    private readonly store: Store,
    private readonly dir: string,
    active: Active,
  ) {
    this.active = active;
  }

  /** The operator's last upload if there is one, else the file option, $MAMORI_INTEL_DB or the starter database. */
  static async open(store: Store, dataDir: string, file?: string): Promise<ConsoleIntel> {
    const dir = path.join(dataDir, 'intel');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    let active: Active | undefined;
    const saved = await store.kv.get(ACTIVE_KEY);
    if (saved) {
      try {
        const info = JSON.parse(saved) as IntelInfo;
        const bytes = fs.readFileSync(path.join(dir, `${info.sha256}.mdb`));
        if (sha256(bytes) === info.sha256) active = { db: validateIntelDb(bytes), bytes, info };
      } catch {
        active = undefined;
      }
    }
    if (!active) {
      const chosen = file ?? (process.env['MAMORI_INTEL_DB'] || undefined);
      const bytes = fs.readFileSync(chosen ?? starterDbPath());
      active = ConsoleIntel.describe(bytes, validateIntelDb(bytes), chosen ? 'file' : 'starter', fs.statSync(chosen ?? starterDbPath()).mtimeMs);
    }
    active.edition = ConsoleIntel.edition(dir, active);
    const intel = new ConsoleIntel(store, dir, active);
    intel.loadHashes(await intel.fileHashes());
    return intel;
  }

  private static describe(bytes: Buffer, db: CategoryDb, source: IntelInfo['source'], fallbackTime: number): Active {
    const hash = sha256(bytes);
    const builtAt = db.meta.builtAt ?? new Date(Math.floor(fallbackTime)).toISOString();
    return {
      db,
      bytes,
      info: { version: intelVersion(hash, builtAt), sha256: hash, name: db.meta.name, builtAt, activatedAt: Date.now(), bytes: bytes.length, counts: db.meta.counts, source },
    };
  }

  /**
   * The gateway edition of a database over the cap (kept in the data directory next to the
   * database, `<sha256>.edition-<cap>`), or undefined when gateways get the database itself.
   */
  private static edition(dir: string, active: Active): Edition | undefined {
    const maxHosts = editionMaxHosts();
    if (active.info.counts.hosts <= maxHosts) return undefined;
    const file = path.join(dir, `${active.info.sha256}.edition-${maxHosts}`);
    try {
      const bytes = fs.readFileSync(file);
      const saved = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as { sha256: string; report: EditionReport };
      if (saved.sha256 === sha256(bytes)) {
        loadCategoryDb(bytes);
        return { bytes, sha256: saved.sha256, maxHosts, report: saved.report };
      }
    } catch {
      // not made yet, or damaged: make it again
    }
    const starter = loadStarterDb();
    const built = buildEdition(active.db, maxHosts, (h) => starter.lookupHost(h).categories.length > 0);
    const edition: Edition = { bytes: built.bytes, sha256: sha256(built.bytes), maxHosts, report: built.report };
    fs.writeFileSync(`${file}.tmp`, built.bytes, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
    fs.writeFileSync(`${file}.json`, JSON.stringify({ sha256: edition.sha256, report: edition.report }), { mode: 0o600 });
    return edition;
  }

  get info(): IntelInfo {
    return this.active.info;
  }

  /** The gateway edition being distributed, when the active database is over the cap. */
  get edition(): Edition | undefined {
    return this.active.edition;
  }

  get db(): CategoryDb {
    return this.active.db;
  }

  /** What gateways download (the edition, else the database), or exactly the content with that SHA-256. */
  file(sha?: string): Buffer | undefined {
    const e = this.active.edition;
    if (sha === undefined) return e ? e.bytes : this.active.bytes;
    if (e && sha === e.sha256) return e.bytes;
    return sha === this.active.info.sha256 ? this.active.bytes : undefined;
  }

  /** Validates and activates an uploaded database (kept in the data directory across restarts). */
  async upload(bytes: Buffer): Promise<IntelInfo> {
    const db = validateIntelDb(bytes);
    const next = ConsoleIntel.describe(bytes, db, 'upload', Date.now());
    next.edition = ConsoleIntel.edition(this.dir, next);
    const file = path.join(this.dir, `${next.info.sha256}.mdb`);
    fs.writeFileSync(`${file}.tmp`, bytes, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
    await this.store.kv.set(ACTIVE_KEY, JSON.stringify(next.info));
    const previous = this.active.info.sha256;
    this.active = next;
    if (previous !== next.info.sha256 && this.active.info.source === 'upload') {
      for (const f of fs.readdirSync(this.dir)) if ((f.endsWith('.mdb') || f.includes('.edition-')) && !f.startsWith(next.info.sha256)) fs.rmSync(path.join(this.dir, f), { force: true });
    }
    for (const l of this.listeners) l(this.announcement());
    return next.info;
  }

  private readonly listeners: Array<(m: ServerMessage) => void> = [];

  /** Called with the announcement whenever another database becomes active. */
  onActivate(fn: (m: ServerMessage) => void): void {
    this.listeners.push(fn);
  }

  announcement(): ServerMessage {
    const i = this.active.info;
    // an edition carries the version of the database it was made from
    const sha = this.active.edition?.sha256 ?? i.sha256;
    return { type: 'intel', version: i.version, url: `${INTEL_DB_PATH}?sha256=${sha}`, sha256: sha };
  }

  // --- tenant reclassifications -------------------------------------------------------------

  async reclassifications(tenantId: string): Promise<Reclassification[]> {
    const raw = await this.store.kv.get(RECLASS_KEY(tenantId));
    return raw ? (JSON.parse(raw) as Reclassification[]) : [];
  }

  /** Problems with a list (unknown category ids, duplicate entries); empty when it is fine. */
  static problems(list: readonly Reclassification[]): Problem[] {
    const out: Problem[] = [];
    const seen = new Set<string>();
    list.forEach((r, i) => {
      r.categories.forEach((c, j) => {
        if (!isUrlCategoryId(c)) out.push({ path: `reclassifications.${i}.categories.${j}`, code: 'policy.reference.unknown', message: message('policy.reference.unknown', { kind: 'URL category', id: c }) });
      });
      const key = r.entry.trim().toLowerCase();
      if (seen.has(key)) out.push({ path: `reclassifications.${i}.entry`, code: 'policy.list_entry.duplicate', message: message('policy.list_entry.duplicate', { value: r.entry }) });
      seen.add(key);
    });
    return out;
  }

  async setReclassifications(tenantId: string, list: Reclassification[]): Promise<void> {
    await this.store.kv.set(RECLASS_KEY(tenantId), JSON.stringify(list));
    this.layers.delete(tenantId);
  }

  /** What travels with a deployment. */
  async tenantIntel(tenantId: string): Promise<TenantIntel> {
    return { reclassifications: await this.reclassifications(tenantId) };
  }

  private async layer(tenantId: string): Promise<TenantLayer> {
    const cached = this.layers.get(tenantId);
    if (cached && Date.now() - cached.at < 10_000) return cached.layer;
    const layer = new TenantLayer(await this.reclassifications(tenantId));
    this.layers.set(tenantId, { at: Date.now(), layer });
    return layer;
  }

  /** A gateway's cloud lookup: the tenant's reclassification first, then the active database. */
  async lookup(tenantId: string, items: readonly string[]): Promise<CloudVerdict[]> {
    const layer = await this.layer(tenantId);
    const db = this.active.db;
    return items.map((query) => {
      const isUrl = query.includes('/');
      const parts = isUrl ? splitUrl(query) : undefined;
      const host = (parts?.host ?? query).toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
      const own = layer.lookup(host, parts?.path || '/');
      const categories = own ?? (isUrl ? db.lookupUrl(query) : db.lookupHost(query)).categories;
      const rep = reputation(query, db, { categories });
      return { query, categories: [...categories], source: own ? 'reclassified' : categories.length > 0 ? 'database' : 'none', reputation: rep };
    });
  }

  // --- file hashes ----------------------------------------------------------------------------

  /** Replaces the operator's list of known file hashes (sha256 → verdict, kept in the store). */
  async setFileHashes(list: readonly FileHashEntry[]): Promise<void> {
    await this.store.kv.set(HASHES_KEY, JSON.stringify(list));
    this.loadHashes(list);
  }

  async fileHashes(): Promise<FileHashEntry[]> {
    const raw = await this.store.kv.get(HASHES_KEY);
    return raw ? (JSON.parse(raw) as FileHashEntry[]) : [];
  }

  private loadHashes(list: readonly FileHashEntry[]): void {
    this.hashes.clear();
    for (const h of list) this.hashes.set(h.sha256.toLowerCase(), { verdict: h.verdict, ...(h.name ? { name: h.name } : {}) });
  }

  fileVerdicts(shas: readonly string[]): FileVerdict[] {
    return shas.map((s) => {
      const hit = this.hashes.get(s.toLowerCase());
      return hit ? { sha256: s.toLowerCase(), verdict: hit.verdict, ...(hit.name ? { name: hit.name } : {}) } : { sha256: s.toLowerCase(), verdict: 'unknown' as const };
    });
  }
}

function sha256(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

// one instance per console (per Store), made on first use
const instances = new WeakMap<Store, Promise<ConsoleIntel>>();

export function consoleIntel(store: Store, dataDir: string, file?: string): Promise<ConsoleIntel> {
  let p = instances.get(store);
  if (!p) {
    p = ConsoleIntel.open(store, dataDir, file);
    instances.set(store, p);
  }
  return p;
}

/** What travels with a deployment, read straight from the store (the policy service's hook). */
export async function tenantIntelFromStore(store: Store, tenantId: string): Promise<TenantIntel> {
  const raw = await store.kv.get(RECLASS_KEY(tenantId));
  return { reclassifications: raw ? (JSON.parse(raw) as Reclassification[]) : [] };
}

/** The instance when the console has opened one (the sync hub uses it to announce versions). */
export function openedIntel(store: Store): Promise<ConsoleIntel> | undefined {
  return instances.get(store);
}
