/**
 * The operator's view of the tenants' analytics in real Chromium: the administrator alerts of every
 * tenant in one list (raised by the alert engine from a real gateway's C&C events), and the
 * operator choosing a tenant (開く, or the tenant switch in the header) to look at its dashboard,
 * log analysis and reports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { analyticsFor } from '@mamori/console';
import { launchBrowser, step } from './harness.js';
import { api, createAccount, createTenant, enrollGateway, seedEvents, SEEDED, signedIn, startOpsStack, until, waitForEvents, type OpsStack, type TestAccount, type TestGateway } from './ops-harness.js';

let stack: OpsStack;
let browser: Browser;
const gateways: TestGateway[] = [];

beforeAll(async () => {
  stack = await startOpsStack();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  for (const g of gateways) await g.close();
  await browser?.close();
  await stack?.close();
});

const T = {
  ja: {
    alerts: '管理者アラート', readOnly: '変更できません', recipients: 'アラート受信者', save: '保存', saved: '保存しました。', history: '最近のアラート',
    sandbox: 'クラウドサンドボックス', noSandbox: '分析されたファイルはありません。', tenants: 'テナント', online: 'オンライン', healthy: '正常', unhealthy: '要確認',
    operatorAlerts: '全テナントのアラート', open: '開く', dashboard: 'ダッシュボード', logs: 'ログ分析', reports: 'レポート', blockedSites: 'ブロックされたサイト上位', tenant: 'テナント',
    offline: 'オフライン', run: '検索', access: 'インターネットアクセス', monthly: '削除および編集はできません',
  },
  en: {
    alerts: 'Administrator Alerts', readOnly: 'cannot be changed here', recipients: 'Alert recipients', save: 'Save', saved: 'Saved.', history: 'Recent alerts',
    sandbox: 'Cloud Sandbox', noSandbox: 'No files have been analysed.', tenants: 'Tenants', online: 'Online', healthy: 'Healthy', unhealthy: 'Attention',
    operatorAlerts: 'Alerts across tenants', open: 'Open', dashboard: 'Dashboard', logs: 'Log Analysis', reports: 'Reports', blockedSites: 'Top blocked sites', tenant: 'Tenant',
    offline: 'Offline', run: 'Search', access: 'Internet access', monthly: 'It cannot be deleted or edited',
  },
} as const;

describe.each(['ja', 'en'] as const)('the operator views a chosen tenant\'s analytics (%s)', (lang) => {
  it('lists alerts across tenants and opens a tenant\'s dashboard, logs and reports, switching tenants in the header', { timeout: 180_000 }, async () => {
    const { tenantId, admin } = await createTenant(stack, `Admin ${lang}`, lang);
    const quiet = await createTenant(stack, `Quiet ${lang}`, lang);
    const op: TestAccount = await createAccount(stack, null, 'operator', lang);
    const g = await enrollGateway(stack, tenantId, `GW-admin-${lang}`);
    gateways.push(g);
    const q = await enrollGateway(stack, quiet.tenantId, `GW-quiet-${lang}`);
    seedEvents(g);
    await waitForEvents(stack, admin, 'access', SEEDED.blockedCount + SEEDED.otherBlockedCount + 4);
    await waitForEvents(stack, admin, 'security', 2);
    const analytics = await analyticsFor(stack.console.services);
    await analytics.alerts.evaluate(tenantId);
    const raised = await until(async () => (await api<Array<{ title: string; kind: string; titles: { ja: string; en: string } }>>(stack, admin, 'GET', '/api/analytics/alerts')).body.find((a) => a.title.includes(SEEDED.cncHost) || a.kind.includes('cnc')), 'a C&C alert');
    await q.close();
    await until(async () => (await api<{ gateways: Array<{ connected: boolean }> }>(stack, op, 'GET', `/api/tenants/${quiet.tenantId}/gateways`)).body.gateways[0]?.connected === false, 'the quiet gateway disconnected');
    // the operator names the tenant; the API answers with that tenant's data
    const opAlerts = await api<Array<{ title: string }>>(stack, op, 'GET', `/api/analytics/alerts?tenant=${encodeURIComponent(tenantId)}`);
    expect(opAlerts.body.map((a) => a.title)).toContain(raised.title);

    const o = await signedIn(browser, stack, op, lang);
    try {
      await step(o.page, `ops-operator-analytics-${lang}`, async () => {
        const p = o.page;
        await p.goto(`${stack.url}/operator`);
        await p.getByRole('heading', { name: T[lang].tenants }).waitFor();
        const row = p.getByTestId(`tenant-${tenantId}`);
        await row.waitFor();
        // alerts across tenants: the offline gateway and the tenant's C&C alert, each with its tenant
        await p.getByRole('navigation', { name: 'section' }).getByRole('link', { name: T[lang].operatorAlerts }).click();
        await p.getByTestId('operator-problems').getByRole('row').filter({ hasText: `GW-quiet-${lang}` }).getByText(`Quiet ${lang}`).waitFor();
        await p.getByTestId('operator-alerts').getByRole('row').filter({ hasText: raised.titles[lang] }).getByText(`Admin ${lang}`).waitFor();

        // the operator opens the tenant and looks at its dashboard, logs and reports
        await p.getByRole('navigation', { name: 'section' }).getByRole('link', { name: T[lang].tenants, exact: true }).click();
        await row.getByRole('link', { name: T[lang].open }).click();
        await p.waitForURL(new RegExp(`/tenants/${tenantId}/dashboard$`));
        const blocked = p.getByTestId('widget-top-blocked-sites').getByRole('img');
        await blocked.waitFor();
        expect(await blocked.getAttribute('aria-label')).toContain(`${SEEDED.blockedHost} ${SEEDED.blockedCount}`);
        await p.getByRole('navigation', { name: 'main' }).getByRole('link', { name: lang === 'ja' ? '分析とレポート' : 'Analytics & Reports' }).click();
        await p.getByRole('heading', { name: T[lang].logs }).waitFor();
        await p.getByRole('button', { name: T[lang].access }).click();
        await p.getByRole('button', { name: T[lang].run, exact: true }).click();
        await p.getByTestId('log-rows').getByText(SEEDED.blockedHost).first().waitFor();
        await p.getByRole('navigation', { name: 'section' }).getByRole('link', { name: T[lang].reports }).click();
        await p.getByTestId('reports-table').getByText(T[lang].monthly).waitFor();

        // choosing the other tenant in the header shows the same page for that tenant
        await p.getByTestId('tenant-switch').click();
        await p.getByRole('option', { name: `Quiet ${lang}` }).click();
        await p.waitForURL(new RegExp(`/tenants/${quiet.tenantId}/analytics/reports$`));
        await p.getByTestId('reports-table').getByText(T[lang].monthly).waitFor();

      });
    } finally {
      await o.context.close();
    }
  });
});
