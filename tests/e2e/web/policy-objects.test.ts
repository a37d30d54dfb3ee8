/**
 * The policy objects pages in real Chromium: addresses (and MAC addresses), services, users and
 * user groups, custom categories. Each adds an object, shows the validation error next to the
 * field without losing the input, edits, deletes (confirmed), and checks the draft through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
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
    add: '追加', save: '保存', edit: '編集', delete: '削除', ok: 'OK', addressTitle: 'アドレスオブジェクトの追加/編集', macTitle: 'MACアドレスオブジェクト',
    serviceTitle: 'サービスオブジェクト', userTitle: 'ユーザ', groupTitle: 'ユーザグループ', categoryTitle: 'カスタムカテゴリ', addEntry: 'エントリの追加',
    badCidr: '「10.1.0.0/33」のプレフィックス長が正しくありません。', badMac: '「00:11:22:33:44」は正しいMACアドレスではありません。',
    badPort: '「70000」は正しいポートまたはポート範囲ではありません (1〜65535)。', badEntry: '「bad host name」は正しいURL、ワイルドカードドメイン (*.example.com)、またはIPアドレスではありません。',
    badFamily: '「192.168.1.1」はIPv6アドレスではありません。', pending: '設定が変更されました。', type: '種類', ports: 'ポート', protocol: 'プロトコル', members: 'メンバー',
  },
  en: {
    add: 'Add', save: 'Save', edit: 'Edit', delete: 'Delete', ok: 'OK', addressTitle: 'Add/edit address object', macTitle: 'MAC address objects',
    serviceTitle: 'Service objects', userTitle: 'Users', groupTitle: 'User groups', categoryTitle: 'Custom categories', addEntry: 'Add entry',
    badCidr: 'The prefix length in "10.1.0.0/33" is not valid.', badMac: '"00:11:22:33:44" is not a valid MAC address.',
    badPort: '"70000" is not a valid port or port range (1–65535).', badEntry: '"bad host name" is not a valid URL, wildcard domain (*.example.com) or IP address.',
    badFamily: '"192.168.1.1" is not an IPv6 address.', pending: 'Settings have changed.', type: 'Type', ports: 'Ports', protocol: 'Protocol', members: 'Members',
  },
} as const;

async function draft(s: TenantSession): Promise<Policy> {
  return (await s.api<{ policy: Policy }>('GET', `/api/tenants/${s.tenantId}/policy`)).policy;
}

const table = (page: Page, kind: string) => page.getByTestId(`object-table-${kind}`);

async function openAdd(page: Page, kind: string, L: (typeof T)['ja' | 'en'], title: string): Promise<Locator> {
  await table(page, kind).getByRole('button', { name: L.add, exact: true }).click();
  const dlg = page.getByRole('dialog', { name: title });
  await dlg.waitFor();
  return dlg;
}

async function saveAndClose(dlg: Locator, L: (typeof T)['ja' | 'en']) {
  await dlg.getByRole('button', { name: L.save, exact: true }).click();
  await dlg.waitFor({ state: 'detached' });
}

async function removeRow(page: Page, kind: string, name: string, L: (typeof T)['ja' | 'en']) {
  await table(page, kind).getByRole('button', { name: `${L.delete} ${name}`, exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: L.ok }).click();
  await table(page, kind).getByRole('cell', { name, exact: true }).waitFor({ state: 'detached' });
}

describe.each(['ja', 'en'] as const)('policy objects (%s)', (lang) => {
  const L = T[lang];

  it('addresses and MAC addresses: add with validation, edit, delete', { timeout: 90_000 }, async () => {
    const s = await signInTenantAdmin(stack, browser, lang);
    const { page } = s;
    try {
      await step(page, `objects-addresses-${lang}`, async () => {
        await page.goto(`${stack.url}/tenants/${s.tenantId}/policy/objects/addresses`);
        let dlg = await openAdd(page, 'addresses', L, L.addressTitle);
        await dlg.locator('input[name="address-name"]').fill('Branch');
        await dlg.locator('textarea[name="address-value"]').fill('10.1.0.0/33');
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await dlg.getByText(L.badCidr).waitFor();
        expect(await dlg.locator('textarea[name="address-value"]').inputValue()).toBe('10.1.0.0/33');
        await dlg.locator('textarea[name="address-value"]').fill('10.1.0.0/16, 10.2.0.1-10.2.0.9');
        await saveAndClose(dlg, L);
        await table(page, 'addresses').getByRole('cell', { name: '10.1.0.0/16, 10.2.0.1-10.2.0.9' }).waitFor();
        // an FQDN object and an IPv6 one whose address is of the wrong family
        dlg = await openAdd(page, 'addresses', L, L.addressTitle);
        await dlg.locator('input[name="address-name"]').fill('v6 office');
        await dlg.getByLabel(L.type, { exact: true }).click();
        await page.getByRole('option', { name: 'IPv6', exact: true }).click();
        await dlg.locator('textarea[name="address-value"]').fill('192.168.1.1');
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await dlg.getByText(L.badFamily).waitFor();
        await dlg.locator('textarea[name="address-value"]').fill('2001:db8::/48');
        await saveAndClose(dlg, L);
        // edit
        await table(page, 'addresses').locator('tr', { hasText: 'Branch' }).getByRole('button', { name: L.edit }).click();
        dlg = page.getByRole('dialog', { name: L.addressTitle });
        expect(await dlg.locator('input[name="address-name"]').inputValue()).toBe('Branch');
        await dlg.locator('input[name="address-name"]').fill('Branch office');
        await saveAndClose(dlg, L);
        await table(page, 'addresses').getByRole('cell', { name: 'Branch office', exact: true }).waitFor();
        // MAC addresses
        dlg = await openAdd(page, 'macs', L, L.macTitle);
        await dlg.locator('input[name="mac-name"]').fill('Printers');
        await dlg.locator('textarea[name="mac-value"]').fill('00:11:22:33:44:55, 00:11:22:33:44');
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await dlg.getByText(L.badMac).waitFor();
        await dlg.locator('textarea[name="mac-value"]').fill('00:11:22:33:44:55, 00-11-22-33-44-66');
        await saveAndClose(dlg, L);
        await table(page, 'macs').getByRole('cell', { name: 'Printers', exact: true }).waitFor();
        await removeRow(page, 'addresses', 'v6 office', L);
      });
      const p = await draft(s);
      expect(p.objects.addresses.find((a) => a.name === 'Branch office')).toMatchObject({ type: 'ipv4', addresses: '10.1.0.0/16, 10.2.0.1-10.2.0.9' });
      expect(p.objects.addresses.some((a) => a.name === 'v6 office')).toBe(false);
      expect(p.objects.macs.find((m) => m.name === 'Printers')?.macs).toHaveLength(2);
    } finally {
      await s.context.close();
    }
  });

  it('services: entries with protocol and ports, validation, edit, delete', { timeout: 90_000 }, async () => {
    const s = await signInTenantAdmin(stack, browser, lang);
    const { page } = s;
    try {
      await step(page, `objects-services-${lang}`, async () => {
        await page.goto(`${stack.url}/tenants/${s.tenantId}/policy/objects/services`);
        const dlg = await openAdd(page, 'services', L, L.serviceTitle);
        await dlg.locator('input[name="service-name"]').fill('Web and DNS');
        const ports = dlg.getByLabel(L.ports, { exact: true });
        await ports.first().fill('80, 443, 70000');
        await dlg.getByRole('button', { name: `+ ${L.addEntry}` }).click();
        await dlg.getByLabel(L.protocol, { exact: true }).nth(1).click();
        await page.getByRole('option', { name: 'UDP', exact: true }).click();
        await ports.nth(1).fill('53');
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await dlg.getByText(L.badPort).waitFor();
        expect(await ports.first().inputValue()).toBe('80, 443, 70000');
        await ports.first().fill('80, 443, 8000-8080');
        await saveAndClose(dlg, L);
        await table(page, 'services').getByRole('cell', { name: 'TCP 80, 443, 8000-8080; UDP 53' }).waitFor();
      });
      const svc = (await draft(s)).objects.services.find((x) => x.name === 'Web and DNS');
      expect(svc?.entries).toEqual([{ protocol: 'tcp', ports: '80, 443, 8000-8080' }, { protocol: 'udp', ports: '53' }]);
      await step(page, `objects-services-delete-${lang}`, async () => {
        await removeRow(page, 'services', 'Web and DNS', L);
      });
      expect((await draft(s)).objects.services).toEqual([]);
    } finally {
      await s.context.close();
    }
  });

  it('users and user groups: a user with addresses, a group with that member', { timeout: 90_000 }, async () => {
    const s = await signInTenantAdmin(stack, browser, lang);
    const { page } = s;
    try {
      await step(page, `objects-users-${lang}`, async () => {
        await page.goto(`${stack.url}/tenants/${s.tenantId}/policy/objects/users`);
        let dlg = await openAdd(page, 'users', L, L.userTitle);
        await dlg.locator('input[name="user-name"]').fill('Sato');
        await dlg.locator('input[name="user-email"]').fill('sato@example.co.jp');
        await dlg.locator('input[name="user-addresses"]').fill('192.168.0.20, 10.1.0.0/33');
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await dlg.getByText(L.badCidr).waitFor();
        await dlg.locator('input[name="user-addresses"]').fill('192.168.0.20');
        await saveAndClose(dlg, L);
        await table(page, 'users').getByRole('cell', { name: 'sato@example.co.jp' }).waitFor();
        dlg = await openAdd(page, 'userGroups', L, L.groupTitle);
        await dlg.locator('input[name="group-name"]').fill('Sales');
        await dlg.getByLabel(L.members, { exact: true }).click();
        await page.getByRole('option', { name: 'Sato', exact: true }).click();
        await page.keyboard.press('Escape');
        await saveAndClose(dlg, L);
        await table(page, 'userGroups').locator('tr', { hasText: 'Sales' }).getByRole('cell', { name: 'Sato', exact: true }).waitFor();
      });
      const p = await draft(s);
      const user = p.objects.users.find((u) => u.name === 'Sato');
      expect(user).toMatchObject({ email: 'sato@example.co.jp', addresses: '192.168.0.20' });
      expect(p.objects.userGroups.find((g) => g.name === 'Sales')?.members).toEqual([user!.id]);
    } finally {
      await s.context.close();
    }
  });

  it('custom categories: entries validated, saved and listed, with the pending-changes banner', { timeout: 90_000 }, async () => {
    const s = await signInTenantAdmin(stack, browser, lang);
    const { page } = s;
    try {
      await step(page, `objects-categories-${lang}`, async () => {
        await page.goto(`${stack.url}/tenants/${s.tenantId}/policy/objects/categories`);
        const dlg = await openAdd(page, 'customCategories', L, L.categoryTitle);
        await dlg.locator('input[name="category-name"]').fill('Partners');
        await dlg.locator('textarea[name="category-entries"]').fill('*.partner.example\nbad host name\nportal.example.com/login');
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await dlg.getByText(L.badEntry).waitFor();
        expect(await dlg.locator('textarea[name="category-entries"]').inputValue()).toContain('portal.example.com/login');
        await dlg.locator('textarea[name="category-entries"]').fill('*.partner.example\nportal.example.com/login');
        await saveAndClose(dlg, L);
        await table(page, 'customCategories').getByRole('cell', { name: '*.partner.example, portal.example.com/login' }).waitFor();
        await page.getByTestId('deploy-banner').getByText(L.pending, { exact: false }).waitFor();
      });
      const cat = (await draft(s)).objects.customCategories.find((c) => c.name === 'Partners');
      expect(cat?.entries).toEqual(['*.partner.example', 'portal.example.com/login']);
    } finally {
      await s.context.close();
    }
  });
});
