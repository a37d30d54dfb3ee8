/**
 * Manual §6-7 (証明書管理: エクスポート, 再生成, import of a certificate + private key) and the
 * §6-8 install-steps page, in real Chromium. The download is checked against the console's CA, a
 * certificate and key made by the test are imported (the certificate through 参照), and a
 * mismatched pair is refused with a clear error next to the form, changing nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { generateCa, type PemPair } from '@mamori/gateway';
import { launchBrowser, signInTenantAdmin, startStack, step, type Stack } from './harness.js';

let stack: Stack;
let browser: Browser;
let mine: PemPair;
let other: PemPair;
let tmp: string;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  mine = await generateCa('Office Decryption CA');
  other = await generateCa('Someone Else CA');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-web-e2e-cert-'));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const T = {
  ja: {
    title: '証明書管理', export: 'エクスポート', regenerate: '再生成', ok: 'OK', regenerated: '証明書を再生成しました。[すべて配信]をクリックしてゲートウェイに反映してください。',
    browse: '参照', key: '秘密鍵', import: 'インポート', imported: '証明書をインポートしました。', mismatch: '証明書と秘密鍵が一致しません。', custom: 'カスタム証明書',
    install: '証明書のインストール手順', platforms: ['Windows (Outlook、Chromeなど)', 'Firefox', 'Thunderbird', 'Android OS', 'iOS', 'macOS'],
  },
  en: {
    title: 'Certificate Management', export: 'Export', regenerate: 'Regenerate', ok: 'OK', regenerated: 'The certificate was regenerated. Click [Deploy all] to send it to the gateways.',
    browse: 'Browse', key: 'Private key', import: 'Import', imported: 'The certificate was imported.', mismatch: 'The certificate and the private key do not match.', custom: 'Custom certificate',
    install: 'Certificate installation', platforms: ['Windows (Outlook, Chrome, …)', 'Firefox', 'Thunderbird', 'Android', 'iOS', 'macOS'],
  },
} as const;

const fingerprint = (pem: string) => new crypto.X509Certificate(pem).fingerprint256;

describe.each(['ja', 'en'] as const)('certificates §6-7/6-8 (%s)', (lang) => {
  const L = T[lang];

  it('exports, regenerates, rejects a mismatched pair and imports a certificate with its key; shows the install steps', { timeout: 90_000 }, async () => {
    const s = await signInTenantAdmin(stack, browser, lang);
    const { page } = s;
    const info = () => s.api<{ fingerprintSha256: string; source: string; subject: string }>('GET', `/api/tenants/${s.tenantId}/certificate`);
    try {
      const before = await info();
      await step(page, `cert-export-${lang}`, async () => {
        await page.goto(`${stack.url}/tenants/${s.tenantId}/admin/certificates`);
        await page.getByRole('heading', { name: L.title }).waitFor();
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: L.export, exact: true }).click()]);
        expect(download.suggestedFilename()).toBe('Mamori.crt');
        const file = path.join(tmp, `export-${lang}.crt`);
        await download.saveAs(file);
        const pem = fs.readFileSync(file, 'utf8');
        expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
        const x = new crypto.X509Certificate(pem);
        expect(x.ca).toBe(true);
        // the file is the CA the console holds, and the page shows its fingerprint
        expect(x.fingerprint256.replace(/:/g, '').toLowerCase()).toBe(before.fingerprintSha256.replace(/:/g, '').toLowerCase());
        expect((await page.getByTestId('cert-fingerprint').textContent())?.replace(/:/g, '').toLowerCase()).toBe(before.fingerprintSha256.replace(/:/g, '').toLowerCase());
      });

      await step(page, `cert-regenerate-${lang}`, async () => {
        await page.getByRole('button', { name: L.regenerate }).click();
        await page.getByRole('dialog').getByRole('button', { name: L.ok }).click();
        await page.getByRole('status').getByText(L.regenerated).waitFor();
        await expect.poll(() => page.getByTestId('cert-fingerprint').textContent()).not.toBe(before.fingerprintSha256);
      });
      const regenerated = await info();
      expect(regenerated.fingerprintSha256).not.toBe(before.fingerprintSha256);
      expect(regenerated.source).toBe('generated');

      await step(page, `cert-import-${lang}`, async () => {
        // 証明書 through 参照 (a file), 秘密鍵 pasted; first the key of another CA
        const certFile = path.join(tmp, `mine-${lang}.crt`);
        fs.writeFileSync(certFile, mine.certificatePem);
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: L.browse }).first().click()]);
        await chooser.setFiles(certFile);
        await expect.poll(() => page.locator('textarea[name="cert-pem"]').inputValue()).toBe(mine.certificatePem);
        await page.getByLabel(L.key).fill(other.privateKeyPem);
        await page.getByRole('button', { name: L.import, exact: true }).click();
        await page.getByRole('alert').getByText(L.mismatch).waitFor();
        // nothing was lost or changed
        expect(await page.locator('textarea[name="cert-pem"]').inputValue()).toBe(mine.certificatePem);
        expect((await info()).fingerprintSha256).toBe(regenerated.fingerprintSha256);
        await page.getByLabel(L.key).fill(mine.privateKeyPem);
        await page.getByRole('button', { name: L.import, exact: true }).click();
        await page.getByRole('status').getByText(L.imported).waitFor();
        await page.getByTestId('cert-info').getByText(L.custom).waitFor();
      });
      const imported = await info();
      expect(imported.source).toBe('imported');
      expect(imported.fingerprintSha256.replace(/:/g, '').toLowerCase()).toBe(fingerprint(mine.certificatePem).replace(/:/g, '').toLowerCase());

      await step(page, `cert-install-${lang}`, async () => {
        await page.getByRole('main').getByRole('link', { name: L.install }).click();
        await page.getByRole('heading', { name: L.install }).waitFor();
        for (const p of L.platforms) {
          await page.getByRole('tab', { name: p, exact: true }).click();
          const panel = page.getByRole('tabpanel');
          await panel.getByText(p, { exact: true }).waitFor();
          expect(await panel.getByRole('listitem').count()).toBeGreaterThanOrEqual(3);
        }
        // the export on this page gives the imported certificate
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: L.export, exact: true }).click()]);
        const file = path.join(tmp, `install-${lang}.crt`);
        await download.saveAs(file);
        expect(fingerprint(fs.readFileSync(file, 'utf8'))).toBe(fingerprint(mine.certificatePem));
      });
    } finally {
      await s.context.close();
    }
  });
});
