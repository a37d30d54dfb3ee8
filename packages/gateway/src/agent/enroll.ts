/**
 * Enrollment: a P-256 key pair made here (the private key never leaves the gateway), a CSR, and
 * the one-time token POSTed to the console; the client certificate and the console CA come back
 * and are stored 0600 in the data dir. Done once: a stored identity is reused.
 */
import os from 'node:os';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { EnrollResponse, type EnrollRequest } from '@mamori/policy';
import { EC_ALG, generateEcKeyPair, privateKeyToPem } from '../tls/x509.js';
import type { DataDir, Identity } from './data-dir.js';
import { httpJson, type TlsClientOptions } from './http-client.js';

export const GATEWAY_VERSION = '0.1.0';

export interface EnrollOptions {
  consoleUrl: string;
  token: string;
  /** extra CA to trust for the console's enrollment endpoint (self-hosted console) */
  consoleCaPem?: string;
  hostname?: string;
}

export async function ensureEnrolled(dir: DataDir, opts: EnrollOptions): Promise<{ identity: Identity; tls: TlsClientOptions; enrolledNow: boolean }> {
  const existing = dir.readIdentity();
  if (existing) return { identity: existing.identity, tls: { key: existing.keyPem, cert: existing.certPem, ca: existing.caPem }, enrolledNow: false };
  const keys = await generateEcKeyPair();
  const hostname = opts.hostname ?? os.hostname();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${hostname.replace(/[,+"\\<>;=]/g, '_').slice(0, 64)}`,
    keys,
    signingAlgorithm: EC_ALG,
  });
  const body: EnrollRequest = { token: opts.token, csrPem: csr.toString('pem'), hostname: hostname.slice(0, 253), version: GATEWAY_VERSION };
  const url = new URL('/api/gateway/enroll', opts.consoleUrl).toString();
  const res = await httpJson(url, 'POST', body, opts.consoleCaPem ? { ca: opts.consoleCaPem } : {});
  if (res.status !== 200 && res.status !== 201) throw new Error(`enrollment refused by the console (${res.status}): ${describe(res.body)}`);
  const parsed = EnrollResponse.safeParse(res.body);
  if (!parsed.success) throw new Error(`enrollment answer from the console is not understood: ${parsed.error.message}`);
  const e = parsed.data;
  const keyPem = await privateKeyToPem(keys.privateKey);
  dir.writeSecret(dir.keyFile, keyPem);
  dir.writeSecret(dir.certFile, e.certificatePem);
  dir.writeSecret(dir.caFile, e.caPem);
  const identity: Identity = { gatewayId: e.gatewayId, tenantId: e.tenantId, consoleUrl: opts.consoleUrl, syncUrl: e.syncUrl };
  dir.writeSecret(dir.identityFile, JSON.stringify(identity, null, 2));
  return { identity, tls: { key: keyPem, cert: e.certificatePem, ca: e.caPem }, enrolledNow: true };
}

function describe(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; error?: unknown };
    if (typeof b.message === 'string') return b.message;
    if (typeof b.error === 'string') return b.error;
  }
  return JSON.stringify(body)?.slice(0, 300) ?? '';
}
