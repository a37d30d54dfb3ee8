/**
 * Certificate primitives over WebCrypto (@peculiar/x509): a CA for tests and standalone use, and
 * leaf certificates signed by the tenant CA. ECDSA P-256 for everything we generate; an uploaded
 * RSA CA key signs with RSASSA-PKCS1-v1_5/SHA-256.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
export type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const subtle = webcrypto.subtle;

export const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA_ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

export interface PemPair {
  certificatePem: string;
  privateKeyPem: string;
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f; // positive
  return b.toString('hex');
}

export async function generateEcKeyPair(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(EC_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await subtle.exportKey('pkcs8', key));
}

/** A self-signed CA (used by tests, and by a gateway running without a console). */
export async function generateCa(commonName: string, days = 3650): Promise<PemPair> {
  const keys = await generateEcKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${escapeDn(commonName)}, O=Mamori`,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + days * 86400_000),
    signingAlgorithm: EC_ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: cert.toString('pem') + '\n', privateKeyPem: await privateKeyToPem(keys.privateKey) };
}

function escapeDn(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, '\\$1');
}

export interface LoadedCa {
  cert: x509.X509Certificate;
  certificatePem: string;
  signingKey: CryptoKey;
  signingAlgorithm: typeof EC_ALG | typeof RSA_ALG;
}

/** Parse the tenant CA as deployed (PEM certificate + PKCS#8 key); throws with a clear message. */
export async function loadCa(pair: PemPair): Promise<LoadedCa> {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(pair.certificatePem);
  } catch (e) {
    throw new Error(`decryption CA certificate is not a valid PEM certificate: ${(e as Error).message}`);
  }
  let keyObj;
  try {
    keyObj = createPrivateKey(pair.privateKeyPem);
  } catch (e) {
    throw new Error(`decryption CA private key is not a valid PEM key: ${(e as Error).message}`);
  }
  const der = keyObj.export({ format: 'der', type: 'pkcs8' });
  const type = keyObj.asymmetricKeyType;
  let signingKey: CryptoKey;
  let signingAlgorithm: LoadedCa['signingAlgorithm'];
  if (type === 'ec') {
    signingAlgorithm = EC_ALG;
    signingKey = await subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  } else if (type === 'rsa') {
    signingAlgorithm = RSA_ALG;
    signingKey = await subtle.importKey('pkcs8', der, RSA_ALG, false, ['sign']);
  } else {
    throw new Error(`decryption CA key type ${String(type)} is not supported (use ECDSA P-256 or RSA)`);
  }
  return { cert, certificatePem: pair.certificatePem.trimEnd() + '\n', signingKey, signingAlgorithm };
}

/** Issue a server certificate for `host` (DNS name or IP) with the given public key. */
export async function issueLeaf(ca: LoadedCa, hosts: string | string[], publicKey: CryptoKey, days = 30): Promise<string> {
  const now = Date.now();
  const names = Array.isArray(hosts) ? hosts : [hosts];
  const host = names[0] ?? 'localhost';
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${escapeDn(host.slice(0, 64))}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(Math.min(now + days * 86400_000, ca.cert.notAfter.getTime())),
    signingAlgorithm: ca.signingAlgorithm,
    publicKey,
    signingKey: ca.signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(false),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: /^[\d.]+$/.test(n) || n.includes(':') ? ('ip' as const) : ('dns' as const), value: n }))),
    ],
  });
  return cert.toString('pem') + '\n';
}

/** Issue a certificate for a CSR-less client (tests) or server with a fresh key pair. */
export async function issueWithNewKey(ca: LoadedCa, host: string | string[], days = 30): Promise<PemPair> {
  const keys = await generateEcKeyPair();
  return { certificatePem: await issueLeaf(ca, host, keys.publicKey, days), privateKeyPem: await privateKeyToPem(keys.privateKey) };
}
