/**
 * Loads the application catalogue from its data files (TSV for apps and function signatures,
 * JSON for the taxonomy), validates every record with the zod schemas, and checks the
 * cross-references: known category, known function ids, one owner per host pattern.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  appSchema,
  functionSignatureSchema,
  taxonomySchema,
  type AppDef,
  type FunctionSignature,
  type PortSpec,
  type Taxonomy,
} from './schema.js';

export class CatalogueError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    message: string,
  ) {
    super(`${source}${line > 0 ? `:${line}` : ''}: ${message}`);
    this.name = 'CatalogueError';
  }
}

export interface Catalogue {
  taxonomy: Taxonomy;
  apps: AppDef[];
  byId: Map<string, AppDef>;
  signatures: FunctionSignature[];
}

export interface CatalogueSources {
  taxonomy: string;
  /** name → TSV text of applications */
  apps: Array<{ name: string; text: string }>;
  /** name → TSV text of function signatures */
  signatures: Array<{ name: string; text: string }>;
}

const APP_COLUMNS = ['id', 'category', 'risk', 'en', 'ja', 'functions', 'hosts', 'ports', 'alpn'] as const;
const SIG_COLUMNS = ['app', 'function', 'host', 'method', 'path'] as const;

function dataLines(text: string): Array<{ line: number; cells: string[] }> {
  const out: Array<{ line: number; cells: string[] }> = [];
  text.split('\n').forEach((raw, i) => {
    const l = raw.replace(/\r$/, '');
    if (l.trim() === '' || l.startsWith('#')) return;
    out.push({ line: i + 1, cells: l.split('\t').map((c) => c.trim()) });
  });
  return out;
}

const list = (cell: string): string[] =>
  cell === '-' || cell === '' ? [] : cell.split(',').map((s) => s.trim()).filter((s) => s !== '');

function parsePorts(cell: string, src: string, line: number): PortSpec[] {
  return list(cell).map((p) => {
    const m = /^(tcp|udp)\/(\d+)(?:-(\d+))?$/.exec(p);
    if (!m) throw new CatalogueError(src, line, `bad port spec "${p}" (want tcp/53 or udp/67-68)`);
    const from = Number(m[2]);
    const to = m[3] === undefined ? from : Number(m[3]);
    if (to < from) throw new CatalogueError(src, line, `bad port range "${p}"`);
    return { protocol: m[1] as 'tcp' | 'udp', from, to };
  });
}

function issues(err: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return err.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

export function parseApps(text: string, src: string): Array<{ app: AppDef; line: number }> {
  return dataLines(text).map(({ line, cells }) => {
    if (cells.length !== APP_COLUMNS.length) {
      throw new CatalogueError(src, line, `expected ${APP_COLUMNS.length} tab-separated columns (${APP_COLUMNS.join(', ')}), got ${cells.length}`);
    }
    const [id, category, risk, en, ja, functions, hosts, ports, alpn] = cells as [string, string, string, string, string, string, string, string, string];
    const parsed = appSchema.safeParse({
      id,
      category,
      risk: Number(risk),
      name: { en, ja: ja === '-' ? en : ja },
      functions: list(functions),
      hosts: list(hosts).map((h) => h.toLowerCase()),
      ports: parsePorts(ports, src, line),
      alpn: list(alpn),
    });
    if (!parsed.success) throw new CatalogueError(src, line, issues(parsed.error));
    return { app: parsed.data, line };
  });
}

export function parseSignatures(text: string, src: string): Array<{ sig: FunctionSignature; line: number }> {
  return dataLines(text).map(({ line, cells }) => {
    if (cells.length !== SIG_COLUMNS.length) {
      throw new CatalogueError(src, line, `expected ${SIG_COLUMNS.length} tab-separated columns (${SIG_COLUMNS.join(', ')}), got ${cells.length}`);
    }
    const [app, fn, host, method, p] = cells as [string, string, string, string, string];
    const opt = (c: string) => (c === '-' ? undefined : c);
    const parsed = functionSignatureSchema.safeParse({
      app,
      function: opt(fn),
      host: opt(host)?.toLowerCase(),
      method: opt(method),
      path: opt(p),
    });
    if (!parsed.success) throw new CatalogueError(src, line, issues(parsed.error));
    if (parsed.data.path?.startsWith('~')) {
      try {
        new RegExp(parsed.data.path.slice(1));
      } catch (e) {
        throw new CatalogueError(src, line, `bad path regex: ${(e as Error).message}`);
      }
    }
    return { sig: parsed.data, line };
  });
}

export function buildCatalogue(sources: CatalogueSources): Catalogue {
  let taxonomyJson: unknown;
  try {
    taxonomyJson = JSON.parse(sources.taxonomy);
  } catch (e) {
    throw new CatalogueError('taxonomy', 0, `not JSON: ${(e as Error).message}`);
  }
  const tax = taxonomySchema.safeParse(taxonomyJson);
  if (!tax.success) throw new CatalogueError('taxonomy', 0, issues(tax.error));
  const taxonomy = tax.data;
  const categoryIds = new Set(taxonomy.categories.map((c) => c.id));
  const functionIds = new Set(taxonomy.functions.map((f) => f.id));

  const apps: AppDef[] = [];
  const byId = new Map<string, AppDef>();
  const hostOwner = new Map<string, string>();
  for (const { name, text } of sources.apps) {
    for (const { app, line } of parseApps(text, name)) {
      if (byId.has(app.id)) throw new CatalogueError(name, line, `duplicate application id "${app.id}"`);
      if (!categoryIds.has(app.category)) throw new CatalogueError(name, line, `unknown category "${app.category}"`);
      for (const f of app.functions) {
        if (!functionIds.has(f)) throw new CatalogueError(name, line, `unknown function "${f}"`);
      }
      for (const h of app.hosts) {
        const owner = hostOwner.get(h);
        if (owner !== undefined) throw new CatalogueError(name, line, `host pattern "${h}" already belongs to "${owner}"`);
        hostOwner.set(h, app.id);
      }
      byId.set(app.id, app);
      apps.push(app);
    }
  }
  const signatures: FunctionSignature[] = [];
  for (const { name, text } of sources.signatures) {
    for (const { sig, line } of parseSignatures(text, name)) {
      const app = byId.get(sig.app);
      if (!app) throw new CatalogueError(name, line, `unknown application "${sig.app}"`);
      if (sig.function === undefined) {
        if (sig.host === undefined) throw new CatalogueError(name, line, 'a row without a function must name a host');
      } else if (!app.functions.includes(sig.function)) {
        throw new CatalogueError(name, line, `"${sig.function}" is not a function of "${sig.app}"`);
      }
      signatures.push(sig);
    }
  }
  return { taxonomy, apps, byId, signatures };
}

const dataDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'data');

/** Reads the catalogue shipped in this package's data/ folder. */
export function readBundledSources(dir = dataDir): CatalogueSources {
  const files = fs.readdirSync(dir).sort();
  const read = (f: string) => ({ name: f, text: fs.readFileSync(path.join(dir, f), 'utf8') });
  return {
    taxonomy: fs.readFileSync(path.join(dir, 'taxonomy.json'), 'utf8'),
    apps: files.filter((f) => f.startsWith('apps-') && f.endsWith('.tsv')).map(read),
    signatures: files.filter((f) => f.startsWith('functions') && f.endsWith('.tsv')).map(read),
  };
}

let bundled: Catalogue | undefined;
export function defaultCatalogue(): Catalogue {
  bundled ??= buildCatalogue(readBundledSources());
  return bundled;
}
