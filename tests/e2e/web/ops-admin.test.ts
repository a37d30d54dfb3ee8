/**
 * Manual §8 and §10 and the operator's view in real Chromium: administrator alerts are read-only
 * for the tenant's roles and editable by the operator; the alert history shows what the alert
 * engine raised from a real gateway's C&C events; the sandbox page says plainly that there is
 * nothing yet; the operator sees every tenant's gateway health (its analytics: ops-operator.test.ts)
 * and edits the alert settings.
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

interface AlertSettings { enabled: boolean; recipients: string[]; editable: boolean }

describe.each(['ja', 'en'] as const)('administrator alerts, sandbox and the operator view (%s)', (lang) => {
  it('alerts are read-only for the tenant and editable by the operator; sandbox is empty; the operator sees every tenant\'s gateway health', { timeout: 180_000 }, async () => {
    const { tenantId, admin } = await createTenant(stack, `Admin ${lang}`, lang);
    const quiet = await createTenant(stack, `Quiet ${lang}`, lang);
    const op: TestAccount = await createAccount(stack, null, 'operator', lang);
    const g = await enrollGateway(stack, tenantId, `GW-admin-${lang}`);
    gateways.push(g);
    const q = await enrollGateway(stack, quiet.tenantId, `GW-quiet-${lang}`);
    seedEvents(g);
    await waitForEvents(stack, admin, 'security', 2);
    // the alert job runs every minute; evaluate now rather than wait
    const analytics = await analyticsFor(stack.console.services);
    await analytics.alerts.evaluate(tenantId);
    const raised = await until(async () => (await api<Array<{ title: string; kind: string; titles: { ja: string; en: string } }>>(stack, admin, 'GET', '/api/analytics/alerts')).body.find((a) => a.title.includes(SEEDED.cncHost) || a.kind.includes('cnc')), 'a C&C alert');
    const before = (await api<AlertSettings>(stack, admin, 'GET', `/api/tenants/${tenantId}/admin-alerts`)).body;

    // §8 for the tenant administrator: the recipients are shown, nothing can be changed
    const t = await signedIn(browser, stack, admin, lang);
    try {
      await step(t.page, `ops-alerts-tenant-${lang}`, async () => {
        const p = t.page;
        await p.goto(`${stack.url}/tenants/${tenantId}/admin/alerts`);
        await p.getByRole('heading', { name: T[lang].alerts }).waitFor();
        await p.getByTestId('alerts-readonly').getByText(T[lang].readOnly, { exact: false }).waitFor();
        const recipients = p.getByLabel(T[lang].recipients);
        expect(await recipients.inputValue()).toBe(before.recipients.join(', '));
        expect(await recipients.getAttribute('readonly')).not.toBeNull();
        expect(await p.getByRole('button', { name: T[lang].save }).count()).toBe(0);
        for (const box of await p.getByRole('checkbox').all()) expect(await box.isDisabled()).toBe(true);
        await p.getByTestId('alerts-table').getByText(raised.titles[lang]).waitFor();

        // §10: the sandbox page says plainly there is nothing (the route answers an empty list)
        await p.goto(`${stack.url}/tenants/${tenantId}/analytics/sandbox`);
        await p.getByRole('heading', { name: T[lang].sandbox }).waitFor();
        await p.getByTestId('sandbox-table').getByText(T[lang].noSandbox).waitFor();
      });
    } finally {
      await t.context.close();
    }
    expect(before.editable).toBe(false);
    expect((await api(stack, admin, 'PUT', `/api/tenants/${tenantId}/admin-alerts`, { ...before, editable: undefined, recipients: ['x@example.com'] })).status).toBe(403);
    expect((await api<{ submissions: unknown[] }>(stack, admin, 'GET', `/api/tenants/${tenantId}/sandbox/submissions`)).body.submissions).toEqual([]);

    // the quiet tenant's gateway goes away: the operator's view shows it needing attention
    await q.close();
    await until(async () => (await api<{ gateways: Array<{ connected: boolean }> }>(stack, op, 'GET', `/api/tenants/${quiet.tenantId}/gateways`)).body.gateways[0]?.connected === false, 'the quiet gateway disconnected');

    const o = await signedIn(browser, stack, op, lang);
    const newRecipient = `soc-${lang}@example.com`;
    try {
      await step(o.page, `ops-operator-${lang}`, async () => {
        const p = o.page;
        await p.goto(`${stack.url}/operator`);
        await p.getByRole('heading', { name: T[lang].tenants }).waitFor();
        const row = p.getByTestId(`tenant-${tenantId}`);
        await row.getByText(`1/1 ${T[lang].online}`).waitFor();
        await row.getByText(T[lang].healthy, { exact: true }).waitFor();
        const quietRow = p.getByTestId(`tenant-${quiet.tenantId}`);
        await quietRow.getByText(`0/1 ${T[lang].online}`).waitFor();
        await quietRow.getByText(T[lang].unhealthy, { exact: true }).waitFor();

        await p.getByRole('navigation', { name: 'section' }).getByRole('link', { name: T[lang].operatorAlerts }).click();
        await p.getByTestId('operator-problems').getByRole('row').filter({ hasText: `GW-quiet-${lang}` }).getByText(`Quiet ${lang}`).waitFor();

        // §8 for the operator: editable
        await p.goto(`${stack.url}/tenants/${tenantId}/admin/alerts`);
        const recipients = p.getByLabel(T[lang].recipients);
        await recipients.waitFor();
        expect(await p.getByTestId('alerts-readonly').count()).toBe(0);
        await recipients.fill(`${before.recipients.join(', ')}, ${newRecipient}`);
        await p.getByRole('button', { name: T[lang].save }).click();
        await p.getByRole('status').getByText(T[lang].saved).waitFor();
      });
    } finally {
      await o.context.close();
    }
    const after = (await api<AlertSettings>(stack, op, 'GET', `/api/tenants/${tenantId}/admin-alerts`)).body;
    expect(after.recipients).toEqual([...before.recipients, newRecipient]);
    expect(after.editable).toBe(true);
  });
});
