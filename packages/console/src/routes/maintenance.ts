import { z } from 'zod';
import { Ok, TenantParams, type RouteRegistry } from '../http/registry.js';
import { ApiError } from '../errors.js';
import { CertService } from '../services/certs.js';
import { AdminAlertSettings, getAlertSettings } from '../services/alerts.js';
import { DRAFT_DIFFERS_MESSAGE } from '../services/policy.js';

const actorOf = (auth: { kind: string; account?: { id: string } }) => (auth.kind === 'session' && auth.account ? auth.account.id : 'system');
const BackupParams = TenantParams.extend({ backupId: z.string().min(1).max(64) });
const BackupView = z.strictObject({ id: z.string(), createdAt: z.number(), createdBy: z.string(), sizeBytes: z.number() });
const Localized = z.strictObject({ ja: z.string(), en: z.string() });
const RESTORED = { ja: '正常に復元されました。[すべて配信]をクリックして変更を反映してください。', en: 'Restored successfully. Click [Deploy all] to apply it.' };

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');

export function backupRoutes(r: RouteRegistry): void {
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/backups',
    area: 'maintenance',
    summary: 'Stored backups (at most 3 generations), newest first',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    response: z.strictObject({ backups: z.array(BackupView) }),
    handler: async ({ tenantId, services }) => ({ backups: await services.backups.list(tenantId) }),
  });
  r.add({
    method: 'POST',
    url: '/api/tenants/:tenantId/backups',
    area: 'maintenance',
    summary: '今すぐバックアップを作成: only when the configuration changed since the last backup (else 409 backup.no_change)',
    access: 'tenantAdmin',
    tenantScoped: true,
    status: 201,
    params: TenantParams,
    response: BackupView,
    handler: async ({ tenantId, auth, services }) => services.backups.create(tenantId, actorOf(auth)),
  });
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/backups/:backupId/download',
    area: 'maintenance',
    summary: 'Download a backup as a .ce file (signed; the CA private key inside is encrypted)',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: BackupParams,
    response: 'file',
    handler: async ({ tenantId, params, services }) => {
      const f = await services.backups.file(tenantId, params.backupId);
      return { file: Buffer.from(f.content), contentType: 'application/octet-stream', filename: `mamori-backup-${stamp(f.createdAt)}.ce` };
    },
  });
  r.add({
    method: 'DELETE',
    url: '/api/tenants/:tenantId/backups/:backupId',
    area: 'maintenance',
    summary: 'Delete a stored backup',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: BackupParams,
    response: Ok,
    handler: async ({ tenantId, params, auth, services }) => {
      const ts = services.store.tenant(tenantId);
      if (!(await ts.backups.delete(params.backupId))) throw new ApiError('not_found');
      await ts.audit.add({ actor: actorOf(auth), action: 'backup.delete', target: params.backupId });
      return { ok: true as const };
    },
  });
  const Restored = z.strictObject({ restored: z.literal(true), message: Localized, draftDiffers: z.boolean(), deployMessage: Localized.nullable() });
  const restored = async (tenantId: string, services: Parameters<Parameters<RouteRegistry['add']>[0]['handler']>[0]['services']) => {
    const d = await services.policy.draft(tenantId);
    return { restored: true as const, message: RESTORED, draftDiffers: d.differs, deployMessage: d.differs ? DRAFT_DIFFERS_MESSAGE : null };
  };
  r.add({
    method: 'POST',
    url: '/api/tenants/:tenantId/backups/:backupId/restore',
    area: 'maintenance',
    summary: 'Restore a stored backup into the draft (then Deploy all)',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: BackupParams,
    response: Restored,
    handler: async ({ tenantId, params, auth, services }) => {
      await services.backups.restore(tenantId, actorOf(auth), { backupId: params.backupId });
      return restored(tenantId, services);
    },
  });
  r.add({
    method: 'POST',
    url: '/api/tenants/:tenantId/backups/restore',
    area: 'maintenance',
    summary: 'Restore from an uploaded .ce file (its text); a tampered or foreign file is rejected',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: TenantParams,
    bodyLimit: 8 * 1024 * 1024,
    body: z.strictObject({ fileContent: z.string().min(1).max(8 * 1024 * 1024) }),
    response: Restored,
    handler: async ({ tenantId, body, auth, services }) => {
      await services.backups.restore(tenantId, actorOf(auth), { fileContent: body.fileContent });
      return restored(tenantId, services);
    },
  });
}

const CaView = z.strictObject({
  subject: z.string(),
  issuer: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  fingerprintSha256: z.string(),
  source: z.enum(['generated', 'imported']),
  keyAlgorithm: z.string(),
});

export function certificateRoutes(r: RouteRegistry): void {
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/certificate',
    area: 'certificates',
    summary: 'The HTTPS-decryption CA (SSL 復号証明書): subject, issuer, validity',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    response: CaView,
    handler: async ({ tenantId, services }) => services.certs.info(tenantId),
  });
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/certificate/export',
    area: 'certificates',
    summary: 'Export the CA certificate: format=pem → Mamori.crt, format=der → Mamori.cer',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    query: z.strictObject({ format: z.enum(['pem', 'der']).default('pem') }),
    response: 'file',
    handler: async ({ tenantId, query, services }) =>
      query.format === 'der'
        ? { file: await services.certs.exportDer(tenantId), contentType: 'application/pkix-cert', filename: 'Mamori.cer' }
        : { file: Buffer.from(await services.certs.exportPem(tenantId)), contentType: 'application/x-x509-ca-cert', filename: 'Mamori.crt' },
  });
  r.add({
    method: 'POST',
    url: '/api/tenants/:tenantId/certificate/regenerate',
    area: 'certificates',
    summary: 'Regenerate the CA (clients must import the new certificate; Deploy all sends it to gateways)',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: TenantParams,
    response: CaView,
    handler: async ({ tenantId, auth, services }) => {
      const before = await services.certs.info(tenantId);
      const t = await services.store.tenant(tenantId).info();
      await services.certs.generate(services.store, tenantId, t?.name ?? 'Mamori');
      const after = await services.certs.info(tenantId);
      await services.store.tenant(tenantId).audit.add({ actor: actorOf(auth), action: 'certificate.regenerate', target: 'decryption-ca', before, after });
      return after;
    },
  });
  r.add({
    method: 'PUT',
    url: '/api/tenants/:tenantId/certificate',
    area: 'certificates',
    summary: 'Import your own CA certificate and private key (checked: they match, it is a CA, it is valid now)',
    access: 'tenantAdmin',
    tenantScoped: true,
    params: TenantParams,
    body: z.strictObject({ certificatePem: z.string().min(1).max(65_536), privateKeyPem: z.string().min(1).max(65_536) }),
    response: CaView,
    handler: async ({ tenantId, body, auth, services }) => {
      CertService.checkImport(body.certificatePem, body.privateKeyPem);
      const before = await services.certs.info(tenantId);
      await services.certs.import(services.store, tenantId, body.certificatePem, body.privateKeyPem);
      const after = await services.certs.info(tenantId);
      await services.store.tenant(tenantId).audit.add({ actor: actorOf(auth), action: 'certificate.import', target: 'decryption-ca', before, after });
      return after;
    },
  });
}

export function alertRoutes(r: RouteRegistry): void {
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/admin-alerts',
    area: 'admin-alerts',
    summary: '管理者アラート: recipients and alert types (read-only for tenant roles)',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    response: AdminAlertSettings.extend({ editable: z.boolean() }),
    handler: async ({ tenantId, auth, services }) => ({
      ...(await getAlertSettings(services.store, tenantId)),
      editable: auth.kind === 'session' && auth.account.role === 'operator',
    }),
  });
  r.add({
    method: 'PUT',
    url: '/api/tenants/:tenantId/admin-alerts',
    area: 'admin-alerts',
    summary: 'Change the admin alert settings (operator only)',
    access: 'operator',
    tenantScoped: true,
    params: TenantParams,
    body: AdminAlertSettings,
    response: AdminAlertSettings,
    handler: async ({ tenantId, body, auth, services }) => {
      const before = await getAlertSettings(services.store, tenantId);
      await services.store.tenant(tenantId).alerts.put(JSON.stringify(body));
      await services.store.tenant(tenantId).audit.add({ actor: actorOf(auth), action: 'admin_alerts.update', target: 'admin-alerts', before, after: body });
      return body;
    },
  });
}

const AuditView = z.strictObject({
  id: z.string(),
  tenantId: z.string().nullable(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  at: z.number(),
});

export function auditRoutes(r: RouteRegistry): void {
  const view = (a: { id: string; tenant_id: string | null; actor: string; action: string; target: string; before_json: string | null; after_json: string | null; at: number }) => ({
    id: a.id,
    tenantId: a.tenant_id,
    actor: a.actor,
    action: a.action,
    target: a.target,
    before: a.before_json === null ? null : (JSON.parse(a.before_json) as unknown),
    after: a.after_json === null ? null : (JSON.parse(a.after_json) as unknown),
    at: a.at,
  });
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/audit',
    area: 'audit',
    summary: 'Audit log of the tenant: who changed what when, with before/after (newest first; page with before=<id>)',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100), before: z.string().max(64).optional() }),
    response: z.strictObject({ entries: z.array(AuditView) }),
    handler: async ({ tenantId, query, services }) => ({ entries: (await services.store.tenant(tenantId).audit.list({ limit: query.limit, ...(query.before ? { before: query.before } : {}) })).map(view) }),
  });
  r.add({
    method: 'GET',
    url: '/api/audit',
    area: 'audit',
    summary: 'Audit log of the whole console (operator)',
    access: 'operator',
    tenantScoped: false,
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(200) }),
    response: z.strictObject({ entries: z.array(AuditView) }),
    handler: async ({ query, services }) => ({ entries: (await services.store.auditAll(query.limit)).map(view) }),
  });
}
