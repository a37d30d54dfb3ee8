/**
 * Manual §6-1/6-2 in real Chromium: the ordered rule list with enabled/disabled, the content-type
 * picker (a category opened to an application's functions, URL categories by group) with the
 * catalogue's names, 処理, 保存, the pending-changes banner and すべて配信 to a real enrolled
 * gateway that reports its result; reorder by the move buttons and by drag and drop.
 * Assertions on the page, on the console API and on the gateway's applied policy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Policy } from '@mamori/policy';
import { launchBrowser, signInTenantAdmin, startEnrolledGateway, startStack, step, type Stack } from './harness.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ gateways: true });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const T = {
  ja: {
    title: 'ポリシールール', enabled: '有効になっているポリシー', disabled: '無効になっているポリシー', edit: 'ポリシールールの編集',
    specify: 'アプリケーション/URLカテゴリを指定する', apps: 'アプリケーション', url: 'URLカテゴリ', expand: '展開', functions: '機能',
    fileSharing: 'ファイル共有・オンラインストレージ', upload: 'アップロード', legal: '法的責任', gambling: 'ギャンブル', p2p: 'P2Pファイル共有', malware: '不正プログラム',
    block: 'ブロック', save: '保存', deployAll: 'すべて配信', pending: '設定が変更されました。[すべて配信]をクリックして変更を反映してください。',
    done: '配信が完了しました。', succeeded: '成功', moveDown: '下へ移動', close: '閉じる',
  },
  en: {
    title: 'Policy rules', enabled: 'Enabled policy', disabled: 'Disabled policy', edit: 'Edit policy rule',
    specify: 'Specify applications/URL categories', apps: 'Applications', url: 'URL categories', expand: 'Expand', functions: 'Functions',
    fileSharing: 'File sharing and online storage', upload: 'Upload', legal: 'Legal liability', gambling: 'Gambling', p2p: 'P2P file sharing', malware: 'Malware',
    block: 'Block', save: 'Save', deployAll: 'Deploy all', pending: 'Settings have changed. Click [Deploy all] to apply the changes.',
    done: 'Deployment finished.', succeeded: 'Succeeded', moveDown: 'Move down', close: 'Close',
  },
} as const;

describe.each(['ja', 'en'] as const)('policy rules §6-1/6-2 (%s)', (lang) => {
  const L = T[lang];

  it('edits the application-control rule in the picker, saves, reorders and deploys to an enrolled gateway', { timeout: 120_000 }, async () => {
    const s = await signInTenantAdmin(stack, browser, lang);
    const gw = await startEnrolledGateway(stack, s.tenantId, `gw-${lang}`);
    const { page } = s;
    try {
      await step(page, `rules-list-${lang}`, async () => {
        await page.goto(`${stack.url}/tenants/${s.tenantId}/policy/rules`);
        await page.getByRole('heading', { name: L.title }).waitFor();
        const rows = page.getByTestId('rules-table').locator('tbody tr');
        await expect.poll(() => rows.count()).toBe(4);
        // the order and enabled state of the defaults, with content types by name (not ids)
        const app = page.getByTestId('rule-row-app-control');
        expect(await app.getByRole('img', { name: L.enabled }).count()).toBe(1);
        await app.getByText(new RegExp(L.p2p)).waitFor();
        await page.getByTestId('rule-row-url-filtering').getByText(new RegExp(L.malware)).waitFor();
        expect(await page.getByTestId('rule-row-firewall').getByRole('img', { name: L.disabled }).count()).toBe(1);
        expect(await page.getByTestId('rules-table').textContent()).not.toContain('p2p');
      });

      await step(page, `rules-edit-${lang}`, async () => {
        await page.getByRole('button', { name: '[50-1] アプリケーションコントロール', exact: true }).click();
        const dlg = page.getByRole('dialog', { name: L.edit });
        await dlg.waitFor();
        await dlg.getByRole('radio', { name: L.specify }).check();
        // a category opens into its applications, an application into its functions
        await dlg.getByRole('button', { name: `${L.fileSharing} ${L.expand}` }).click();
        await dlg.getByRole('button', { name: `Dropbox ${L.functions}` }).click();
        await dlg.getByRole('checkbox', { name: L.upload, exact: true }).first().check();
        await dlg.getByRole('tab', { name: new RegExp(`^${L.url}`) }).click();
        await dlg.getByRole('button', { name: `${L.legal} ${L.expand}` }).click();
        await dlg.getByRole('checkbox', { name: L.gambling, exact: true }).check();
        await expect.poll(() => dlg.getByTestId('content-count').textContent()).toMatch(/4/);
        await dlg.getByRole('radio', { name: L.block, exact: true }).check();
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await dlg.waitFor({ state: 'detached' });
        await page.getByTestId('deploy-banner').getByText(L.pending).waitFor();
        const row = page.getByTestId('rule-row-app-control');
        await row.getByText(`Dropbox: ${L.upload}`, { exact: false }).waitFor();
        expect(await row.textContent()).toContain(L.gambling);
      });

      // API state: the draft holds the chosen ids
      const draft1 = await s.api<{ policy: Policy; differs: boolean }>('GET', `/api/tenants/${s.tenantId}/policy`);
      const rule = draft1.policy.rules.find((r) => r.id === 'app-control')!;
      expect(draft1.differs).toBe(true);
      expect(rule.action).toBe('block');
      expect(rule.content).toMatchObject({ type: 'selected', applicationCategories: ['p2p', 'anonymizer'], applicationFunctions: ['dropbox:upload'], urlCategories: ['gambling'] });

      await step(page, `rules-reorder-${lang}`, async () => {
        // move buttons: URL filtering below the individual-allow rule, then drag it back to the top
        await page.getByRole('button', { name: `${L.moveDown} [50-1] URLフィルタリング`, exact: true }).click();
        await expect.poll(async () => (await s.api<{ policy: Policy }>('GET', `/api/tenants/${s.tenantId}/policy`)).policy.rules.map((r) => r.id)).toEqual(['app-control', 'firewall-allow', 'url-filtering', 'firewall']);
        await expect.poll(() => page.getByTestId('rules-table').locator('tbody tr').nth(2).getAttribute('data-testid')).toBe('rule-row-url-filtering');
        await page.getByTestId('rule-row-url-filtering').dragTo(page.getByTestId('rule-row-app-control'));
        await expect.poll(() => page.getByTestId('rules-table').locator('tbody tr').first().getAttribute('data-testid')).toBe('rule-row-url-filtering');
      });
      const order = (await s.api<{ policy: Policy }>('GET', `/api/tenants/${s.tenantId}/policy`)).policy.rules.map((r) => r.id);
      expect(order).toEqual(['url-filtering', 'app-control', 'firewall-allow', 'firewall']);

      await step(page, `rules-deploy-${lang}`, async () => {
        await page.getByTestId('deploy-banner').getByRole('button', { name: L.deployAll }).click();
        const dlg = page.getByRole('dialog');
        await dlg.getByTestId(`deploy-gw-${gw.gatewayId}`).getByText(new RegExp(L.succeeded)).waitFor({ timeout: 20_000 });
        await dlg.getByTestId('deploy-result').getByText(L.done).waitFor();
        expect(await dlg.getByTestId(`deploy-gw-${gw.gatewayId}`).getByLabel('done').count()).toBe(1);
        await dlg.getByRole('button', { name: L.close }).click();
        await page.getByTestId('deploy-banner').waitFor({ state: 'detached' });
      });

      // API state: deployed, no pending change, the gateway's last deployment succeeded
      const after = await s.api<{ differs: boolean; deployedVersion: number }>('GET', `/api/tenants/${s.tenantId}/policy`);
      expect(after.differs).toBe(false);
      const gws = await s.api<{ gateways: Array<{ id: string; lastDeployment: { version: number; state: string } | null }> }>('GET', `/api/tenants/${s.tenantId}/gateways`);
      expect(gws.gateways.find((g) => g.id === gw.gatewayId)?.lastDeployment).toMatchObject({ version: after.deployedVersion, state: 'succeeded' });
      // the gateway applied that version, with the rules in the new order
      expect(gw.gateway.deployments.version).toBe(after.deployedVersion);
      const saved = JSON.parse(fs.readFileSync(path.join(gw.dataDir, 'deployment.json'), 'utf8')) as { version: number; policy: Policy };
      expect(saved.version).toBe(after.deployedVersion);
      expect(saved.policy.rules.map((r) => r.id)).toEqual(order);
      expect(saved.policy.rules.find((r) => r.id === 'app-control')?.content).toMatchObject({ applicationFunctions: ['dropbox:upload'], urlCategories: ['gambling'] });
    } finally {
      await gw.close();
      await s.context.close();
    }
  });
});
