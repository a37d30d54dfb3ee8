/**
 * Table types of the configuration store. Times are epoch milliseconds (bigint columns, parsed
 * as numbers on PostgreSQL); booleans are 0/1 integers; documents are JSON text. The same shape
 * runs on SQLite and PostgreSQL.
 */
import type { Selectable } from 'kysely';

export type Role = 'operator' | 'tenantAdmin' | 'tenantViewer';

export interface TenantsTable {
  id: string;
  name: string;
  model: number;
  created_at: number;
}
export interface AccountsTable {
  id: string;
  tenant_id: string | null;
  role: Role;
  email: string;
  name: string;
  lang: 'ja' | 'en';
  password_hash: string | null;
  totp_secret: string | null;
  totp_enabled: number;
  privacy_accepted_at: number | null;
  failed_logins: number;
  locked_until: number | null;
  created_at: number;
}
export interface AccountTokensTable {
  token_hash: string;
  account_id: string;
  purpose: 'set-password' | 'reset-password';
  expires_at: number;
  used_at: number | null;
  created_at: number;
}
export interface SessionsTable {
  id_hash: string;
  account_id: string;
  csrf: string;
  created_at: number;
  expires_at: number;
}
export interface OutboxTable {
  id: string;
  tenant_id: string | null;
  to_addr: string;
  subject: string;
  text: string;
  status: 'captured' | 'sent' | 'failed';
  error: string | null;
  created_at: number;
}
export interface GatewaysTable {
  id: string;
  tenant_id: string;
  name: string;
  hostname: string;
  groups_json: string;
  cert_fingerprint: string;
  version: string | null;
  status_json: string | null;
  connected: number;
  last_seen: number | null;
  enrolled_at: number;
  deploy_version: number | null;
  deploy_state: 'pending' | 'succeeded' | 'failed' | null;
  deploy_error: string | null;
  deploy_at: number | null;
}
export interface EnrollmentTokensTable {
  token_hash: string;
  id: string;
  tenant_id: string;
  name: string;
  groups_json: string;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}
export interface PolicyDraftsTable {
  tenant_id: string;
  policy_json: string;
  updated_at: number;
  updated_by: string;
}
export interface PolicyVersionsTable {
  tenant_id: string;
  version: number;
  policy_json: string;
  created_at: number;
  created_by: string;
}
export interface DeploymentsTable {
  tenant_id: string;
  version: number;
  gateway_id: string;
  state: 'pending' | 'succeeded' | 'failed';
  error: string | null;
  updated_at: number;
}
export interface BackupsTable {
  id: string;
  tenant_id: string;
  config_hash: string;
  content_json: string;
  created_at: number;
  created_by: string;
}
export interface TenantCasTable {
  tenant_id: string;
  cert_pem: string;
  key_enc: string;
  source: 'generated' | 'imported';
  updated_at: number;
}
export interface AlertSettingsTable {
  tenant_id: string;
  settings_json: string;
  updated_at: number;
}
export interface AuditLogTable {
  id: string;
  tenant_id: string | null;
  actor: string;
  action: string;
  target: string;
  before_json: string | null;
  after_json: string | null;
  at: number;
}
export interface KvTable {
  key: string;
  value: string;
}

export interface Database {
  tenants: TenantsTable;
  accounts: AccountsTable;
  account_tokens: AccountTokensTable;
  sessions: SessionsTable;
  outbox: OutboxTable;
  gateways: GatewaysTable;
  enrollment_tokens: EnrollmentTokensTable;
  policy_drafts: PolicyDraftsTable;
  policy_versions: PolicyVersionsTable;
  deployments: DeploymentsTable;
  backups: BackupsTable;
  tenant_cas: TenantCasTable;
  alert_settings: AlertSettingsTable;
  audit_log: AuditLogTable;
  kv: KvTable;
}

export type TenantRow = Selectable<TenantsTable>;
export type AccountRow = Selectable<AccountsTable>;
export type GatewayRow = Selectable<GatewaysTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type BackupRow = Selectable<BackupsTable>;
export type AuditRow = Selectable<AuditLogTable>;
