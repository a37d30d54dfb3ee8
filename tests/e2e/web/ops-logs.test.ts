/**
 * Manual §9 in real Chromium, on events a real enrolled gateway shipped: the four log types, a
 * time range, group-by with top N, drill-down into a group, filters, a favourite query kept across
 * reloads, the CSV download, and the ブロック badge shown whole (not clipped) in the log table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, step } from './harness.js';
import { api, createTenant, enrollGateway, seedEvents, SEEDED, signedIn, startOpsStack, waitForEvents, type OpsStack, type TestGateway } from './ops-harness.js';

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
    title: 'ログ分析', types: ['アプリケーション帯域幅', 'ポリシー施行', 'インターネットアクセス', 'インターネットセキュリティ'], range: '期間', lastHour: '過去1時間', groupBy: 'グループ化', host: 'ホスト',
    user: 'ユーザ', topN: '上位', run: '検索', filter: 'フィルタ', field: 'フィルタの項目', value: '値', block: 'ブロック', csv: 'CSVダウンロード', queryName: 'クエリ名', save: 'クエリを保存', favorite: 'お気に入り', noData: 'データがありません。',
  },
  en: {
    title: 'Log Analysis', types: ['Application bandwidth', 'Policy enforcement', 'Internet access', 'Internet security'], range: 'Period', lastHour: 'Last hour', groupBy: 'Group by', host: 'Host',
    user: 'User', topN: 'Top', run: 'Search', filter: 'Filter', field: 'Filter field', value: 'Value', block: 'Block', csv: 'Download CSV', queryName: 'Query name', save: 'Save query', favorite: 'Favourite', noData: 'No data.',
  },
} as const;

async function pick(page: Page, label: string, option: string, scope = page.locator('body')): Promise<void> {
  await scope.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

const groupRows = (page: Page) => page.getByTestId('log-groups').locator('tbody tr');
const eventRows = (page: Page) => page.getByTestId('log-rows').locator('tbody tr');

describe.each(['ja', 'en'] as const)('log analysis (%s)', (lang) => {
  it('groups the shipped access log by host, drills down, filters, keeps a favourite, downloads CSV; the block badge is not clipped', { timeout: 150_000 }, async () => {
    const { tenantId, admin } = await createTenant(stack, `Logs ${lang}`, lang);
    const g = await enrollGateway(stack, tenantId, `GW-logs-${lang}`);
    gateways.push(g);
    seedEvents(g);
    await waitForEvents(stack, admin, 'access', SEEDED.blockedCount + SEEDED.otherBlockedCount + 4);
    await waitForEvents(stack, admin, 'security', 2);

    const { context, page } = await signedIn(browser, stack, admin, lang);
    try {
      await step(page, `ops-logs-group-${lang}`, async () => {
        await page.goto(`${stack.url}/tenants/${tenantId}/analytics/logs`);
        await page.getByRole('heading', { name: T[lang].title }).waitFor();
        for (const name of T[lang].types) await page.getByRole('button', { name }).waitFor();
        await page.getByRole('button', { name: T[lang].types[2] }).click();
        expect(await page.getByRole('button', { name: T[lang].types[2] }).getAttribute('aria-pressed')).toBe('true');
        await pick(page, T[lang].range, T[lang].lastHour);
        await pick(page, T[lang].groupBy, T[lang].host);
        await pick(page, T[lang].topN, '5');
        await page.getByRole('button', { name: T[lang].run, exact: true }).click();
        await expect.poll(() => groupRows(page).count()).toBe(3);
        expect(await groupRows(page).allInnerTexts()).toEqual([`${SEEDED.blockedHost}\t${SEEDED.blockedCount}`, `${SEEDED.allowedHost}\t4`, `${SEEDED.otherBlockedHost}\t${SEEDED.otherBlockedCount}`]);
      });

      await step(page, `ops-logs-drill-${lang}`, async () => {
        await groupRows(page).first().getByRole('button', { name: SEEDED.blockedHost }).click();
        await expect.poll(() => eventRows(page).count()).toBe(SEEDED.blockedCount);
        const badges = page.getByTestId('log-rows').getByTestId('action-badge');
        expect(await badges.count()).toBe(SEEDED.blockedCount);
        for (const text of await badges.allTextContents()) expect(text).toBe(T[lang].block);
        // the badge label is shown whole: nothing overflows its box, and the badge fits its cell
        const clipped = await badges.evaluateAll((els) =>
          els.filter((b) => {
            const label = b.querySelector('span') ?? b;
            const cell = b.closest('td')!.getBoundingClientRect();
            const r = b.getBoundingClientRect();
            return label.scrollWidth > label.clientWidth + 1 || r.right > cell.right + 1 || r.left < cell.left - 1;
          }).length,
        );
        expect(clipped).toBe(0);
        // the drill-down became a filter row: host = the clicked value
        const filter = page.getByTestId('log-filter');
        expect(await filter.count()).toBe(1);
        expect(await filter.getByLabel(T[lang].value).inputValue()).toBe(SEEDED.blockedHost);
      });

      await step(page, `ops-logs-filter-${lang}`, async () => {
        await page.getByRole('button', { name: `+ ${T[lang].filter}` }).click();
        const second = page.getByTestId('log-filter').nth(1);
        await pick(page, T[lang].field, T[lang].user, second);
        await second.getByLabel(T[lang].value).fill('suzuki');
        await page.getByRole('button', { name: T[lang].run, exact: true }).click();
        await page.getByTestId('log-rows').getByText(T[lang].noData).waitFor();
        await second.getByLabel(T[lang].value).fill(SEEDED.user);
        await page.getByRole('button', { name: T[lang].run, exact: true }).click();
        await expect.poll(() => eventRows(page).count()).toBe(SEEDED.blockedCount);
      });

      await step(page, `ops-logs-csv-${lang}`, async () => {
        const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: T[lang].csv }).click()]);
        expect(dl.suggestedFilename()).toMatch(/\.csv$/);
        const chunks: Buffer[] = [];
        for await (const c of await dl.createReadStream()) chunks.push(c as Buffer);
        const lines = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
        expect(lines).toHaveLength(1 + SEEDED.blockedCount);
        for (const l of lines.slice(1)) expect(l).toContain(SEEDED.blockedHost);
      });

      const name = `malware-${lang}`;
      await step(page, `ops-logs-favorite-${lang}`, async () => {
        await page.getByLabel(T[lang].queryName).fill(name);
        await page.getByLabel(T[lang].favorite, { exact: true }).check();
        await page.getByRole('button', { name: T[lang].save }).click();
        const saved = page.getByTestId('saved-queries').getByRole('button', { name });
        await saved.waitFor();
        await saved.getByLabel(T[lang].favorite).waitFor();
        // kept across a reload: choosing it runs the same query again
        await page.reload();
        await page.getByTestId('saved-queries').getByRole('button', { name }).click();
        await expect.poll(() => eventRows(page).count()).toBe(SEEDED.blockedCount);
        expect(await page.getByTestId('log-filter').count()).toBe(2);
      });
      const saved = (await api<Array<{ name: string; type: string; favorite: boolean; query: { filters: Array<{ field: string; value: unknown }> }; hours?: number }>>(stack, admin, 'GET', '/api/analytics/saved-queries')).body;
      expect(saved.find((s) => s.name === name)).toMatchObject({ type: 'access', favorite: true, hours: 1, query: { filters: [{ field: 'host', value: SEEDED.blockedHost }, { field: 'user', value: SEEDED.user }] } });
    } finally {
      await context.close();
    }
  });
});
