/**
 * The manual's §3 sign-in flows in real Chromium against a real console (SQLite, port 0):
 * the operator and a tenant administrator set their passwords from the mailed links, sign in,
 * accept the privacy notice once, open the console from the service portal; password reset.
 * Once in Japanese and once in English; assertions on the page and on the console's state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage, startStack, step, type Stack } from './harness.js';

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
    submit: '送信', password: 'パスワード', newPassword: '新しいパスワード', confirm: 'パスワードの確認入力', account: 'アカウント名', signIn: 'ログイン',
    passwordSet: 'パスワードを設定しました', privacy: 'プライバシーポリシー', portal: 'ご契約のサービス', open: 'コンソールを開く', operator: 'オペレーター',
    addTenant: 'テナントの追加', tenantName: 'テナント名', adminEmail: '管理者様アドレス', save: '保存', created: 'テナントを作成しました',
    menu: ['ダッシュボード', 'ゲートウェイ', 'ポリシー', '分析とレポート', '管理'], signOut: 'ログアウト', forgot: 'パスワードをお忘れですか?', resetSent: 'パスワード設定用のリンクをメールで送信しました',
    model: 'Mamori 50 (50ユーザ)',
  },
  en: {
    submit: 'Submit', password: 'Password', newPassword: 'New password', confirm: 'Confirm password', account: 'Account name', signIn: 'Sign in',
    passwordSet: 'Your password has been set', privacy: 'Privacy policy', portal: 'Your services', open: 'Open console', operator: 'Operator',
    addTenant: 'Add tenant', tenantName: 'Tenant name', adminEmail: 'Administrator address', save: 'Save', created: 'The tenant was created',
    menu: ['Dashboard', 'Gateways', 'Policies', 'Analytics & Reports', 'Administration'], signOut: 'Sign out', forgot: 'Forgot your password?', resetSent: 'A password link has been sent by mail',
    model: 'Mamori 50 (50 users)',
  },
} as const;

async function setPassword(page: Page, lang: 'ja' | 'en', link: string, accountId: string, password: string) {
  await page.goto(link);
  await expect.poll(() => page.getByTestId('login-id').inputValue()).toBe(accountId);
  await page.getByLabel(T[lang].newPassword).fill(password);
  await page.getByLabel(T[lang].confirm).fill(password);
  await page.getByRole('button', { name: T[lang].submit }).click();
  await page.getByText(T[lang].passwordSet).waitFor();
}

async function signIn(page: Page, lang: 'ja' | 'en', accountId: string, password: string) {
  if (!new URL(page.url()).pathname.startsWith('/login')) await page.goto(stack.url + '/login');
  await page.locator('input[name="accountId"]').fill(accountId);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: T[lang].signIn, exact: true }).click();
}

function linkIn(text: string, path: string): string {
  const m = new RegExp(`https?://[^\\s]*${path}\\?token=[A-Za-z0-9_-]+`).exec(text);
  if (!m) throw new Error(`no ${path} link in mail:\n${text}`);
  return m[0];
}

describe.each(['ja', 'en'] as const)('sign-in, privacy notice, service portal, password reset (%s)', (lang) => {
  it('operator creates a tenant; its administrator signs in from the mailed link and opens the console', { timeout: 240_000 }, async () => {
    const { services } = stack.console;
    const op = await services.auth.createAccount({ tenantId: null, role: 'operator', email: `op-${lang}@example.com`, name: 'Operator', lang });
    const { context, page } = await newPage(browser, lang);
    try {
      await step(page, `flow-operator-${lang}`, async () => {
        await setPassword(page, lang, op.setPasswordUrl, op.account.id, 'operator-pass-1234');
        await signIn(page, lang, op.account.id, 'operator-pass-1234');
        await page.getByRole('heading', { name: T[lang].privacy }).waitFor();
        await page.getByRole('button', { name: 'OK' }).click();
        await page.getByRole('heading', { name: T[lang].portal }).waitFor();
        await page.getByRole('button', { name: T[lang].operator }).click();
        await page.getByRole('button', { name: T[lang].addTenant }).click();
        await page.getByLabel(T[lang].tenantName).fill(`Office ${lang}`);
        await page.getByLabel(T[lang].adminEmail).fill(`admin-${lang}@example.com`);
        await page.getByRole('dialog').getByRole('button', { name: T[lang].save }).click();
        await page.getByText(T[lang].created).waitFor();
        await page.getByRole('cell', { name: `Office ${lang}` }).waitFor();
      });
    } finally {
      await context.close();
    }
    const tenants = await services.store.tenants.list();
    const tenant = tenants.find((x) => x.name === `Office ${lang}`);
    expect(tenant?.model).toBe(50);
    const opRow = await services.store.accounts.byId(op.account.id);
    expect(opRow?.privacy_accepted_at).not.toBeNull();

    // the administrator's new-account mail (outbox: no SMTP in tests)
    const mails = await services.store.outbox.listAll();
    const mail = mails.find((m) => m.to_addr === `admin-${lang}@example.com`);
    expect(mail).toBeDefined();
    const adminId = /TMF\d{10}/.exec(mail!.text)?.[0];
    expect(adminId).toBeDefined();
    const setLink = linkIn(mail!.text, '/set-password');

    const admin = await newPage(browser, lang);
    try {
      await step(admin.page, `flow-admin-${lang}`, async () => {
        const p = admin.page;
        await setPassword(p, lang, setLink, adminId!, 'admin-pass-123456');
        await signIn(p, lang, adminId!, 'admin-pass-123456');
        await p.getByRole('heading', { name: T[lang].privacy }).waitFor();
        await p.getByRole('button', { name: 'OK' }).click();
        await p.getByText(T[lang].model).waitFor();
        await p.getByRole('button', { name: T[lang].open }).click();
        await p.waitForURL(/\/tenants\/[^/]+\/dashboard$/);
        const nav = p.getByRole('navigation', { name: 'main' });
        for (const item of T[lang].menu) await nav.getByRole('link', { name: item, exact: true }).waitFor();
        expect(await nav.getByRole('link').allTextContents()).toEqual([...T[lang].menu]);

        // the privacy notice is asked once only
        await p.getByTestId('account-menu').click();
        await p.getByRole('menuitem', { name: T[lang].signOut }).click();
        await p.waitForURL(/\/login/);
        await signIn(p, lang, adminId!, 'admin-pass-123456');
        await p.getByRole('heading', { name: T[lang].portal }).waitFor();

        // password reset from the sign-in page
        await p.getByRole('button', { name: T[lang].signOut }).click();
        await p.waitForURL(/\/login/);
        await p.getByRole('link', { name: T[lang].forgot }).click();
        await p.getByLabel(T[lang].account).fill(adminId!);
        await p.getByRole('button', { name: T[lang].submit }).click();
        await p.getByText(T[lang].resetSent).waitFor();
      });
      const resetMail = (await services.store.outbox.listAll()).filter((m) => m.to_addr === `admin-${lang}@example.com`).find((m) => /reset-password\?token=/.test(m.text));
      expect(resetMail).toBeDefined();
      await step(admin.page, `flow-reset-${lang}`, async () => {
        const p = admin.page;
        await setPassword(p, lang, linkIn(resetMail!.text, '/reset-password'), adminId!, 'new-admin-pass-9876');
        await signIn(p, lang, adminId!, 'new-admin-pass-9876');
        await p.getByRole('heading', { name: T[lang].portal }).waitFor();
      });
      const row = await services.store.accounts.byId(adminId!);
      expect(row?.privacy_accepted_at).not.toBeNull();
      expect(row?.tenant_id).toBe(tenant!.id);
    } finally {
      await admin.context.close();
    }
  });
});
