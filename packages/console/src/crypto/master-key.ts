/**
 * The master key encrypts secrets at rest (CA private keys) and keys the backup signatures.
 * From MAMORI_MASTER_KEY (64 hex chars or base64 of 32 bytes) or, for single-node installs,
 * a generated key file (mode 0600) in the data directory.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function parseMasterKey(s: string): Buffer {
  const t = s.trim();
  const b = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (b.length !== 32) throw new Error('MAMORI_MASTER_KEY must be 32 bytes (64 hex characters or base64)');
  return b;
}

export function loadMasterKey(opts: { env?: string | undefined; dataDir: string }): Buffer {
  if (opts.env) return parseMasterKey(opts.env);
  const file = path.join(opts.dataDir, 'master.key');
  if (fs.existsSync(file)) return parseMasterKey(fs.readFileSync(file, 'utf8'));
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const key = crypto.randomBytes(32);
  // wx: never overwrite a key another process wrote in the meantime
  try {
    fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return parseMasterKey(fs.readFileSync(file, 'utf8'));
    throw e;
  }
  return key;
}

/** A key for one purpose, derived from the master key (HKDF-SHA256). */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', master, Buffer.alloc(0), Buffer.from(`mamori:${purpose}`), 32));
}
