/**
 * Helpers for the operations pages' end-to-end tests (dashboard, gateways, maintenance, reports,
 * alerts, log analysis, operator view): a real console WITH its mutual-TLS gateway listener (port 0),
 * accounts signed in without the sign-in form (that flow has its own tests), and a real gateway
 * agent enrolled in a tenant whose spool ships events to the console.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createConsole, type Console } from '@mamori/console';
import { ensureWebBuilt } from '@mamori/web';
import { startGateway, staticIntel, type RunningGateway } from '@mamori/gateway';
import { newPage } from './harness.js';

export interface OpsStack {
  console: Console;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/** A console serving the built web app, with the gateway listener on an ephemeral port. */
export async function startOpsStack(): Promise<OpsStack> {
  await ensureWebBuilt();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-ops-e2e-'));
  const c = await createConsole({ host: '127.0.0.1', port: 0, gatewayPort: 0, dataDir, logLevel: 'silent' });
  return {
    console: c,
    url: c.url,
    dataDir,
    async close() {
      await c.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type Lang = 'ja' | 'en';
export interface TestAccount {
  id: string;
  password: string;
  tenantId: string | null;
}

let seq = 0;
const unique = (p: string) => `${p}-${process.pid}-${Date.now().toString(36)}-${++seq}`;

/** A tenant with its administrator (password set and privacy notice accepted). */
export async function createTenant(stack: OpsStack, name: string, lang: Lang, model: 10 | 50 | 100 = 50): Promise<{ tenantId: string; admin: TestAccount }> {
  const s = stack.console.services;
  const r = await s.tenants.create({ name, model, admin: { email: `${unique('admin')}@example.com`, name: `${name} admin`, lang } }, 'test');
  return { tenantId: r.tenant.id, admin: await activate(stack, r.admin.id, r.setPasswordUrl, r.tenant.id) };
}

/** Another account (operator, or a viewer/admin of a tenant), ready to sign in. */
export async function createAccount(stack: OpsStack, tenantId: string | null, role: 'operator' | 'tenantAdmin' | 'tenantViewer', lang: Lang): Promise<TestAccount> {
  const r = await stack.console.services.auth.createAccount({ tenantId, role, email: `${unique(role)}@example.com`, name: role, lang });
  return activate(stack, r.account.id, r.setPasswordUrl, tenantId);
}

async function activate(stack: OpsStack, accountId: string, link: string, tenantId: string | null): Promise<TestAccount> {
  const auth = stack.console.services.auth;
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`no token in ${link}`);
  const password = `pw-${unique('x')}-Aa1!`;
  await auth.setPassword(token, password, password);
  await auth.acceptPrivacy(accountId);
  return { id: accountId, password, tenantId };
}

/** One sign-in per account (password hashing is the slow part), shared by its browser contexts and API calls. */
const sessions = new Map<string, Promise<{ sessionId: string; csrf: string }>>();
function sessionOf(stack: OpsStack, who: TestAccount): Promise<{ sessionId: string; csrf: string }> {
  let s = sessions.get(who.id);
  if (!s) {
    s = stack.console.services.auth.login({ login: who.id, password: who.password, ip: '127.0.0.1' });
    sessions.set(who.id, s);
  }
  return s;
}

/** A fresh browser context already signed in as `who` (the session cookie the console issues at sign-in). */
export async function signedIn(browser: Browser, stack: OpsStack, who: TestAccount, lang: Lang): Promise<{ context: BrowserContext; page: Page }> {
  const s = await sessionOf(stack, who);
  const { context, page } = await newPage(browser, lang);
  await context.addCookies([{ name: 'mamori_session', value: s.sessionId, url: stack.url, httpOnly: true, sameSite: 'Strict' }]);
  return { context, page };
}

/** JSON API call as `who` (a separate session), for asserting on the resulting state. */
export async function api<T>(stack: OpsStack, who: TestAccount, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const s = await sessionOf(stack, who);
  const res = await fetch(stack.url + url, {
    method,
    headers: { cookie: `mamori_session=${s.sessionId}`, 'x-csrf-token': s.csrf, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface TestGateway {
  gw: RunningGateway;
  gatewayId: string;
  close(): Promise<void>;
}

/** Enroll a real gateway agent (explicit proxy on port 0) in the tenant; it syncs and ships its spool. */
export async function enrollGateway(stack: OpsStack, tenantId: string, name: string): Promise<TestGateway> {
  const s = stack.console.services;
  const { token } = await s.gateways.createEnrollmentToken(tenantId, { name, groups: [] }, 'test');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-ops-gw-'));
  const gw = await startGateway({
    dataDir,
    console: { url: stack.url, token, caPem: s.gatewayCa.certificatePem },
    proxy: { host: '127.0.0.1', port: 0 },
    intel: staticIntel({ categories: {} }),
    log: pino({ level: 'silent' }),
    statusIntervalMs: 500,
    shipIntervalMs: 100,
    reconnect: { minMs: 50, maxMs: 200 },
  });
  if (!gw.identity) throw new Error('the gateway did not enroll');
  return {
    gw,
    gatewayId: gw.identity.gatewayId,
    async close() {
      await gw.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Wait until `f` holds (polling the console's state, not the clock). */
export async function until<T>(f: () => Promise<T | undefined | null | false>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What seedEvents ships, for assertions. */
export const SEEDED = {
  blockedHost: 'malware-dl.example',
  blockedCount: 6,
  otherBlockedHost: 'phish-login.example',
  otherBlockedCount: 3,
  allowedHost: 'news.example.jp',
  app: 'youtube',
  cncHost: 'cnc-botnet.example',
  user: 'tanaka',
  total: 6 + 3 + 4 + 2 + 2 + 2,
} as const;

/**
 * Known activity appended to the gateway's spool; its shipper delivers it to the console's
 * ingest over mutual TLS (the real path). Timestamps are spread over the last hour (the C&C events in the last two minutes).
 */
export function seedEvents(g: TestGateway, now = Date.now()): void {
  let i = 0;
  const ts = () => now - 50 * 60_000 + ++i * 60_000;
  const base = (user?: string) => ({ srcIp: `10.0.0.${10 + (i % 5)}`, ...(user ? { user } : {}) });
  for (let n = 0; n < SEEDED.blockedCount; n++) {
    g.gw.spool.append({ type: 'access', ts: ts(), ...base(SEEDED.user), action: 'block', host: SEEDED.blockedHost, url: `http://${SEEDED.blockedHost}/payload${n}.exe`, categories: ['malware'], ruleId: 'r-url', status: 403 });
  }
  for (let n = 0; n < SEEDED.otherBlockedCount; n++) {
    g.gw.spool.append({ type: 'access', ts: ts(), ...base('suzuki'), action: 'block', host: SEEDED.otherBlockedHost, url: `https://${SEEDED.otherBlockedHost}/`, categories: ['phishing'] });
  }
  for (let n = 0; n < 4; n++) {
    g.gw.spool.append({ type: 'access', ts: ts(), ...base('sato'), action: 'allow', host: SEEDED.allowedHost, url: `https://${SEEDED.allowedHost}/a${n}`, categories: ['news'], bytesDown: 20_000 });
  }
  for (let n = 0; n < 2; n++) {
    g.gw.spool.append({ type: 'bandwidth', ts: ts(), ...base(SEEDED.user), app: SEEDED.app, appCategory: 'streaming', bytesUp: 10_000, bytesDown: 5_000_000 });
  }
  for (let n = 0; n < 2; n++) {
    // recent: the C&C alert rule looks at the last minutes
    g.gw.spool.append({ type: 'security', ts: now - 120_000 + n * 1000, ...base(SEEDED.user), threatType: 'cnc', action: 'block', signature: `C&C ${SEEDED.cncHost}`, severity: 'high', host: SEEDED.cncHost });
  }
  for (let n = 0; n < 2; n++) {
    g.gw.spool.append({ type: 'policy', ts: ts(), ...base('sato'), action: 'block', reasonKind: 'rule', ruleId: 'r-p2p', ruleName: 'P2P block', app: 'bittorrent' });
  }
}

/** Wait until the console has stored `n` events of `type` for the tenant (through the analytics API). */
export async function waitForEvents(stack: OpsStack, who: TestAccount, type: 'access' | 'bandwidth' | 'security' | 'policy', n: number): Promise<void> {
  await until(async () => {
    const r = await api<{ total?: number }>(stack, who, 'POST', `/api/analytics/logs/${type}/query`, { from: Date.now() - 2 * 3_600_000, to: Date.now() + 60_000, groupBy: ['srcIp'], limit: 10 });
    return (r.body.total ?? 0) >= n;
  }, `${n} ${type} events`);
}
