/**
 * Manual §5-2/§5-3 in real Chromium: 今すぐバックアップを作成 (and the "no change" message), at most
 * 3 generations, download the .ce file, restore from the list and from the uploaded file (参照),
 * then すべて配信 with progress and a check mark per gateway (a real enrolled gateway agent).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, step } from './harness.js';
import { api, createTenant, enrollGateway, signedIn, startOpsStack, until, type OpsStack, type TestAccount, type TestGateway } from './ops-harness.js';

let stack: OpsStack;
let browser: Browser;
const gateways: TestGateway[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-ops-dl-'));

beforeAll(async () => {
  stack = await startOpsStack();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  for (const g of gateways) await g.close();
  await browser?.close();
  await stack?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const T = {
  ja: {
    title: 'メンテナンス', create: '今すぐバックアップを作成', created: 'バックアップファイルが作成されました。', noChange: '前回バックアップ時点と差分がないため',
    download: 'ダウンロード', restore: '復元', browse: '参照', restored: '正常に復元されました', deployAll: 'すべて配信', done: '配信が完了しました。', succeeded: '成功',
  },
  en: {
    title: 'Maintenance', create: 'Create backup now', created: 'A backup file was created.', noChange: 'Nothing has changed since the last backup',
    download: 'Download', restore: 'Restore', browse: 'Browse', restored: 'Restored successfully', deployAll: 'Deploy all', done: 'Deployment finished.', succeeded: 'Succeeded',
  },
} as const;

interface PolicyDoc { blockList: Array<{ value: string }>; [k: string]: unknown }
async function setBlockList(admin: TestAccount, tenantId: string, values: string[]): Promise<void> {
  const d = await api<{ policy: PolicyDoc }>(stack, admin, 'GET', `/api/tenants/${tenantId}/policy`);
  const r = await api(stack, admin, 'PUT', `/api/tenants/${tenantId}/policy`, { ...d.body.policy, blockList: values.map((value) => ({ value })) });
  expect(r.status).toBe(200);
}
const draftBlockList = async (admin: TestAccount, tenantId: string) => (await api<{ policy: PolicyDoc }>(stack, admin, 'GET', `/api/tenants/${tenantId}/policy`)).body.policy.blockList.map((e) => e.value);
const rows = (page: Page) => page.getByTestId('backups-table').locator('tbody tr');

async function deployAllAndWait(page: Page, lang: 'ja' | 'en', admin: TestAccount, tenantId: string, g: TestGateway): Promise<void> {
  await page.getByTestId('maintenance-notice').getByRole('button', { name: T[lang].deployAll }).click();
  const dialog = page.getByRole('dialog');
  const item = dialog.getByTestId(`deploy-gw-${g.gatewayId}`);
  await item.getByLabel('done').waitFor();
  await item.getByText(T[lang].succeeded).waitFor();
  await dialog.getByTestId('deploy-result').getByText(T[lang].done).waitFor();
  expect(await dialog.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  const versions = await api<{ versions: Array<{ version: number }> } | Array<{ version: number }>>(stack, admin, 'GET', `/api/tenants/${tenantId}/policy/versions`);
  const list = Array.isArray(versions.body) ? versions.body : versions.body.versions;
  const latest = Math.max(...list.map((v) => v.version));
  const dep = await api<{ gateways: Array<{ gatewayId: string; state: string }> }>(stack, admin, 'GET', `/api/tenants/${tenantId}/policy/versions/${latest}`);
  expect(dep.body.gateways).toEqual([expect.objectContaining({ gatewayId: g.gatewayId, state: 'succeeded' })]);
  await dialog.getByRole('button', { name: lang === 'ja' ? '閉じる' : 'Close' }).click();
}

describe.each(['ja', 'en'] as const)('maintenance: backups and restore (%s)', (lang) => {
  it('creates backups (no-change message, 3 generations), downloads a .ce, restores from the list and from the file, and deploys to the gateway', { timeout: 150_000 }, async () => {
    const { tenantId, admin } = await createTenant(stack, `Backup ${lang}`, lang);
    const g = await enrollGateway(stack, tenantId, `GW-backup-${lang}`);
    gateways.push(g);
    await until(async () => (await api<{ gateways: Array<{ status: string }> }>(stack, admin, 'GET', `/api/tenants/${tenantId}/gateways`)).body.gateways[0]?.status === 'online', 'the gateway online');

    const { context, page } = await signedIn(browser, stack, admin, lang);
    try {
      await step(page, `ops-backup-create-${lang}`, async () => {
        await page.goto(`${stack.url}/tenants/${tenantId}/admin/maintenance`);
        await page.getByRole('heading', { name: T[lang].title }).waitFor();
        const notice = page.getByTestId('maintenance-notice');
        await setBlockList(admin, tenantId, ['gen1.example']);
        await page.getByRole('button', { name: T[lang].create }).click();
        await notice.getByText(T[lang].created).waitFor();
        await expect.poll(() => rows(page).count()).toBe(1);
        // nothing changed: no new file, and the manual's message
        await page.getByRole('button', { name: T[lang].create }).click();
        await notice.getByText(T[lang].noChange).waitFor();
        expect((await api<{ backups: unknown[] }>(stack, admin, 'GET', `/api/tenants/${tenantId}/backups`)).body.backups).toHaveLength(1);
        // three more changes: the list keeps the newest 3
        for (const n of [2, 3, 4]) {
          await setBlockList(admin, tenantId, [`gen${n}.example`]);
          await page.getByRole('button', { name: T[lang].create }).click();
          await expect.poll(() => rows(page).count()).toBe(Math.min(n, 3));
          await notice.getByText(T[lang].created).waitFor();
        }
        const backups = (await api<{ backups: Array<{ id: string }> }>(stack, admin, 'GET', `/api/tenants/${tenantId}/backups`)).body.backups;
        expect(backups).toHaveLength(3);
        expect(await rows(page).count()).toBe(3);
      });

      // download the oldest kept generation (gen2) as a .ce file
      const file = await step(page, `ops-backup-download-${lang}`, async () => {
        const [dl] = await Promise.all([page.waitForEvent('download'), rows(page).nth(2).getByRole('link', { name: T[lang].download }).click()]);
        expect(dl.suggestedFilename()).toMatch(/\.ce$/);
        const p = path.join(tmp, `${lang}-${dl.suggestedFilename()}`);
        await dl.saveAs(p);
        const doc = JSON.parse(fs.readFileSync(p, 'utf8')) as { tenantId: string; payload: { policy: PolicyDoc } };
        expect(doc.tenantId).toBe(tenantId);
        expect(doc.payload.policy.blockList.map((e) => e.value)).toEqual(['gen2.example']);
        return p;
      });

      // restore the middle generation (gen3) from the list, then deploy all
      await step(page, `ops-backup-restore-list-${lang}`, async () => {
        await rows(page).nth(1).getByRole('button', { name: T[lang].restore }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'OK' }).click();
        await page.getByTestId('maintenance-notice').getByText(T[lang].restored).waitFor();
        expect(await draftBlockList(admin, tenantId)).toEqual(['gen3.example']);
        await deployAllAndWait(page, lang, admin, tenantId, g);
      });

      // restore the downloaded file (gen2) with 参照, then deploy all
      await step(page, `ops-backup-restore-file-${lang}`, async () => {
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: T[lang].browse }).click()]);
        await chooser.setFiles(file);
        await page.getByTestId('restore-file-name').getByText(path.basename(file)).waitFor();
        await page.getByRole('button', { name: T[lang].restore, exact: true }).last().click();
        await page.getByRole('dialog').getByRole('button', { name: 'OK' }).click();
        await page.getByTestId('maintenance-notice').getByText(T[lang].restored).waitFor();
        expect(await draftBlockList(admin, tenantId)).toEqual(['gen2.example']);
        await deployAllAndWait(page, lang, admin, tenantId, g);
      });
    } finally {
      await context.close();
    }
    // the deployment the gateway acknowledged carries the restored (gen2) block list
    await until(async () => {
      const d = await stack.console.services.policy.deploymentFor(tenantId, g.gatewayId);
      return d?.policy.blockList.some((e) => e.value === 'gen2.example');
    }, 'the restored policy deployed');
  });
});
