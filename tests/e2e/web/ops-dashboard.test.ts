/**
 * Manual §4 in real Chromium: the dashboard's ECharts widgets show the activity a real enrolled
 * gateway shipped; each user adds, removes and arranges widgets and the layout is kept across
 * reloads and per user; the gateway page shows status, last deployment result and interfaces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, step } from './harness.js';
import { api, createAccount, createTenant, enrollGateway, seedEvents, SEEDED, signedIn, startOpsStack, until, waitForEvents, type OpsStack, type TestGateway } from './ops-harness.js';

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
    title: 'ダッシュボード', add: 'ウィジェットの追加', remove: 'ウィジェットを削除', right: '右へ移動', saved: 'レイアウトを保存しました。',
    blockedSites: 'ブロックされたサイト上位', topApps: 'アプリケーション帯域幅上位', gatewaysTitle: 'ゲートウェイ', online: 'オンライン', succeeded: '成功',
    lastDeploy: '前回のポリシー配信結果', interfaces: 'インタフェースのステータス', up: 'アップ',
  },
  en: {
    title: 'Dashboard', add: 'Add widget', remove: 'Remove widget', right: 'Move right', saved: 'Layout saved.',
    blockedSites: 'Top blocked sites', topApps: 'Top applications by bandwidth', gatewaysTitle: 'Gateways', online: 'Online', succeeded: 'Succeeded',
    lastDeploy: 'Last deployment result', interfaces: 'Interface status', up: 'Up',
  },
} as const;

interface Layout { widgets: Array<{ widget: string; x: number; y: number }> }
const orderOf = (l: Layout) => [...l.widgets].sort((a, b) => a.y - b.y || a.x - b.x).map((w) => w.widget);
const widgetIds = (page: Page) => page.locator('[data-testid^="widget-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('widget-'.length)));

describe.each(['ja', 'en'] as const)('dashboard and gateways (%s)', (lang) => {
  it('widgets chart the shipped activity; add/remove/arrange is kept per user across reloads; the gateway page shows status, deployment and interfaces', { timeout: 120_000 }, async () => {
    const { tenantId, admin } = await createTenant(stack, `Dash ${lang}`, lang);
    const viewer = await createAccount(stack, tenantId, 'tenantViewer', lang);
    const g = await enrollGateway(stack, tenantId, `GW-${lang}`);
    gateways.push(g);
    seedEvents(g);
    await waitForEvents(stack, admin, 'access', SEEDED.blockedCount + SEEDED.otherBlockedCount + 4);
    await waitForEvents(stack, admin, 'bandwidth', 2);
    // a deployment the gateway applies, for the "last deployment result"
    const dep = await stack.console.services.policy.deployAll(tenantId, 'test');
    await until(async () => (await stack.console.services.policy.deploymentFor(tenantId, g.gatewayId))?.version === dep.version && (await api<{ gateways: Array<{ state: string }> }>(stack, admin, 'GET', `/api/tenants/${tenantId}/policy/versions/${dep.version}`)).body.gateways.every((x) => x.state === 'succeeded'), 'the deployment to succeed');

    const { context, page } = await signedIn(browser, stack, admin, lang);
    try {
      await step(page, `ops-dashboard-${lang}`, async () => {
        await page.goto(`${stack.url}/tenants/${tenantId}/dashboard`);
        await page.getByRole('heading', { name: T[lang].title }).waitFor();
        // the chart's accessible name says what it plots: the seeded blocked hosts, most first
        const blocked = page.getByTestId('widget-top-blocked-sites').getByRole('img');
        await blocked.waitFor();
        const label = (await blocked.getAttribute('aria-label')) ?? '';
        expect(label).toContain(`${T[lang].blockedSites}: ${SEEDED.blockedHost} ${SEEDED.blockedCount}, ${SEEDED.otherBlockedHost} ${SEEDED.otherBlockedCount}`);
        expect(await blocked.locator('canvas').count()).toBeGreaterThan(0);
        const apps = page.getByTestId('widget-top-apps-bandwidth').getByRole('img');
        expect(await apps.getAttribute('aria-label')).toContain(SEEDED.app);

        const before = await widgetIds(page);
        expect(before.length).toBeGreaterThan(3);
        // remove the first widget, move the (new) first one right, add the removed one back
        const [first, second, third] = before as [string, string, string];
        const titleOf = async (id: string) => (await page.getByTestId(`widget-${id}`).locator('p').first().textContent()) ?? '';
        const firstTitle = await titleOf(first);
        const secondTitle = await titleOf(second);
        await page.getByRole('button', { name: `${T[lang].remove} ${firstTitle}` }).click();
        await expect.poll(() => widgetIds(page)).toEqual(before.slice(1));
        await page.getByRole('button', { name: `${T[lang].right} ${secondTitle}` }).click();
        await expect.poll(() => widgetIds(page)).toEqual([third, second, ...before.slice(3)]);
        await page.getByRole('button', { name: T[lang].add }).click();
        await page.getByRole('menuitem', { name: firstTitle }).click();
        const expected = [third, second, ...before.slice(3), first];
        await expect.poll(() => widgetIds(page)).toEqual(expected);
        await page.getByRole('status').getByText(T[lang].saved).waitFor();
        await expect.poll(async () => orderOf((await api<Layout>(stack, admin, 'GET', '/api/analytics/dashboard')).body)).toEqual(expected);

        await page.reload();
        await page.getByTestId(`widget-${first}`).waitFor();
        expect(await widgetIds(page)).toEqual(expected);
      });
    } finally {
      await context.close();
    }

    // another user of the same tenant keeps their own (default) layout
    const other = await signedIn(browser, stack, viewer, lang);
    try {
      await step(other.page, `ops-dashboard-viewer-${lang}`, async () => {
        const p = other.page;
        await p.goto(`${stack.url}/tenants/${tenantId}/dashboard`);
        await p.getByTestId('widget-top-blocked-sites').waitFor();
        const ids = await widgetIds(p);
        expect(ids).toEqual(orderOf((await api<Layout>(stack, viewer, 'GET', '/api/analytics/dashboard')).body));
        expect(ids).not.toEqual((await api<Layout>(stack, admin, 'GET', '/api/analytics/dashboard')).body.widgets.map((w) => w.widget));
      });
    } finally {
      await other.context.close();
    }

    const gwPage = await signedIn(browser, stack, admin, lang);
    try {
      await step(gwPage.page, `ops-gateways-${lang}`, async () => {
        const p = gwPage.page;
        await p.goto(`${stack.url}/tenants/${tenantId}/gateways`);
        await p.getByRole('heading', { name: T[lang].gatewaysTitle }).waitFor();
        const card = p.getByTestId(`gateway-${g.gatewayId}`);
        await card.getByText(`GW-${lang}`).waitFor();
        await card.getByText(T[lang].online, { exact: true }).waitFor();
        const deployRow = card.getByRole('row').filter({ hasText: T[lang].lastDeploy });
        await deployRow.getByText(T[lang].succeeded, { exact: true }).waitFor();
        await deployRow.getByText(`v${dep.version}`).waitFor();
        await deployRow.getByLabel('done').waitFor();
        await card.getByText(T[lang].interfaces).waitFor();
        // the interface table lists what the agent reported (loopback at least, up)
        const listed = (await api<{ gateways: Array<{ id: string; status: string; details?: { interfaces: Array<{ name: string; up: boolean }> } }> }>(stack, admin, 'GET', `/api/tenants/${tenantId}/gateways`)).body.gateways.find((x) => x.id === g.gatewayId);
        expect(listed?.status).toBe('online');
        const ifs = listed?.details?.interfaces ?? [];
        expect(ifs.length).toBeGreaterThan(0);
        for (const i of ifs) {
          const row = card.getByRole('row').filter({ has: p.getByRole('cell', { name: i.name, exact: true }) });
          await row.waitFor();
          if (i.up) await row.getByText(T[lang].up, { exact: true }).waitFor();
        }
      });
    } finally {
      await gwPage.context.close();
    }
  });
});
