/**
 * Manual §6-4 (allow and block lists: 追加, URL / wildcard / IP, validation, 保存, すべて配信),
 * §6-5 (HTTPS decryption switches) and §6-6 (every mail-security switch, the exceptions and the
 * protocol list with custom SSL ports) in real Chromium; assertions on the page and the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Policy } from '@mamori/policy';
import { launchBrowser, signInTenantAdmin, startStack, step, type Stack, type TenantSession } from './harness.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const T = {
  ja: {
    lists: '許可/ブロックリスト', allow: '許可リスト', block: 'ブロックリスト', add: '追加', addAllow: '許可するURLの追加/編集', addBlock: 'ブロックするURLの追加/編集',
    save: '保存', deployAll: 'すべて配信', noGateways: '配信先のゲートウェイがありません。', close: '閉じる', ok: 'OK', delete: '削除', edit: '編集',
    invalid: (v: string) => `「${v}」は正しいURL、ワイルドカードドメイン (*.example.com)、またはIPアドレスではありません。`,
    pending: '設定が変更されました。[すべて配信]をクリックして変更を反映してください。',
    profiles: 'セキュリティプロファイル', https: 'HTTPS復号', mail: 'メールセキュリティ対策', on: 'オン', off: 'オフ', saved: '保存しました。', tag: 'タグの追加',
    badPorts: 'ポート番号 (1〜65535) をカンマで区切って入力してください。', badEmail: '「not-an-address」は正しいメールアドレスではありません。', senders: 'メール送信者',
    allowFt: '許可するファイルタイプ', blockFt: 'ブロックするファイルタイプ', ssl: 'カスタムSSLポート', keywords: 'キーワード',
  },
  en: {
    lists: 'Allow/Block Lists', allow: 'Allow list', block: 'Block list', add: 'Add', addAllow: 'Add/Edit allowed URL', addBlock: 'Add/Edit blocked URL',
    save: 'Save', deployAll: 'Deploy all', noGateways: 'There are no gateways to deploy to.', close: 'Close', ok: 'OK', delete: 'Delete', edit: 'Edit',
    invalid: (v: string) => `"${v}" is not a valid URL, wildcard domain (*.example.com) or IP address.`,
    pending: 'Settings have changed. Click [Deploy all] to apply the changes.',
    profiles: 'Security Profiles', https: 'HTTPS decryption', mail: 'Email security', on: 'On', off: 'Off', saved: 'Saved.', tag: 'Add tag',
    badPorts: 'Enter port numbers (1–65535) separated by commas.', badEmail: '"not-an-address" is not a valid email address.', senders: 'Mail senders',
    allowFt: 'Allowed file types', blockFt: 'Blocked file types', ssl: 'Custom SSL ports', keywords: 'Keywords',
  },
} as const;

async function draft(s: TenantSession): Promise<Policy> {
  return (await s.api<{ policy: Policy }>('GET', `/api/tenants/${s.tenantId}/policy`)).policy;
}

describe.each(['ja', 'en'] as const)('allow/block lists §6-4, HTTPS decryption §6-5, mail security §6-6 (%s)', (lang) => {
  const L = T[lang];

  it('adds wildcard, URL and IP entries with validation, edits and deletes one, then deploys', { timeout: 90_000 }, async () => {
    const s = await signInTenantAdmin(stack, browser, lang);
    const { page } = s;
    try {
      await step(page, `lists-allow-${lang}`, async () => {
        await page.goto(`${stack.url}/tenants/${s.tenantId}/policy/lists`);
        await page.getByRole('heading', { name: L.lists }).waitFor();
        await page.getByTestId('allowList-table').getByText('*.apple.com', { exact: true }).waitFor();
        await page.getByRole('tabpanel').getByRole('button', { name: L.add, exact: true }).click();
        const dlg = page.getByRole('dialog', { name: L.addAllow });
        await dlg.locator('input[name="list-value"]').fill('*.exa mple..com');
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await dlg.getByText(L.invalid('*.exa mple..com')).waitFor();
        expect(await dlg.locator('input[name="list-value"]').inputValue()).toBe('*.exa mple..com');
        await dlg.locator('input[name="list-value"]').fill('*.partner.example.co.jp');
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await dlg.waitFor({ state: 'detached' });
        await page.getByTestId('allowList-table').getByText('*.partner.example.co.jp', { exact: true }).waitFor();
        await page.getByTestId('deploy-banner').getByText(L.pending).waitFor();
      });

      await step(page, `lists-block-${lang}`, async () => {
        await page.getByRole('tab', { name: L.block }).click();
        const panel = page.getByRole('tabpanel');
        for (const v of ['203.0.113.9', 'files.example.net/downloads/', 'cdn.example.org']) {
          await panel.getByRole('button', { name: L.add, exact: true }).click();
          const dlg = page.getByRole('dialog', { name: L.addBlock });
          await dlg.locator('input[name="list-value"]').fill(v);
          await dlg.getByRole('button', { name: L.save, exact: true }).click();
          await dlg.waitFor({ state: 'detached' });
          await page.getByTestId('blockList-table').getByText(v, { exact: true }).waitFor();
        }
        // edit the last entry into a wildcard, delete the IP (with the confirmation)
        await page.getByTestId('blockList-table').locator('tr', { hasText: 'cdn.example.org' }).getByRole('button', { name: L.edit }).click();
        const dlg = page.getByRole('dialog', { name: L.addBlock });
        await dlg.locator('input[name="list-value"]').fill('*.example.org');
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await page.getByTestId('blockList-table').getByText('*.example.org', { exact: true }).waitFor();
        await page.getByRole('button', { name: `${L.delete} 203.0.113.9` }).click();
        await page.getByRole('dialog').getByRole('button', { name: L.ok }).click();
        await page.getByTestId('blockList-table').getByText('203.0.113.9', { exact: true }).waitFor({ state: 'detached' });
      });
      const p = await draft(s);
      expect(p.allowList.map((e) => e.value)).toContain('*.partner.example.co.jp');
      expect(p.blockList.map((e) => e.value)).toEqual(['files.example.net/downloads/', '*.example.org']);

      await step(page, `lists-deploy-${lang}`, async () => {
        await page.getByRole('button', { name: L.deployAll }).last().click();
        await page.getByRole('dialog').getByTestId('deploy-result').getByText(L.noGateways, { exact: false }).waitFor();
        await page.getByRole('dialog').getByRole('button', { name: L.close }).click();
        await page.getByTestId('deploy-banner').waitFor({ state: 'detached' });
      });
      const st = await s.api<{ differs: boolean; deployedVersion: number | null }>('GET', `/api/tenants/${s.tenantId}/policy`);
      expect(st.differs).toBe(false);
      expect(st.deployedVersion).not.toBeNull();
      // the deployed version blocks the wildcard: the simulator explains it with the list entry
      const sim = await s.api<{ decision: string; reason: { kind: string; entry?: string } }>('POST', `/api/tenants/${s.tenantId}/policy/simulate`, {
        source: 'deployed', flow: { srcIp: '192.168.1.10', dstHost: 'www.example.org', dstPort: 443, protocol: 'tcp', url: 'https://www.example.org/' },
      });
      expect(sim).toMatchObject({ decision: 'block', reason: { kind: 'blockList', entry: '*.example.org' } });
    } finally {
      await s.context.close();
    }
  });

  it('turns HTTPS decryption on and sets every mail-security switch, exception and protocol', { timeout: 90_000 }, async () => {
    const s = await signInTenantAdmin(stack, browser, lang);
    const { page } = s;
    const radio = (name: string, value: string) => page.locator(`input[name="${name}"][value="${value}"]`);
    try {
      await step(page, `profiles-https-${lang}`, async () => {
        await page.goto(`${stack.url}/tenants/${s.tenantId}/policy/profiles`);
        await page.getByRole('heading', { name: '[50-1] 初期設定のプロファイル' }).waitFor();
        await page.getByRole('tab', { name: L.https }).click();
        await radio('https-enabled', 'on').check();
        await radio('https-smartBypass', 'off').check();
        await page.getByRole('button', { name: L.save, exact: true }).click();
        await page.getByRole('status').getByText(L.saved).waitFor();
        await page.getByTestId('deploy-banner').getByText(L.pending).waitFor();
      });
      const h = (await draft(s)).profiles[0]!.httpsDecryption;
      expect(h).toEqual({ enabled: true, smartBypass: false, blockInvalidCertificates: true });

      await step(page, `profiles-mail-${lang}`, async () => {
        await page.getByRole('tab', { name: L.mail }).click();
        await radio('mail-antiMalware-action', 'tag').check();
        await radio('mail-machineLearning', 'off').check();
        await radio('mail-antiSpam-action', 'block').check();
        await radio('mail-emailReputation', 'off').check();
        await radio('mail-contentFilter', 'on').check();
        await page.getByLabel(L.keywords).fill('confidential\n社外秘');
        await radio('mail-contentFilter-action', 'block').check();
        await radio('mail-myNumber', 'on').check();
        await radio('mail-myNumber-action', 'block').check();
        await radio('mail-sandbox', 'off').check();
        // exceptions: file types and a sender (a bad address is refused next to the field)
        await page.getByRole('checkbox', { name: `${L.allowFt} pdf`, exact: true }).check();
        await page.getByRole('checkbox', { name: `${L.blockFt} exe`, exact: true }).check();
        await page.getByRole('textbox', { name: L.senders, exact: true }).fill('not-an-address');
        await page.getByRole('button', { name: L.add, exact: true }).click();
        await page.getByRole('textbox', { name: L.senders, exact: true }).fill('boss@example.co.jp');
        await page.getByRole('button', { name: L.add, exact: true }).click();
        // protocols: SMTPS on, IMAP off; custom SSL ports (a bad list shows the error and is kept)
        await radio('proto-smtps', 'on').check();
        await radio('proto-imap', 'off').check();
        const smtpsPorts = page.getByRole('textbox', { name: `${L.ssl} SMTPS` });
        await smtpsPorts.fill('2465, 99999');
        await page.getByRole('button', { name: L.save, exact: true }).click();
        await page.getByText(L.badPorts).waitFor();
        expect(await smtpsPorts.inputValue()).toBe('2465, 99999');
        await smtpsPorts.fill('2465, 10465');
        await page.getByRole('button', { name: L.save, exact: true }).click();
        await page.getByText(L.badEmail).waitFor();
        await page.getByRole('button', { name: `${L.delete} not-an-address` }).click();
        await page.getByRole('button', { name: L.save, exact: true }).click();
        await page.getByRole('status').getByText(L.saved).waitFor();
      });
      const e = (await draft(s)).profiles[0]!.email;
      expect(e).toEqual({
        antiMalware: { enabled: true, action: 'tag' },
        machineLearning: { enabled: false },
        antiSpam: { enabled: true, action: 'block' },
        emailReputation: { enabled: false },
        contentFilter: { enabled: true, action: 'block', keywords: ['confidential', '社外秘'] },
        myNumber: { enabled: true, action: 'block' },
        sandbox: { enabled: false },
        exceptions: { fileTypes: { allow: ['pdf'], block: ['exe'] }, senders: ['boss@example.co.jp'] },
        protocols: { smtp: true, pop3: true, imap: false, smtps: true, pop3s: false, imaps: false },
        customSslPorts: { smtps: [2465, 10465], pop3s: [], imaps: [] },
      });
      // after a reload the page shows what was stored
      await step(page, `profiles-reload-${lang}`, async () => {
        await page.reload();
        await page.getByRole('tab', { name: L.mail }).click();
        expect(await radio('mail-machineLearning', 'off').isChecked()).toBe(true);
        expect(await page.getByRole('textbox', { name: `${L.ssl} SMTPS` }).inputValue()).toBe('2465, 10465');
        await page.getByText('boss@example.co.jp', { exact: true }).waitFor();
      });
    } finally {
      await s.context.close();
    }
  });
});
