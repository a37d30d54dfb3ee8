/**
 * End-to-end harness: a real console (port 0, temp data dir) serving the built web app, and
 * Debian's Chromium driven by playwright-core. Never a downloaded browser.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import pino from 'pino';
import { createConsole, type Console } from '@mamori/console';
import { startGateway, staticIntel, type RunningGateway } from '@mamori/gateway';
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

/** `gateways: true` also opens the console's mutual-TLS gateway listener (port 0) for enrolled gateways. */
export async function startStack(opts: { gateways?: boolean } = {}): Promise<Stack> {
  await ensureWebBuilt();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-web-e2e-'));
  const c = await createConsole({ host: '127.0.0.1', port: 0, gatewayPort: opts.gateways ? 0 : null, dataDir, logLevel: 'silent' });
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

export interface TenantSession {
  tenantId: string;
  accountId: string;
  context: BrowserContext;
  page: Page;
  /** the console API as the signed-in administrator (cookie of the browser context + CSRF header) */
  api<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', apiPath: string, body?: unknown): Promise<T>;
}

let tenantSeq = 0;

/**
 * A fresh tenant (model 50) whose administrator has set a password and accepted the privacy
 * notice, signed in in a new browser context of the given language. The §3 sign-in flow itself is
 * covered by sign-in-flow.test.ts; the other flows start here.
 */
export async function signInTenantAdmin(stack: Stack, browser: Browser, lang: 'ja' | 'en', opts: { model?: 10 | 50 | 100 } = {}): Promise<TenantSession> {
  const { services } = stack.console;
  const n = `${process.pid}-${++tenantSeq}-${lang}`;
  const created = await services.tenants.create({ name: `E2E ${n}`, model: opts.model ?? 50, admin: { email: `admin-${n}@example.com`, name: 'E2E admin', lang } }, 'e2e');
  const token = new URL(created.setPasswordUrl).searchParams.get('token') ?? '';
  const password = `e2e-password-${n}`;
  await services.auth.setPassword(token, password, password);
  await services.auth.acceptPrivacy(created.admin.id);
  const { context, page } = await newPage(browser, lang);
  const res = await context.request.post(`${stack.url}/api/auth/login`, { data: { login: created.admin.id, password } });
  if (!res.ok()) throw new Error(`sign-in failed: ${res.status()} ${await res.text()}`);
  const csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  const api = async <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', apiPath: string, body?: unknown): Promise<T> => {
    const r = await context.request.fetch(`${stack.url}${apiPath}`, { method, headers: { 'x-csrf-token': csrf }, ...(body === undefined ? {} : { data: body }) });
    const text = await r.text();
    if (!r.ok()) throw new Error(`${method} ${apiPath}: ${r.status()} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return { tenantId: created.tenant.id, accountId: created.admin.id, context, page, api };
}

export interface TestGateway {
  gateway: RunningGateway;
  gatewayId: string;
  dataDir: string;
  close(): Promise<void>;
}

/** A real gateway agent (explicit proxy on port 0, static intel) enrolled in the tenant over the console's mutual-TLS listener. */
export async function startEnrolledGateway(stack: Stack, tenantId: string, name: string): Promise<TestGateway> {
  const { services } = stack.console;
  const { token } = await services.gateways.createEnrollmentToken(tenantId, { name, groups: [] }, 'e2e');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-web-e2e-gw-'));
  const gateway = await startGateway({
    dataDir,
    console: { url: stack.console.url, token, caPem: services.gatewayCa.certificatePem },
    proxy: { host: '127.0.0.1', port: 0 },
    intel: staticIntel({}),
    log: pino({ level: 'silent' }),
    reconnect: { minMs: 50, maxMs: 500 },
  });
  return {
    gateway,
    gatewayId: gateway.identity?.gatewayId ?? '',
    dataDir,
    async close() {
      await gateway.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
