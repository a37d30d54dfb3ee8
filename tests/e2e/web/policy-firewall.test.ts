/**
 * Manual §6-3 in real Chromium, step by step: turn the firewall (block-all) rule on, then the
 * individual-allow rule with a source address object added inline (bad IP/range/CIDR input shows
 * the manual's error and loses nothing), a destination by geolocation, a service, content types;
 * the pending-changes banner; and the note's DHCP allow rule added and moved above block-all.
 * Assertions on the page, on the draft through the API and on the console's simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
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
    edit: 'ポリシールールの編集', add: '追加', addTitle: 'ポリシールールの追加', on: 'オン', save: '保存', name: 'ポリシー名',
    addAddress: '新しいIPアドレス/FQDNオブジェクトの追加', addressTitle: 'アドレスオブジェクトの追加/編集', addressName: '名前',
    badRange: '範囲「10.0.0.9-10.0.0.1」の開始アドレスが終了アドレスより大きくなっています。', badIp: '「192.168.0.300」は正しいIPアドレス、範囲、またはCIDRではありません。',
    specify: 'アプリケーション/URLカテゴリを指定する', netproto: 'ネットワークプロトコル拡張', expand: '展開', allow: '許可',
    pending: '設定が変更されました。[すべて配信]をクリックして変更を反映してください。', moveUp: '上へ移動', countries: '国/地域', services: 'サービスを指定する',
    webCat: 'ニュース・メディア', search: '検索',
  },
  en: {
    edit: 'Edit policy rule', add: 'Add', addTitle: 'Add policy rule', on: 'On', save: 'Save', name: 'Policy name',
    addAddress: 'Add a new IP address/FQDN object', addressTitle: 'Add/edit address object', addressName: 'Name',
    badRange: 'In the range "10.0.0.9-10.0.0.1" the start address is greater than the end address.', badIp: '"192.168.0.300" is not a valid IP address, range or CIDR.',
    specify: 'Specify applications/URL categories', netproto: 'Network protocols extensions', expand: 'Expand', allow: 'Allow',
    pending: 'Settings have changed. Click [Deploy all] to apply the changes.', moveUp: 'Move up', countries: 'Countries/regions', services: 'Specify services',
    webCat: 'News and media', search: 'Search',
  },
} as const;

async function draft(s: TenantSession): Promise<Policy> {
  return (await s.api<{ policy: Policy }>('GET', `/api/tenants/${s.tenantId}/policy`)).policy;
}

async function openRule(s: TenantSession, name: string, title: string): Promise<Locator> {
  await s.page.getByRole('button', { name, exact: true }).click();
  const dlg = s.page.getByRole('dialog', { name: title });
  await dlg.waitFor();
  return dlg;
}

describe.each(['ja', 'en'] as const)('firewall §6-3 (%s)', (lang) => {
  const L = T[lang];

  it('turns the firewall on, builds the individual-allow rule with an inline address object, adds the DHCP rule above block-all', { timeout: 120_000 }, async () => {
    const s = await signInTenantAdmin(stack, browser, lang);
    const { page } = s;
    // a service object to choose in the rule (the services page has its own test)
    const p0 = await draft(s);
    p0.objects.services.push({ id: 'svc-https', name: 'HTTPS', entries: [{ protocol: 'tcp', ports: '443' }] } as Policy['objects']['services'][number]);
    await s.api('PUT', `/api/tenants/${s.tenantId}/policy`, p0);
    try {
      await page.goto(`${stack.url}/tenants/${s.tenantId}/policy/rules`);
      await step(page, `fw-on-${lang}`, async () => {
        // ①②③ the [50-1] firewall rule: オン, 保存
        const dlg = await openRule(s, '[50-1] ファイアウォール', L.edit);
        await dlg.getByTestId('onoff-rule-enabled').getByRole('radio', { name: L.on }).check();
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await dlg.waitFor({ state: 'detached' });
        await page.getByTestId('deploy-banner').getByText(L.pending).waitFor();
      });
      expect((await draft(s)).rules.find((r) => r.id === 'firewall')?.enabled).toBe(true);

      await step(page, `fw-allow-${lang}`, async () => {
        // ④⑤ the individual-allow rule: 有効 オン
        const dlg = await openRule(s, 'ファイアウォール (個別許可設定)', L.edit);
        await dlg.getByTestId('onoff-rule-enabled').getByRole('radio', { name: L.on }).check();
        // ⑥ 送信元: IPアドレス/FQDNを指定する (already chosen with the placeholder object); ⑦ add a new object inline
        expect(await dlg.locator('input[name="rule-source"][value="selected"]').isChecked()).toBe(true);
        await dlg.getByRole('button', { name: L.addAddress }).first().click();
        const ad = page.getByRole('dialog', { name: L.addressTitle });
        await ad.waitFor();
        // ⑧ 名前 / 種類 IPv4 / アドレス (comma separated); bad input: the error, and nothing typed is lost
        await ad.locator('input[name="address-name"]').fill('Office LAN');
        const bad = '192.168.0.300, 10.0.0.9-10.0.0.1, 10.0.0.8/24';
        await ad.locator('textarea[name="address-value"]').fill(bad);
        await ad.getByRole('button', { name: L.save, exact: true }).click();
        await ad.getByText(L.badIp).waitFor();
        await ad.getByText(L.badRange).waitFor();
        expect(await ad.locator('textarea[name="address-value"]').inputValue()).toBe(bad);
        expect(await ad.locator('input[name="address-name"]').inputValue()).toBe('Office LAN');
        expect(await ad.locator('textarea[name="address-value"]').getAttribute('aria-invalid')).toBe('true');
        await ad.locator('textarea[name="address-value"]').fill('192.168.0.1, 10.0.0.1-10.0.0.4, 10.0.0.8/24');
        await ad.getByRole('button', { name: L.save, exact: true }).click();
        await ad.waitFor({ state: 'detached' });
        await dlg.getByText('Office LAN (192.168.0.1, 10.0.0.1-10.0.0.4, 10.0.0.8/24)').waitFor();
        // ⑨ 送信先: a geolocation; サービス: a service; コンテンツタイプ: a URL category
        await dlg.locator('input[name="rule-destination"][value="geo"]').check();
        await dlg.locator('input[name="rule-countries"]').fill('jp, us');
        await dlg.locator('input[name="rule-service"][value="selected"]').check();
        await dlg.locator(`input[aria-label="${L.services}"]`).click();
        await page.getByRole('option', { name: 'HTTPS' }).click();
        await dlg.getByRole('radio', { name: L.specify }).check();
        await dlg.getByRole('tab', { name: /^(URLカテゴリ|URL categories) \(/ }).click();
        await dlg.getByRole('textbox', { name: L.search, exact: true }).fill(L.webCat);
        await dlg.getByRole('checkbox', { name: L.webCat, exact: true }).check();
        // ⑩ 保存
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await dlg.waitFor({ state: 'detached' });
        const row = page.getByTestId('rule-row-firewall-allow');
        await row.getByText('Office LAN', { exact: false }).waitFor();
        expect(await row.textContent()).toContain('JP, US');
        expect(await row.textContent()).toContain(L.webCat);
      });
      const p1 = await draft(s);
      const office = p1.objects.addresses.find((a) => a.name === 'Office LAN');
      expect(office).toMatchObject({ type: 'ipv4', addresses: '192.168.0.1, 10.0.0.1-10.0.0.4, 10.0.0.8/24' });
      const allowRule = p1.rules.find((r) => r.id === 'firewall-allow')!;
      expect(allowRule.enabled).toBe(true);
      expect(allowRule.source).toMatchObject({ type: 'selected', addresses: ['firewall-allow-sources', office!.id] });
      expect(allowRule.destination).toEqual({ type: 'geo', countries: ['JP', 'US'] });
      expect(allowRule.service).toEqual({ type: 'selected', services: ['svc-https'] });
      expect(allowRule.content).toMatchObject({ type: 'selected', urlCategories: ['news'] });

      await step(page, `fw-dhcp-${lang}`, async () => {
        // the note: 追加 → "アプリケーションコントロール DHCP許可", Network protocols extensions → DHCP only, 保存, move above block-all
        await page.getByRole('button', { name: L.add, exact: true }).click();
        const dlg = page.getByRole('dialog', { name: L.addTitle });
        await dlg.waitFor();
        await dlg.getByLabel(L.name).fill('アプリケーションコントロール DHCP許可');
        await dlg.getByRole('radio', { name: L.specify }).check();
        await dlg.getByRole('button', { name: `${L.netproto} ${L.expand}` }).click();
        await dlg.getByRole('checkbox', { name: 'DHCP', exact: true }).check();
        await dlg.getByRole('radio', { name: L.allow, exact: true }).check();
        await dlg.getByRole('button', { name: L.save, exact: true }).click();
        await dlg.waitFor({ state: 'detached' });
        const rows = page.getByTestId('rules-table').locator('tbody tr');
        await expect.poll(() => rows.count()).toBe(5);
        expect(await rows.last().textContent()).toContain('DHCP');
        await page.getByRole('button', { name: `${L.moveUp} アプリケーションコントロール DHCP許可`, exact: true }).click();
        await expect.poll(async () => (await rows.nth(3).textContent()) ?? '').toContain('DHCP許可');
      });
      const p2 = await draft(s);
      const names = p2.rules.map((r) => r.name);
      expect(names.indexOf('アプリケーションコントロール DHCP許可')).toBe(names.indexOf('[50-1] ファイアウォール') - 1);
      const dhcp = p2.rules.find((r) => r.name === 'アプリケーションコントロール DHCP許可')!;
      expect(dhcp).toMatchObject({ enabled: true, action: 'allow', content: { type: 'selected', applications: ['dhcp'], applicationCategories: [], urlCategories: [] } });

      // the simulator: a DHCP client (0.0.0.0) passes the block-all rule, anything else from an unknown source is blocked
      const sim = (flow: Record<string, unknown>) => s.api<{ decision: string; reason: { id?: string } | null }>('POST', `/api/tenants/${s.tenantId}/policy/simulate`, { flow });
      expect(await sim({ srcIp: '0.0.0.0', dstIp: '255.255.255.255', dstPort: 67, protocol: 'udp' })).toMatchObject({ decision: 'allow', reason: { id: dhcp.id } });
      expect(await sim({ srcIp: '172.16.5.5', dstIp: '203.0.113.7', dstPort: 22, protocol: 'tcp', app: 'ssh', urlCategories: [] })).toMatchObject({ decision: 'block', reason: { id: 'firewall' } });
    } finally {
      await s.context.close();
    }
  });
});
