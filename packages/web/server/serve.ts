/**
 * Serving the built web app from the console. The console imports this module:
 *
 *   import { ensureWebBuilt, registerWebUi } from '@mamori/web';
 *   await ensureWebBuilt();      // builds packages/web/dist with Vite when it is missing
 *   registerWebUi(app);          // GET every non-/api path: assets, else index.html (SPA routes)
 *
 * Node-only (no DOM); kept apart from src/, which is the browser app.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

const PKG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function webDistDir(): string {
  return path.join(PKG_DIR, 'dist');
}

export function isWebBuilt(): boolean {
  return fs.existsSync(path.join(webDistDir(), 'index.html'));
}

let building: Promise<string> | null = null;

/** Build the app with Vite unless dist/index.html exists (or when forced). Returns the dist dir. */
export function ensureWebBuilt(opts: { force?: boolean; log?: (line: string) => void } = {}): Promise<string> {
  if (!opts.force && isWebBuilt()) return Promise.resolve(webDistDir());
  building ??= (async () => {
    opts.log?.('building the web console (packages/web/dist)…');
    const { build } = await import('vite');
    await build({ configFile: path.join(PKG_DIR, 'vite.config.ts'), logLevel: 'warn' });
    const { writeCatalog } = await import('./catalog.js');
    await writeCatalog(webDistDir());
    return webDistDir();
  })().finally(() => {
    building = null;
  });
  return building;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

export interface WebAsset {
  file: string;
  contentType: string;
  /** hashed file names under assets/ never change: cache them for a year */
  immutable: boolean;
}

/**
 * Map a URL path to a file of the build: an existing asset, or index.html for every other path
 * (client-side routes). Returns null for /api paths and for paths escaping dist.
 */
export function resolveWebAsset(urlPath: string): WebAsset | null {
  const clean = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  if (clean === '/api' || clean.startsWith('/api/')) return null;
  const root = webDistDir();
  const candidate = path.resolve(root, '.' + clean);
  if (candidate !== root && !candidate.startsWith(root + path.sep)) return null;
  if (clean !== '/' && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
    return { file: candidate, contentType: TYPES[path.extname(candidate)] ?? 'application/octet-stream', immutable: clean.startsWith('/assets/') };
  }
  if (path.extname(clean) !== '' && clean.startsWith('/assets/')) return null;
  return { file: path.join(root, 'index.html'), contentType: TYPES['.html']!, immutable: false };
}

/** Register GET routes for the app on a Fastify instance (after the /api routes). */
export function registerWebUi(app: FastifyInstance): void {
  const handler = async (req: { url: string }, reply: FastifyReply) => {
    const asset = resolveWebAsset(req.url);
    if (!asset || !fs.existsSync(asset.file)) return reply.code(404).type('application/json').send({ error: { code: 'not_found' } });
    reply.type(asset.contentType);
    reply.header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return reply.send(fs.createReadStream(asset.file));
  };
  app.get('/', handler);
  app.get('/*', handler);
}
