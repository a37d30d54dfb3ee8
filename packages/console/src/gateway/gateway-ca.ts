/**
 * The console's gateway CA: signs the gateway listener's server certificate and every
 * enrolled gateway's client certificate. Created once per installation, kept in the store
 * (private key sealed with the master key) so that every console node shares it.
 */
import { createCa, issueServerCertificate, type KeyPairPem } from '../crypto/pki.js';
import { open, seal } from '../crypto/secret-box.js';
import type { Store } from '../store/store.js';

const KEY = 'gateway-ca';

export async function loadGatewayCa(store: Store, atRestKey: Buffer): Promise<KeyPairPem> {
  const existing = await store.kv.get(KEY);
  if (!existing) {
    const ca = await createCa('Mamori Gateway CA', 30);
    const stored = JSON.stringify({ certificatePem: ca.certificatePem, keyEnc: seal(atRestKey, ca.privateKeyPem, KEY) });
    await store.kv.setIfAbsent(KEY, stored);
  }
  const v = JSON.parse((await store.kv.get(KEY)) as string) as { certificatePem: string; keyEnc: string };
  return { certificatePem: v.certificatePem, privateKeyPem: open(atRestKey, v.keyEnc, KEY) };
}

export async function gatewayServerCertificate(ca: KeyPairPem, hosts: string[]): Promise<KeyPairPem> {
  const altNames = [...new Set(['localhost', '127.0.0.1', ...hosts])].map((h) => ({ type: /^[\d.]+$|:/.test(h) ? ('ip' as const) : ('dns' as const), value: h }));
  return issueServerCertificate(ca, hosts[0] ?? 'localhost', altNames);
}
