import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { signedIn, testConsole, type Client } from '../testing/client.js';
import { makeTenant, type Tenant } from '../testing/world.js';
import { createCa, generateKeyPair, issueServerCertificate } from '../crypto/pki.js';
import type { Console } from '../app.js';

let c: Console;
let operator: Client;
let t: Tenant;
let other: Tenant;

beforeAll(async () => {
  c = await testConsole();
  operator = (await signedIn(c, 'operator', null, 'maint-op@example.com')).client;
  t = await makeTenant(c, operator, 'Backup Co', 100);
  other = await makeTenant(c, operator, 'Other Co', 100);
}, 60_000);
afterAll(async () => c?.close());

describe('backups (§5-2, §5-3)', () => {
  it('creates a backup only when something changed, keeps 3 generations, restores into the draft', async () => {
    const base = `/api/tenants/${t.id}/backups`;
    const first = await t.admin.post<{ id: string }>(base);
    expect(first.status).toBe(201);
    const same = await t.admin.post(base);
    expect(same.status).toBe(409);
    expect(same.body['error']).toMatchObject({ code: 'backup.no_change', message: { ja: expect.stringContaining('変更がない') } });
    const ids = [first.body.id];
    for (const v of ['a.example.com', 'b.example.com', 'c.example.com']) {
      await t.admin.post(`/api/tenants/${t.id}/policy/block-list`, { value: v });
      const r = await t.admin.post<{ id: string }>(base);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const list = await t.admin.get<{ backups: Array<{ id: string }> }>(base);
    expect(list.body.backups.map((b) => b.id)).toEqual(ids.slice(1).reverse());

    // restore the generation without c.example.com into the draft
    await t.admin.post(`/api/tenants/${t.id}/policy/deploy`);
    const restore = await t.admin.post<{ message: { ja: string }; draftDiffers: boolean }>(`${base}/${ids[2]}/restore`);
    expect(restore.status).toBe(200);
    expect(restore.body.message.ja).toContain('正常に復元されました');
    expect(restore.body.draftDiffers).toBe(true);
    const bl = await t.admin.get<{ entries: Array<{ value: string }> }>(`/api/tenants/${t.id}/policy/block-list`);
    expect(bl.body.entries.map((e) => e.value)).toEqual(['a.example.com', 'b.example.com']);
    const audit = await t.admin.get<{ entries: Array<{ action: string }> }>(`/api/tenants/${t.id}/audit`);
    expect(audit.body.entries[0]?.action).toBe('backup.restore');
  });

  it('downloads a signed .ce file; a tampered or foreign file is rejected and nothing changes', async () => {
    const base = `/api/tenants/${t.id}/backups`;
    await t.admin.post(`/api/tenants/${t.id}/policy/allow-list`, { value: 'download.example.com' });
    const made = await t.admin.post<{ id: string }>(base);
    const dl = await t.admin.get(`${base}/${made.body.id}/download`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toMatch(/attachment; filename="mamori-backup-\d{8}-\d{6}\.ce"/);
    const text = dl.raw.toString('utf8');
    const file = JSON.parse(text) as { format: string; formatVersion: number; payload: { policy: { allowList: Array<{ value: string }> }; decryptionCa: { privateKeyEncrypted: string } } };
    expect(file).toMatchObject({ format: 'mamori-backup', formatVersion: 1 });
    expect(text).not.toContain('PRIVATE KEY');

    await t.admin.del(`/api/tenants/${t.id}/policy/allow-list?value=download.example.com`);
    const draftBefore = await t.admin.get<{ policy: unknown }>(`/api/tenants/${t.id}/policy`);

    const tampered = structuredClone(file);
    tampered.payload.policy.allowList.push({ value: 'evil.example.com' });
    const r1 = await t.admin.post(`${base}/restore`, { fileContent: JSON.stringify(tampered) });
    expect(r1.status).toBe(400);
    expect(r1.body['error']).toMatchObject({ code: 'backup.signature_invalid' });

    const foreign = await other.admin.post(`/api/tenants/${other.id}/backups/restore`, { fileContent: text });
    expect(foreign.body['error']).toMatchObject({ code: 'backup.signature_invalid' });

    const garbage = await t.admin.post(`${base}/restore`, { fileContent: 'not a backup' });
    expect(garbage.body['error']).toMatchObject({ code: 'backup.invalid_file' });
    const future = await t.admin.post(`${base}/restore`, { fileContent: JSON.stringify({ ...file, formatVersion: 99 }) });
    expect(future.body['error']).toMatchObject({ code: 'backup.unsupported_version' });
    expect((await t.admin.get(`/api/tenants/${t.id}/policy`)).body['policy']).toEqual(draftBefore.body.policy);

    const ok = await t.admin.post(`${base}/restore`, { fileContent: text });
    expect(ok.status).toBe(200);
    const al = await t.admin.get<{ entries: Array<{ value: string }> }>(`/api/tenants/${t.id}/policy/allow-list`);
    expect(al.body.entries.map((e) => e.value)).toContain('download.example.com');
  });
});

async function expiredCa(): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Expired CA',
    notBefore: new Date(Date.now() - 3 * 86_400_000),
    notAfter: new Date(Date.now() - 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const der = await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certificatePem: cert.toString('pem'), privateKeyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}

describe('certificates (§6-7)', () => {
  it('exports the tenant CA as PEM .crt and DER .cer with CA constraints', async () => {
    const info = await t.viewer.get<{ subject: string; notAfter: string; source: string; keyAlgorithm: string }>(`/api/tenants/${t.id}/certificate`);
    expect(info.body).toMatchObject({ source: 'generated', keyAlgorithm: 'ec' });
    expect(new Date(info.body.notAfter).getUTCFullYear()).toBeGreaterThanOrEqual(new Date().getUTCFullYear() + 19);
    const pem = await t.viewer.get(`/api/tenants/${t.id}/certificate/export?format=pem`);
    expect(pem.headers.get('content-disposition')).toContain('Mamori.crt');
    const der = await t.viewer.get(`/api/tenants/${t.id}/certificate/export?format=der`);
    expect(der.headers.get('content-disposition')).toContain('Mamori.cer');
    const fromPem = new crypto.X509Certificate(pem.raw);
    const fromDer = new crypto.X509Certificate(der.raw);
    expect(fromDer.fingerprint256).toBe(fromPem.fingerprint256);
    expect(fromPem.ca).toBe(true);
    const parsed = new x509.X509Certificate(der.raw);
    const ku = parsed.getExtension(x509.KeyUsagesExtension);
    expect(ku && (ku.usages & x509.KeyUsageFlags.keyCertSign) !== 0).toBe(true);
    const bad = await t.viewer.get(`/api/tenants/${t.id}/certificate/export?format=p12`);
    expect(bad.status).toBe(400);
  });

  it('regenerates, and imports an own CA only when certificate and key match, it is a CA and valid', async () => {
    const before = await t.admin.get<{ fingerprintSha256: string }>(`/api/tenants/${t.id}/certificate`);
    const regen = await t.admin.post<{ fingerprintSha256: string }>(`/api/tenants/${t.id}/certificate/regenerate`);
    expect(regen.body.fingerprintSha256).not.toBe(before.body.fingerprintSha256);

    const mine = await createCa('My Office CA', 5, 'My Office');
    const another = await createCa('Another CA', 5);
    const mismatch = await t.admin.put(`/api/tenants/${t.id}/certificate`, { certificatePem: mine.certificatePem, privateKeyPem: another.privateKeyPem });
    expect(mismatch.body['error']).toMatchObject({ code: 'cert.key_mismatch', message: { ja: '証明書と秘密鍵が一致しません。' } });
    const leaf = await issueServerCertificate(mine, 'www', [{ type: 'dns', value: 'www.example.com' }]);
    const notCa = await t.admin.put(`/api/tenants/${t.id}/certificate`, leaf);
    expect(notCa.body['error']).toMatchObject({ code: 'cert.not_ca' });
    const old = await expiredCa();
    const expired = await t.admin.put(`/api/tenants/${t.id}/certificate`, old);
    expect(expired.body['error']).toMatchObject({ code: 'cert.expired' });
    const junk = await t.admin.put(`/api/tenants/${t.id}/certificate`, { certificatePem: 'junk', privateKeyPem: mine.privateKeyPem });
    expect(junk.body['error']).toMatchObject({ code: 'cert.invalid_certificate' });
    expect((await t.admin.get<{ fingerprintSha256: string }>(`/api/tenants/${t.id}/certificate`)).body.fingerprintSha256).toBe(regen.body.fingerprintSha256);

    const ok = await t.admin.put<{ source: string; subject: string }>(`/api/tenants/${t.id}/certificate`, mine);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ source: 'imported', subject: expect.stringContaining('My Office CA') });
    // the private key is stored encrypted, not as PEM
    const row = await c.services.store.tenant(t.id).ca.get();
    expect(row?.keyEnc).not.toContain('PRIVATE KEY');
    expect((await c.services.certs.keyPair(t.id)).privateKeyPem).toContain('PRIVATE KEY');
  });
});
