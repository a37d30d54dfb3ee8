import type { Command } from 'commander';
import path from 'node:path';
import { analyticsFor, consoleIntel, createConsole, seedDemoEvents, type Console } from '@mamori/console';
import { loadIntelDb } from '@mamori/urlcat';
import { ensureWebBuilt } from '@mamori/web';
import { DEMO_HOOKS } from './demo-hooks.js';

const DEMO_STATE_KEY = 'demo';
const OPERATOR_EMAIL = 'operator@demo.mamori.invalid';
const ADMIN_EMAIL = 'admin@demo.mamori.invalid';

interface DemoState {
  operatorId: string;
  tenantId: string;
  adminId: string;
}

/** Creates the demo operator and tenant once; later starts reuse them. */
export async function ensureDemoData(c: Console): Promise<{ state: DemoState; links: Array<{ who: string; accountId: string; url: string }> }> {
  const { store, auth, tenants } = c.services;
  let state = (await store.kv.get(DEMO_STATE_KEY)) ? (JSON.parse((await store.kv.get(DEMO_STATE_KEY)) as string) as DemoState) : undefined;
  const links: Array<{ who: string; accountId: string; url: string }> = [];
  if (!state) {
    const op = await auth.createAccount({ tenantId: null, role: 'operator', email: OPERATOR_EMAIL, name: 'Demo operator', lang: 'ja' });
    const t = await tenants.create({ name: 'デモ株式会社 (Demo Ltd.)', model: 50, admin: { email: ADMIN_EMAIL, name: 'Demo admin', lang: 'ja' } }, op.account.id);
    state = { operatorId: op.account.id, tenantId: t.tenant.id, adminId: t.admin.id };
    await store.kv.set(DEMO_STATE_KEY, JSON.stringify(state));
    links.push({ who: 'tenant administrator', accountId: t.admin.id, url: t.setPasswordUrl }, { who: 'operator', accountId: op.account.id, url: op.setPasswordUrl });
  } else {
    // idempotent restarts: a fresh link for every demo account that has no password yet
    for (const [who, id] of [
      ['tenant administrator', state.adminId],
      ['operator', state.operatorId],
    ] as const) {
      const a = await store.accounts.byId(id);
      if (a && a.password_hash === null) links.push({ who, accountId: id, url: await auth.sendNewAccountMail(a) });
    }
  }
  return { state, links };
}

/**
 * The category database of `mamori demo --intel <file>` (else $MAMORI_INTEL_DB), absolute, after
 * checking it loads (a missing or damaged file stops the demo with the reason); undefined: the
 * starter database.
 */
export function demoIntelFile(option: string | undefined, env = process.env): { file: string; hosts: number } | undefined {
  const chosen = option ?? (env['MAMORI_INTEL_DB'] || undefined);
  if (chosen === undefined) return undefined;
  const file = path.resolve(chosen);
  const db = loadIntelDb(file);
  return { file, hosts: db.meta.counts.hosts };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the console (and, when available, a local gateway) with a demo tenant on the embedded stores')
    .option('--port <port>', 'console port (default: $MAMORI_PORT or 8080)')
    .option('--gateway-port <port>', 'port of the gateway (mutual TLS) listener (default: $MAMORI_GATEWAY_PORT or 8443)')
    .option('--data-dir <dir>', 'where the embedded stores live', '.mamori')
    .option('--intel <file>', 'URL category database (mamori intel build) for the console and the demo gateway; default $MAMORI_INTEL_DB, else the starter one')
    .action(async (opts: { port?: string; gatewayPort?: string; dataDir: string; intel?: string }) => {
      const port = Number(opts.port ?? process.env['MAMORI_PORT'] ?? 8080);
      const gatewayPort = Number(opts.gatewayPort ?? process.env['MAMORI_GATEWAY_PORT'] ?? 8443);
      const dataDir = path.resolve(opts.dataDir);
      const intel = demoIntelFile(opts.intel);
      await ensureWebBuilt({ log: (l) => process.stdout.write(l + '\n') });
      const c = await createConsole({
        host: '127.0.0.1',
        port,
        gatewayPort,
        dataDir,
        masterKey: process.env['MAMORI_MASTER_KEY'],
        smtpUrl: process.env['MAMORI_SMTP_URL'],
        logLevel: process.env['MAMORI_LOG_LEVEL'] ?? 'warn',
        ...(intel ? { intelFile: intel.file } : {}),
      });
      const { state, links } = await ensureDemoData(c);
      // a few days of generated activity (event ids "demo-…"), so that the dashboard, log
      // analysis and reports show something on first start; stored once, never twice
      const analytics = await analyticsFor(c.services);
      const seeded = await seedDemoEvents(analytics.events, analytics.meta, state.tenantId, { days: 3, eventsPerDay: 5_000 });
      if (seeded.stored > 0) process.stdout.write(`Demo data:      ${seeded.stored} generated events (marked as demo data)\n`);
      const out = (s: string) => process.stdout.write(s + '\n');
      out(`Mamori console: ${c.url}`);
      out(`Sign in:        ${c.services.auth.loginUrl()}`);
      out(`Gateways:       ${c.gatewayUrl ?? '(gateway listener off)'}`);
      out(`API document:   ${c.url}/api/openapi.json`);
      const active = (await consoleIntel(c.services.store, c.services.options.dataDir, c.services.options.intelFile)).info;
      out(`Intel database: ${active.name} (${active.counts.hosts} hosts; ${active.source === 'upload' ? 'uploaded by the operator' : active.source === 'file' ? intel?.file ?? 'file' : 'starter'}; version ${active.version})`);
      if (links.length === 0) out('Demo accounts already have passwords; sign in with them (password reset: POST /api/auth/password-reset).');
      for (const l of links) out(`Set the password of the ${l.who} ${l.accountId} (valid 7 days, one use):\n  ${l.url}`);
      const stops: Array<() => Promise<void>> = [];
      for (const hook of DEMO_HOOKS) {
        stops.push(
          await hook.start({
            console: c,
            tenantId: state.tenantId,
            dataDir,
            print: out,
            ...(intel ? { intelFile: intel.file } : {}),
            enrollmentToken: async (name) => (await c.services.gateways.createEnrollmentToken(state.tenantId, { name, groups: [] }, 'demo')).token,
          }),
        );
      }
      const stop = async () => {
        for (const s of stops.reverse()) await s();
        await c.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
