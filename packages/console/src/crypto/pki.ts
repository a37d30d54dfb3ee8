/**
 * X.509 with @peculiar/x509 over WebCrypto, ECDSA P-256: the tenant decryption CAs, the
 * console's gateway CA, its TLS server certificate and the gateways' client certificates.
 */
import 'reflect-metadata';
import crypto, { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const YEAR = 365 * 24 * 3600 * 1000;

export interface KeyPairPem {
  certificatePem: string;
  privateKeyPem: string;
}

const pem = (s: string) => (s.endsWith('\n') ? s : s + '\n');

function serial(): string {
  const b = crypto.randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive
  return b.toString('hex');
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return pem(x509.PemConverter.encode(der, 'PRIVATE KEY'));
}

export async function importSigningKey(privateKeyPem: string): Promise<CryptoKey> {
  const der = crypto.createPrivateKey(privateKeyPem).export({ format: 'der', type: 'pkcs8' });
  return (await webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign'])) as unknown as CryptoKey;
}

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

/** A self-signed CA (basicConstraints CA, keyUsage keyCertSign + cRLSign). */
export async function createCa(commonName: string, years: number, organization = 'Mamori'): Promise<KeyPairPem> {
  const keys = await generateKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}, O=${organization}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + years * YEAR),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: pem(cert.toString('pem')), privateKeyPem: await exportKeyPem(keys.privateKey) };
}

interface IssueOptions {
  ca: KeyPairPem;
  subject: string;
  publicKey: x509.PublicKeyType;
  years: number;
  usage: 'server' | 'client';
  altNames?: Array<{ type: 'dns' | 'ip'; value: string }>;
}

export async function issueCertificate(o: IssueOptions): Promise<string> {
  const caCert = new x509.X509Certificate(o.ca.certificatePem);
  const signingKey = await importSigningKey(o.ca.privateKeyPem);
  const now = Date.now();
  const exts: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([o.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  if (o.altNames?.length) exts.push(new x509.SubjectAlternativeNameExtension(o.altNames));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: o.subject,
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + o.years * YEAR),
    signingKey,
    publicKey: o.publicKey,
    signingAlgorithm: ALG,
    extensions: exts,
  });
  return pem(cert.toString('pem'));
}

/** A server key pair + certificate signed by the CA. */
export async function issueServerCertificate(ca: KeyPairPem, commonName: string, altNames: Array<{ type: 'dns' | 'ip'; value: string }>): Promise<KeyPairPem> {
  const keys = await generateKeyPair();
  const certificatePem = await issueCertificate({ ca, subject: `CN=${commonName}`, publicKey: keys.publicKey, years: 5, usage: 'server', altNames });
  return { certificatePem, privateKeyPem: await exportKeyPem(keys.privateKey) };
}

/** Verify a PKCS#10 CSR's self-signature and issue a client certificate for its key. */
export async function signCsr(ca: KeyPairPem, csrPem: string, commonName: string): Promise<string> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch {
    throw new Error('csr.unreadable');
  }
  if (!(await csr.verify())) throw new Error('csr.signature');
  return issueCertificate({ ca, subject: `CN=${commonName}, O=Mamori gateway`, publicKey: csr.publicKey, years: 10, usage: 'client' });
}

/** A CSR as a gateway makes it (used by tests and the gateway agent). */
export async function createCsr(commonName: string): Promise<{ csrPem: string; privateKeyPem: string }> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${commonName}`, keys, signingAlgorithm: ALG });
  return { csrPem: pem(csr.toString('pem')), privateKeyPem: await exportKeyPem(keys.privateKey) };
}

export function fingerprint256(certPemOrDer: string | Buffer): string {
  const cert = new crypto.X509Certificate(certPemOrDer);
  return cert.fingerprint256.replace(/:/g, '').toLowerCase();
}

export function pemToDer(certPem: string): Buffer {
  return Buffer.from(new crypto.X509Certificate(certPem).raw);
}
