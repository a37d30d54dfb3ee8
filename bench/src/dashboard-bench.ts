/**
 * Dashboard load time in a real browser (issue 7, manual §4): a console (port 0, temp data dir,
 * the default embedded event store) with N generated events for one tenant, its administrator
 * signed in, Debian's Chromium (playwright-core) opening ダッシュボード; the time from navigation
 * until every widget on the page has rendered (a chart canvas, a table or "no data"), p50/p95
 * over several loads, each in a fresh browser context (cold page, warm console).
 *
 *   npx tsx bench/src/dashboard-bench.ts --events 100000,1000000 --loads 10
 *   npm run bench -- --only dashboard [--quick]
 *
 * The events span the last 30 days ending now, in 5,000-event batches through the store's own
 * ingestion (journal, loader, rollups), so the widgets read what a real month leaves behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { LogEvent } from '@mamori/policy';
import { analyticsFor, createConsole } from '@mamori/console';
import { generateEvents } from '@mamori/console/analytics';
import { ensureWebBuilt } from '@mamori/web';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const sizes = (args.get('events') ?? '100000').split(',').filter(Boolean).map(Number);
const loads = Number(args.get('loads') ?? 10);
const lang = (args.get('lang') ?? 'ja') === 'en' ? 'en' : 'ja';
const DAY = 86_400_000;
/** common.noData in packages/web/src/i18n */
const NO_DATA = { ja: 'データがありません', en: 'No data' } as const;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

process.stdout.write(`dashboard bench: started ${new Date().toISOString()}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; node ${process.version}, ${os.cpus().length} cpus, ${loads} loads per size, UI ${lang}\n`);
await ensureWebBuilt();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  for (const size of sizes) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-dash-bench-'));
    const c = await createConsole({ host: '127.0.0.1', port: 0, gatewayPort: 0, dataDir, logLevel: 'silent' });
    try {
      const s = c.services;
      const r = await s.tenants.create({ name: 'Dashboard bench', model: 50, admin: { email: `bench-${process.pid}@example.com`, name: 'bench admin', lang } }, 'bench');
      const tenantId = r.tenant.id;
      const token = new URL(r.setPasswordUrl).searchParams.get('token')!;
      const password = `pw-${process.pid}-Aa1!bench`;
      await s.auth.setPassword(token, password, password);
      await s.auth.acceptPrivacy(r.admin.id);
      const session = await s.auth.login({ login: r.admin.id, password, ip: '127.0.0.1' });

      // N events over the last 30 days, through the store's ingestion
      const analytics = await analyticsFor(s);
      const now = Date.now();
      const batch = 5000;
      const nb = Math.ceil(size / batch);
      const t0 = performance.now();
      for (let i = 0; i < nb; i++) {
        const from = now - 30 * DAY + Math.floor((i * 30 * DAY) / nb);
        const to = now - 30 * DAY + Math.floor(((i + 1) * 30 * DAY) / nb);
        const events = [...generateEvents({ seed: i + 1, from, to, count: Math.min(batch, size - i * batch), idPrefix: `d${i}-`, hosts: 200 })].sort((a, b) => a.ts - b.ts).map((e) => LogEvent.parse(e));
        await analytics.events.ingest(tenantId, { batchId: `bench-${i}`, gatewayId: `gw-${i % 3}`, events });
      }
      const flush = (analytics.events as { flush?: () => Promise<void> }).flush;
      if (flush) await flush.call(analytics.events);
      process.stdout.write(`  ${analytics.events.kind}: ${size} events ingested in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);

      const times: number[] = [];
      let widgets = 0;
      const c0 = cpuNow();
      for (let i = 0; i <= loads; i++) {
        const context = await browser.newContext({ locale: lang === 'ja' ? 'ja-JP' : 'en-US', viewport: { width: 1360, height: 900 } });
        await context.addCookies([{ name: 'mamori_session', value: session.sessionId, url: c.url, httpOnly: true, sameSite: 'Strict' }]);
        const page = await context.newPage();
        page.setDefaultTimeout(60_000);
        const start = performance.now();
        await page.goto(`${c.url}/tenants/${tenantId}/dashboard`);
        // every widget card shows its chart (canvas), its table or its "no data" line
        // (a string: this file is compiled without the DOM library)
        const rendered = `(() => {
          const cards = [...document.querySelectorAll('[data-testid^="widget-"]')];
          if (cards.length === 0) return 0;
          const done = cards.every((el) => el.querySelector('canvas, table') !== null || (el.textContent || '').includes(${JSON.stringify(NO_DATA[lang])}));
          return done ? cards.length : 0;
        })()`;
        widgets = Number(await (await page.waitForFunction(rendered, undefined, { polling: 'raf' })).jsonValue());
        const ms = performance.now() - start;
        if (i > 0) times.push(ms); // the first load warms the console's caches and the web bundle
        await context.close();
      }
      const cpu = cpuNow() - c0;
      process.stdout.write(`dashboard load (${widgets} widgets, ${size} events): p50 ${pct(times, 50).toFixed(0)} ms, p95 ${pct(times, 95).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms over ${times.length} loads; console CPU ${((cpu / (loads + 1)) * 1000).toFixed(0)} ms per load (node process; the browser is separate)\n`);
    } finally {
      await c.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
} finally {
  await browser.close();
}
