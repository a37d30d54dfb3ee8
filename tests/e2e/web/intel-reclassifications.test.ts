/**
 * The URL reclassification page in real Chromium, in Japanese and English: reached from the
 * policy side menu; a request without a URL or category is refused next to the field, an
 * invalid URL with the console's message; a valid one (URL + category from the taxonomy + note)
 * is listed with its category name and status and stored through the console API; deleting asks
 * first and empties both the page and the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Reclassification } from '@mamori/policy';
import { launchBrowser, signInTenantAdmin, startStack, step, type Stack } from './harness.js';

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
    menu: 'URL再分類', request: 'URL再分類の申請', url: 'URL', category: 'カテゴリ', note: 'メモ', submit: '申請', none: 'URL再分類はまだありません。',
    entryRequired: 'URLを入力してください。', categoryRequired: 'カテゴリを選択してください。', gambling: 'ギャンブル (gambling)', gamblingName: 'ギャンブル',
    badEntry: '「bad host name」は正しいURL、ワイルドカードドメイン (*.example.com)、またはIPアドレスではありません。', status: '保存済み (次回の適用で反映)',
    saved: 'games.example.com のURL再分類を保存しました。', del: '削除', ok: 'OK', removed: 'games.example.com のURL再分類を削除しました。',
  },
  en: {
    menu: 'URL Reclassification', request: 'Request a reclassification', url: 'URL', category: 'Category', note: 'Note', submit: 'Submit', none: 'No reclassifications yet.',
    entryRequired: 'Enter a URL.', categoryRequired: 'Choose a category.', gambling: 'Gambling (gambling)', gamblingName: 'Gambling',
    badEntry: '"bad host name" is not a valid URL, wildcard domain (*.example.com) or IP address.', status: 'Saved: applied at the next deployment',
    saved: 'Reclassification of games.example.com saved.', del: 'Delete', ok: 'OK', removed: 'Reclassification of games.example.com deleted.',
  },
} as const;

describe.each(['ja', 'en'] as const)('URL reclassification (%s)', (lang) => {
  const L = T[lang];
  it('requests a reclassification with validation, lists it with its status, deletes it', { timeout: 120_000 }, async () => {
    const s = await signInTenantAdmin(stack, browser, lang);
    const { page } = s;
    const apiList = async () => (await s.api<{ reclassifications: Reclassification[] }>('GET', `/api/tenants/${s.tenantId}/intel/reclassifications`)).reclassifications;
    try {
      await step(page, 'open from the policy menu', async () => {
        await page.goto(`${stack.url}/tenants/${s.tenantId}/policy/rules`);
        await page.getByRole('link', { name: L.menu, exact: true }).click();
        await page.waitForURL(/\/policy\/reclassifications$/);
        await page.getByRole('heading', { name: L.menu, exact: true }).waitFor();
        await page.getByText(L.none).waitFor();
      });
      const form = page.getByTestId('reclass-form');
      await step(page, 'missing URL and category are refused next to the fields', async () => {
        await form.getByRole('button', { name: L.submit, exact: true }).click();
        await form.getByText(L.entryRequired).waitFor();
        await form.getByText(L.categoryRequired).waitFor();
        expect(await apiList()).toEqual([]);
      });
      const pickGambling = async () => {
        await form.getByRole('combobox', { name: L.category, exact: true }).click();
        await form.getByRole('combobox', { name: L.category, exact: true }).fill('gambl');
        await page.getByRole('option', { name: L.gambling, exact: true }).click();
      };
      await step(page, 'an invalid URL gets the console message and keeps the input', async () => {
        await form.getByRole('textbox', { name: L.url, exact: true }).fill('bad host name');
        await pickGambling();
        await form.getByRole('button', { name: L.submit, exact: true }).click();
        await form.getByText(L.badEntry).waitFor();
        expect(await form.getByRole('textbox', { name: L.url, exact: true }).inputValue()).toBe('bad host name');
        expect(await apiList()).toEqual([]);
      });
      await step(page, 'a valid request is saved, listed with the category name and status', async () => {
        await form.getByRole('textbox', { name: L.url, exact: true }).fill('games.example.com');
        await form.getByRole('textbox', { name: L.note, exact: true }).fill('our casino partner');
        await form.getByRole('button', { name: L.submit, exact: true }).click();
        await page.getByText(L.saved).waitFor();
        const row = page.getByTestId('reclass-row-games.example.com');
        await row.waitFor();
        expect(await row.getByRole('cell').allInnerTexts()).toEqual(['games.example.com', L.gamblingName, 'our casino partner', L.status, L.del]);
        expect(await apiList()).toEqual([{ entry: 'games.example.com', categories: ['gambling'], note: 'our casino partner' }]);
        expect(await form.getByRole('textbox', { name: L.url, exact: true }).inputValue()).toBe('');
      });
      await step(page, 'kept across a reload; deleting asks first', async () => {
        await page.reload();
        const row = page.getByTestId('reclass-row-games.example.com');
        await row.waitFor();
        await row.getByRole('button', { name: `${L.del} games.example.com`, exact: true }).click();
        await page.getByRole('dialog').getByRole('button', { name: L.ok, exact: true }).click();
        await page.getByText(L.removed).waitFor();
        await row.waitFor({ state: 'detached' });
        await page.getByText(L.none).waitFor();
        expect(await apiList()).toEqual([]);
      });
    } finally {
      await s.context.close();
    }
  });
});
