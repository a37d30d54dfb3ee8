/**
 * Manual §7 in real Chromium: the report list with the protected monthly report (tenant roles
 * cannot edit or delete it), 追加 with name, description, enabled, schedule, period and mail
 * recipients, 今すぐ実行, and the PDF / Excel downloads (checked to be real PDF and xlsx files).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Download } from 'playwright-core';
import { launchBrowser, step } from './harness.js';
import { api, createAccount, createTenant, signedIn, startOpsStack, type OpsStack } from './ops-harness.js';

let stack: OpsStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startOpsStack();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const T = {
  ja: {
    title: 'レポート', add: '追加', name: 'レポート名', description: '説明', schedule: 'レポート生成スケジュール', period: '期間', onDemand: 'オンデマンド', weekly: '毎週',
    lastHour: '過去1時間', recipients: 'メールの受信者', on: 'オン', off: 'オフ', save: '保存', runNow: '今すぐ実行', protected: '削除および編集はできません', edit: '編集', del: '削除',
  },
  en: {
    title: 'Reports', add: 'Add', name: 'Report name', description: 'Description', schedule: 'Generation schedule', period: 'Period', onDemand: 'On demand', weekly: 'Weekly',
    lastHour: 'Last hour', recipients: 'Mail recipients', on: 'On', off: 'Off', save: 'Save', runNow: 'Run now', protected: 'It cannot be deleted or edited', edit: 'Edit', del: 'Delete',
  },
} as const;

interface ReportView { id: string; name: string; description: string; enabled: boolean; builtin: boolean; schedule: string; period: { kind: string }; mailEnabled: boolean; recipients: string[]; runs: Array<{ id: string; status: string; mailedTo: string[] }> }

async function bytesOf(dl: Download): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const s = await dl.createReadStream();
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe.each(['ja', 'en'] as const)('reports (%s)', (lang) => {
  it('lists the protected monthly report, adds a report, runs it now and downloads a real PDF and xlsx', { timeout: 120_000 }, async () => {
    const { tenantId, admin } = await createTenant(stack, `Reports ${lang}`, lang);
    const viewer = await createAccount(stack, tenantId, 'tenantViewer', lang);
    const reportName = lang === 'ja' ? 'テストレポート' : 'Test report';
    const recipient = `reports-${lang}@example.com`;
    let mine: ReportView | undefined;
    const { context, page } = await signedIn(browser, stack, admin, lang);
    try {
      await step(page, `ops-reports-add-${lang}`, async () => {
        await page.goto(`${stack.url}/tenants/${tenantId}/analytics/reports`);
        await page.getByRole('heading', { name: T[lang].title }).waitFor();
        const table = page.getByTestId('reports-table');
        const monthly = table.getByRole('row').filter({ hasText: T[lang].protected });
        await monthly.waitFor();
        // the tenant administrator gets neither edit nor delete on the monthly report
        expect(await monthly.getByRole('button', { name: T[lang].edit }).count()).toBe(0);
        expect(await monthly.getByRole('button', { name: T[lang].del }).count()).toBe(0);

        await page.getByRole('button', { name: T[lang].add, exact: true }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel(T[lang].name).fill(reportName);
        await dialog.getByLabel(T[lang].description, { exact: true }).fill('e2e');
        await dialog.getByTestId('onoff-report-enabled').getByLabel(T[lang].on).check();
        await dialog.getByLabel(T[lang].schedule, { exact: true }).click();
        await page.getByRole('option', { name: T[lang].onDemand }).click();
        await dialog.getByLabel(T[lang].period, { exact: true }).click();
        await page.getByRole('option', { name: T[lang].lastHour }).click();
        await dialog.getByTestId('onoff-report-notify').getByLabel(T[lang].on).check();
        await dialog.getByLabel(T[lang].recipients).fill(`${recipient}, second-${lang}@example.com`);
        await dialog.getByRole('button', { name: T[lang].save }).click();
        await dialog.waitFor({ state: 'detached' });
        await table.getByRole('row').filter({ hasText: reportName }).waitFor();
      });
      const reports = (await api<ReportView[]>(stack, admin, 'GET', '/api/analytics/reports')).body;
      mine = reports.find((r) => r.name === reportName);
      expect(mine).toMatchObject({ description: 'e2e', enabled: true, builtin: false, schedule: 'on-demand', period: { kind: 'last-hour' }, mailEnabled: true, recipients: [recipient, `second-${lang}@example.com`] });
      const builtin = reports.find((r) => r.builtin);
      expect(builtin).toBeDefined();
      const put = await api<{ error: { code: string } }>(stack, admin, 'PUT', `/api/analytics/reports/${builtin!.id}`, { name: 'changed' });
      expect(put.status).toBe(403);
      expect(put.body.error.code).toBe('report.protected');
      expect((await api(stack, admin, 'DELETE', `/api/analytics/reports/${builtin!.id}`)).status).toBe(403);

      await step(page, `ops-reports-run-${lang}`, async () => {
        const row = page.getByTestId(`report-${mine!.id}`);
        await row.getByRole('button', { name: T[lang].runNow }).click();
        const pdfLink = row.getByRole('link', { name: 'PDF' });
        await pdfLink.waitFor({ timeout: 60_000 });
        const [pdf] = await Promise.all([page.waitForEvent('download'), pdfLink.click()]);
        expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
        const pdfBytes = await bytesOf(pdf);
        expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        expect(pdfBytes.subarray(-64).toString('latin1')).toContain('%%EOF');
        const [xlsx] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Excel' }).click()]);
        expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
        const x = await bytesOf(xlsx);
        expect(x.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
        expect(x.includes(Buffer.from('xl/workbook.xml'))).toBe(true);
      });
    } finally {
      await context.close();
    }
    const after = (await api<ReportView[]>(stack, admin, 'GET', '/api/analytics/reports')).body.find((r) => r.name === reportName)!;
    expect(after.runs[0]).toMatchObject({ status: 'done', mailedTo: [recipient, `second-${lang}@example.com`] });
    const outbox = (await api<{ mails: Array<{ to: string | string[]; subject: string }> }>(stack, admin, 'GET', `/api/tenants/${tenantId}/outbox`)).body.mails;
    expect(outbox.some((m) => JSON.stringify(m.to).includes(recipient))).toBe(true);

    // a viewer sees the list but cannot add or run
    const v = await signedIn(browser, stack, viewer, lang);
    try {
      await step(v.page, `ops-reports-viewer-${lang}`, async () => {
        await v.page.goto(`${stack.url}/tenants/${tenantId}/analytics/reports`);
        const row = v.page.getByTestId(`report-${mine!.id}`);
        await row.waitFor();
        expect(await v.page.getByRole('button', { name: T[lang].add, exact: true }).count()).toBe(0);
        expect(await row.getByRole('button', { name: T[lang].runNow }).isDisabled()).toBe(true);
      });
    } finally {
      await v.context.close();
    }
    expect((await api(stack, viewer, 'POST', `/api/analytics/reports/${mine!.id}/run`)).status).toBe(403);
  });
});
