import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newPage, startStack, step, type Stack } from './harness.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const TEXT = {
  ja: { title: 'ログイン', account: 'アカウント名', forgot: 'パスワードをお忘れですか?', reset: 'パスワードの再設定', tokenMissing: 'パスワード設定用のリンクが正しくありません' },
  en: { title: 'Sign in', account: 'Account name', forgot: 'Forgot your password?', reset: 'Reset your password', tokenMissing: 'The password link is not valid' },
} as const;

describe.each(['ja', 'en'] as const)('sign-in pages (%s)', (lang) => {
  it('an unauthenticated visit to a console page lands on the sign-in form in the browser language', async () => {
    const { context, page } = await newPage(browser, lang);
    try {
      await step(page, `signin-redirect-${lang}`, async () => {
        await page.goto(stack.url + '/tenants/demo/policy/rules');
        await page.getByRole('heading', { name: TEXT[lang].title }).waitFor();
        expect(new URL(page.url()).pathname).toBe('/login');
        expect(new URL(page.url()).searchParams.get('next')).toBe('/tenants/demo/policy/rules');
        expect(await page.getByLabel(TEXT[lang].account).count()).toBe(1);
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      });
    } finally {
      await context.close();
    }
  });

  it('the forgotten-password link and a set-password page without a token', async () => {
    const { context, page } = await newPage(browser, lang);
    try {
      await step(page, `signin-reset-${lang}`, async () => {
        await page.goto(stack.url + '/login');
        await page.getByRole('link', { name: TEXT[lang].forgot }).click();
        await page.getByRole('heading', { name: TEXT[lang].reset }).waitFor();
        await page.goto(stack.url + '/set-password');
        await page.getByText(TEXT[lang].tokenMissing).waitFor();
      });
    } finally {
      await context.close();
    }
  });
});

describe('language switch', () => {
  it('switches between Japanese and English and keeps the choice', async () => {
    const { context, page } = await newPage(browser, 'ja');
    try {
      await step(page, 'language-switch', async () => {
        await page.goto(stack.url + '/login');
        await page.getByRole('heading', { name: 'ログイン' }).waitFor();
        await page.getByText('English', { exact: true }).click();
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        await page.reload();
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        expect(await page.locator('html').getAttribute('lang')).toBe('en');
        await page.getByText('日本語', { exact: true }).click();
        await page.getByRole('heading', { name: 'ログイン' }).waitFor();
      });
    } finally {
      await context.close();
    }
  });
});
