/**
 * End-to-end harness: a real console (port 0, temp data dir) serving the built web app, and
 * Debian's Chromium driven by playwright-core. Never a downloaded browser.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createConsole, type Console } from '@mamori/console';
import { ensureWebBuilt, resolveWebAsset } from '@mamori/web';

export const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');

export interface Stack {
  console: Console;
  /** where the browser goes: the console itself, or a static front for it while it does not serve the app */
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

async function consoleServesApp(url: string): Promise<boolean> {
  try {
    const res = await fetch(url + '/');
    const text = await res.text();
    return res.ok && text.includes('<div id="root">');
  } catch {
    return false;
  }
}

/** Serve dist and pass /api (and everything the console owns) through to the console. */
function startFront(target: string): Promise<http.Server> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const asset = req.method === 'GET' ? resolveWebAsset(req.url ?? '/') : null;
    if (asset && fs.existsSync(asset.file)) {
      res.writeHead(200, { 'content-type': asset.contentType });
      fs.createReadStream(asset.file).pipe(res);
      return;
    }
    const p = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    p.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(p);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function startStack(): Promise<Stack> {
  await ensureWebBuilt();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-web-e2e-'));
  const c = await createConsole({ host: '127.0.0.1', port: 0, gatewayPort: null, dataDir, logLevel: 'silent' });
  let front: http.Server | null = null;
  let url = c.url;
  if (!(await consoleServesApp(c.url))) {
    front = await startFront(c.url);
    const a = front.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  }
  return {
    console: c,
    url,
    dataDir,
    async close() {
      if (front) await new Promise<void>((r) => front!.close(() => r()));
      await c.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** playwright's launch() gives Chromium a fresh temporary --user-data-dir of its own and removes it on close. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return browser;
}

export async function newPage(browser: Browser, lang: 'ja' | 'en'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    locale: lang === 'ja' ? 'ja-JP' : 'en-US',
    viewport: { width: 1360, height: 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return { context, page };
}

/** Run a step; on failure keep a screenshot in tests/e2e/artifacts and rethrow. */
export async function step<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '_')}.png`), fullPage: true }).catch(() => undefined);
    throw e;
  }
}
