/**
 * The tenant's HTTPS-decryption CA (manual §6-7): generated at tenant creation (ECDSA P-256,
 * 20 years), exported as PEM (.crt) and DER (.cer), regenerated, or replaced by the tenant's
 * own CA certificate + private key after checks. The private key is sealed at rest.
 */
import crypto from 'node:crypto';
import { ApiError } from '../errors.js';
import { createCa, pemToDer } from '../crypto/pki.js';
import { open, seal } from '../crypto/secret-box.js';
import type { Store } from '../store/store.js';

export interface CaInfo {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  source: 'generated' | 'imported';
  keyAlgorithm: string;
}

export class CertService {
  constructor(
    private readonly store: Store,
    private readonly atRestKey: Buffer,
  ) {}

  private aad(tenantId: string): string {
    return `tenant-ca:${tenantId}`;
  }

  sealKey(tenantId: string, privateKeyPem: string): string {
    return seal(this.atRestKey, privateKeyPem, this.aad(tenantId));
  }

  async generate(store: Store, tenantId: string, tenantName: string): Promise<void> {
    const ca = await createCa('Mamori HTTPS Decryption CA', 20, tenantName.replace(/[,=+<>#;"\\]/g, ' ').slice(0, 64) || 'Mamori');
    await store.tenant(tenantId).ca.put(ca.certificatePem, this.sealKey(tenantId, ca.privateKeyPem), 'generated');
  }

  async keyPair(tenantId: string): Promise<{ certificatePem: string; privateKeyPem: string; source: 'generated' | 'imported' }> {
    const ca = await this.store.tenant(tenantId).ca.get();
    if (!ca) throw new ApiError('not_found');
    return { certificatePem: ca.certPem, privateKeyPem: open(this.atRestKey, ca.keyEnc, this.aad(tenantId)), source: ca.source };
  }

  async info(tenantId: string): Promise<CaInfo> {
    const ca = await this.store.tenant(tenantId).ca.get();
    if (!ca) throw new ApiError('not_found');
    const c = new crypto.X509Certificate(ca.certPem);
    return {
      subject: c.subject.replace(/\n/g, ', '),
      issuer: c.issuer.replace(/\n/g, ', '),
      notBefore: new Date(c.validFrom).toISOString(),
      notAfter: new Date(c.validTo).toISOString(),
      fingerprintSha256: c.fingerprint256,
      source: ca.source,
      keyAlgorithm: c.publicKey.asymmetricKeyType ?? 'unknown',
    };
  }

  async exportPem(tenantId: string): Promise<string> {
    return (await this.keyPair(tenantId)).certificatePem;
  }

  async exportDer(tenantId: string): Promise<Buffer> {
    return pemToDer(await this.exportPem(tenantId));
  }

  /** Checks an uploaded CA: readable, key matches, is a CA allowed to sign, currently valid. */
  static checkImport(certificatePem: string, privateKeyPem: string, now = Date.now()): void {
    let cert: crypto.X509Certificate;
    try {
      cert = new crypto.X509Certificate(certificatePem);
    } catch {
      throw new ApiError('cert.invalid_certificate');
    }
    let key: crypto.KeyObject;
    try {
      key = crypto.createPrivateKey(privateKeyPem);
    } catch {
      throw new ApiError('cert.invalid_key');
    }
    if (!cert.checkPrivateKey(key)) throw new ApiError('cert.key_mismatch');
    if (!cert.ca) throw new ApiError('cert.not_ca');
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    if (!(from <= now && now < to)) throw new ApiError('cert.expired');
  }

  async import(store: Store, tenantId: string, certificatePem: string, privateKeyPem: string): Promise<void> {
    CertService.checkImport(certificatePem, privateKeyPem);
    const keyPem = crypto.createPrivateKey(privateKeyPem).export({ format: 'pem', type: 'pkcs8' }).toString();
    const certPem = new crypto.X509Certificate(certificatePem).toString();
    await store.tenant(tenantId).ca.put(certPem, this.sealKey(tenantId, keyPem), 'imported');
  }
}
