/**
 * Serves the web UI (packages/web's build) at "/": files as they are, and index.html for any
 * other GET that is not under /api, so that the single-page app's routes (/login,
 * /set-password?token=…, /tenants/…) load. Without a build, a small placeholder page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

const PLACEHOLDER = `<!doctype html><html lang="ja"><meta charset="utf-8"><title>Mamori</title>
<h1>Mamori 守り</h1><p>The console API is running: <a href="/api/openapi.json">/api/openapi.json</a>. The web UI is not built yet.</p></html>`;

export function defaultWebDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');
}

export function serveWeb(app: FastifyInstance, webDir: string | undefined): void {
  const root = path.resolve(webDir ?? defaultWebDir());
  app.get('/*', async (req, reply) => {
    const urlPath = decodeURIComponent((req.url.split('?')[0] ?? '/').replace(/^\/+/, ''));
    if (urlPath.startsWith('api/')) throw new ApiError('not_found');
    const index = path.join(root, 'index.html');
    if (!fs.existsSync(index)) return reply.type('text/html; charset=utf-8').send(PLACEHOLDER);
    let file = path.resolve(root, urlPath);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = index;
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    return reply.type(type).header('cache-control', file === index ? 'no-cache' : 'public, max-age=3600').send(fs.readFileSync(file));
  });
}
