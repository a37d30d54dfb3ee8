/**
 * Intel distribution, gateway side: the console announces its active database (version, path,
 * SHA-256) on the sync channel; the gateway downloads it over mutual TLS, checks the hash and the
 * file itself, keeps it in its data directory, and swaps it in with one assignment. Any failure
 * keeps the database in use. The kept file is used again after a restart.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import type { Logger } from 'pino';
import { loadCategoryDb, type CategoryDb } from '@mamori/urlcat';
import type { CloudVerdict } from '@mamori/policy';
import { CloudLookupResponse } from '@mamori/policy';
import type { TlsClientOptions } from '../agent/http-client.js';
import { httpJson } from '../agent/http-client.js';

export interface IntelAnnouncement {
  version: string;
  url: string;
  sha256: string;
}

const MAX_DB_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/** GET over mutual TLS into a Buffer (no JSON). */
export function downloadFile(url: string, tls: TlsClientOptions, timeoutMs = 120_000): Promise<Buffer> {
  const u = new URL(url);
  if (u.protocol !== 'https:') return Promise.reject(new Error(`intel download needs https, got ${u.protocol}`));
  return new Promise((resolve, reject) => {
    const req = https.request(
      u,
      { method: 'GET', timeout: timeoutMs, key: tls.key, cert: tls.cert, ...(tls.ca ? { ca: [...rootCertificates, tls.ca] } : {}) },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`intel download: HTTP ${res.statusCode ?? 0}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_DB_BYTES) req.destroy(new Error('intel download too large'));
          else chunks.push(c);
        });
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('intel download timed out')));
    req.on('error', reject);
    req.end();
  });
}

export interface KeptIntel {
  db: CategoryDb;
  version: string;
  sha256: string;
}

export class IntelStore {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private get metaFile(): string {
    return path.join(this.dir, 'active.json');
  }

  /** The database kept from the last distribution, when it is still intact. */
  load(log?: Logger): KeptIntel | null {
    try {
      if (!fs.existsSync(this.metaFile)) return null;
      const meta = JSON.parse(fs.readFileSync(this.metaFile, 'utf8')) as { version: string; sha256: string };
      const bytes = fs.readFileSync(path.join(this.dir, `${meta.sha256}.mdb`));
      if (sha256(bytes) !== meta.sha256) throw new Error('kept intel database does not match its hash');
      return { db: loadCategoryDb(bytes), version: meta.version, sha256: meta.sha256 };
    } catch (e) {
      log?.warn({ err: e instanceof Error ? e.message : String(e) }, 'kept intel database unusable; using the configured one');
      return null;
    }
  }

  /** Downloads, verifies, keeps; throws (and keeps nothing) on any problem. */
  async fetch(a: IntelAnnouncement, origin: string, tls: TlsClientOptions): Promise<KeptIntel> {
    if (!/^[0-9a-f]{64}$/.test(a.sha256)) throw new Error('announced intel hash is not a SHA-256');
    const url = new URL(a.url, origin);
    if (url.origin !== new URL(origin).origin) throw new Error(`intel URL ${url.origin} is not the console's`);
    const bytes = await downloadFile(url.toString(), tls);
    const got = sha256(bytes);
    if (got !== a.sha256) throw new Error(`intel database hash mismatch: announced ${a.sha256.slice(0, 16)}…, received ${got.slice(0, 16)}…`);
    const db = loadCategoryDb(bytes);
    const file = path.join(this.dir, `${a.sha256}.mdb`);
    fs.writeFileSync(`${file}.tmp`, bytes, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
    fs.writeFileSync(`${this.metaFile}.tmp`, JSON.stringify({ version: a.version, sha256: a.sha256 }), { mode: 0o600 });
    fs.renameSync(`${this.metaFile}.tmp`, this.metaFile);
    for (const f of fs.readdirSync(this.dir)) if (f.endsWith('.mdb') && f !== `${a.sha256}.mdb`) fs.rmSync(path.join(this.dir, f), { force: true });
    return { db, version: a.version, sha256: a.sha256 };
  }
}

export function sha256(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex');
}

/** The cloud-lookup transport: one host per request to POST /api/gateway/intel/lookup. */
export function cloudAsk(origin: string, tls: TlsClientOptions, timeoutMs = 1_500): (host: string) => Promise<CloudVerdict> {
  return async (host) => {
    const r = await httpJson(`${origin}/api/gateway/intel/lookup`, 'POST', { items: [host] }, tls, timeoutMs);
    if (r.status !== 200) throw new Error(`cloud lookup: HTTP ${r.status}`);
    const parsed = CloudLookupResponse.safeParse(r.body);
    if (!parsed.success || parsed.data.results.length !== 1) throw new Error('cloud lookup: unexpected answer');
    return parsed.data.results[0]!;
  };
}
