/**
 * Backups (manual §5-2, §5-3). "Create now" stores a generation only when the configuration
 * differs from the newest one; at most 3 generations are kept. The .ce file is versioned JSON,
 * signed (HMAC-SHA256 with a key derived from the master key and the tenant id, so a tampered
 * file or another tenant's file is rejected), with the CA private key encrypted inside.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { validatePolicy, type Policy } from '@mamori/policy';
import { ApiError } from '../errors.js';
import { deriveKey } from '../crypto/master-key.js';
import { open, seal } from '../crypto/secret-box.js';
import { newId, sha256 } from '../store/ids.js';
import type { Store } from '../store/store.js';
import { canonicalJson, type PolicyService } from './policy.js';
import type { CertService } from './certs.js';

export const BACKUP_FORMAT = 'mamori-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const MAX_GENERATIONS = 3;

const BackupFile = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.number().int(),
  tenantId: z.string(),
  createdAt: z.string(),
  payload: z.strictObject({
    policy: z.unknown(),
    decryptionCa: z.strictObject({ certificatePem: z.string(), privateKeyEncrypted: z.string(), source: z.enum(['generated', 'imported']) }),
  }),
  signature: z.string(),
});
type BackupFile = z.infer<typeof BackupFile>;

export interface BackupSummary {
  id: string;
  createdAt: number;
  createdBy: string;
  sizeBytes: number;
}

export class BackupService {
  constructor(
    private readonly store: Store,
    private readonly master: Buffer,
    private readonly policy: PolicyService,
    private readonly certs: CertService,
  ) {}

  private signKey(tenantId: string): Buffer {
    return deriveKey(this.master, `backup-sign:${tenantId}`);
  }
  private encKey(tenantId: string): Buffer {
    return deriveKey(this.master, `backup-enc:${tenantId}`);
  }

  private sign(tenantId: string, unsigned: Omit<BackupFile, 'signature'>): string {
    return crypto.createHmac('sha256', this.signKey(tenantId)).update(canonicalJson(unsigned)).digest('hex');
  }

  /** The configuration a backup holds, and its hash (CA compared by certificate and key). */
  private async snapshot(tenantId: string): Promise<{ policy: Policy; ca: { certificatePem: string; privateKeyPem: string; source: 'generated' | 'imported' }; hash: string }> {
    const { policy } = await this.policy.draft(tenantId);
    const ca = await this.certs.keyPair(tenantId);
    const hash = sha256(canonicalJson({ policy, ca: { cert: ca.certificatePem, key: sha256(ca.privateKeyPem) } }));
    return { policy, ca, hash };
  }

  async list(tenantId: string): Promise<BackupSummary[]> {
    return (await this.store.tenant(tenantId).backups.list()).map((b) => ({ id: b.id, createdAt: b.created_at, createdBy: b.created_by, sizeBytes: Buffer.byteLength(b.content_json) }));
  }

  async create(tenantId: string, actor: string): Promise<BackupSummary> {
    const snap = await this.snapshot(tenantId);
    return this.store.transaction(async (tx) => {
      const ts = tx.tenant(tenantId);
      const existing = await ts.backups.list();
      if (existing[0]?.config_hash === snap.hash) throw new ApiError('backup.no_change');
      const unsigned = {
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        tenantId,
        createdAt: new Date().toISOString(),
        payload: {
          policy: snap.policy,
          decryptionCa: { certificatePem: snap.ca.certificatePem, privateKeyEncrypted: seal(this.encKey(tenantId), snap.ca.privateKeyPem), source: snap.ca.source },
        },
      } as const;
      const file = { ...unsigned, signature: this.sign(tenantId, unsigned) };
      const content = JSON.stringify(file, null, 2) + '\n';
      const id = newId('bk');
      const now = Date.now();
      await ts.backups.insert({ id, config_hash: snap.hash, content_json: content, created_at: now, created_by: actor });
      for (const old of existing.slice(MAX_GENERATIONS - 1)) await ts.backups.delete(old.id);
      await ts.audit.add({ actor, action: 'backup.create', target: id });
      return { id, createdAt: now, createdBy: actor, sizeBytes: Buffer.byteLength(content) };
    });
  }

  async file(tenantId: string, backupId: string): Promise<{ content: string; createdAt: number }> {
    const b = await this.store.tenant(tenantId).backups.get(backupId);
    if (!b) throw new ApiError('not_found');
    return { content: b.content_json, createdAt: b.created_at };
  }

  /** Parse and verify a .ce file for this tenant; returns its policy and CA. */
  verify(tenantId: string, text: string): { policy: Policy; certificatePem: string; privateKeyPem: string; source: 'generated' | 'imported' } {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ApiError('backup.invalid_file');
    }
    if (raw && typeof raw === 'object' && (raw as Record<string, unknown>)['format'] === BACKUP_FORMAT && (raw as Record<string, unknown>)['formatVersion'] !== BACKUP_FORMAT_VERSION) {
      throw new ApiError('backup.unsupported_version');
    }
    const parsed = BackupFile.safeParse(raw);
    if (!parsed.success) throw new ApiError('backup.invalid_file');
    const { signature, ...unsigned } = parsed.data;
    const expected = Buffer.from(this.sign(tenantId, unsigned), 'hex');
    const given = Buffer.from(/^[0-9a-f]{64}$/.test(signature) ? signature : '', 'hex');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected) || parsed.data.tenantId !== tenantId) {
      throw new ApiError('backup.signature_invalid');
    }
    const v = validatePolicy(parsed.data.payload.policy);
    if (!v.ok) throw new ApiError('policy.invalid', { problems: v.problems });
    let privateKeyPem: string;
    try {
      privateKeyPem = open(this.encKey(tenantId), parsed.data.payload.decryptionCa.privateKeyEncrypted);
    } catch {
      throw new ApiError('backup.signature_invalid');
    }
    return { policy: v.value, certificatePem: parsed.data.payload.decryptionCa.certificatePem, privateKeyPem, source: parsed.data.payload.decryptionCa.source };
  }

  /** Restore into the draft (and the CA); Deploy all then applies it. */
  async restore(tenantId: string, actor: string, source: { backupId: string } | { fileContent: string }): Promise<void> {
    const text = 'backupId' in source ? (await this.file(tenantId, source.backupId)).content : source.fileContent;
    const r = this.verify(tenantId, text);
    await this.store.transaction(async (tx) => {
      const ts = tx.tenant(tenantId);
      const before = await ts.policy.draft();
      await ts.policy.putDraft(canonicalJson(r.policy), actor);
      await ts.ca.put(r.certificatePem, this.certs.sealKey(tenantId, r.privateKeyPem), r.source);
      await ts.audit.add({ actor, action: 'backup.restore', target: 'backupId' in source ? source.backupId : 'uploaded file', before: before ? JSON.parse(before.json) : null, after: r.policy });
    });
  }
}
