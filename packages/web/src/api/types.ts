/** Response shapes of the console API that the policy package does not define (session, gateways, ...). */
import type { GatewayStatus, InterfaceStatus, Localized } from '@mamori/policy';

export type Role = 'operator' | 'tenantAdmin' | 'tenantViewer';

export interface Account {
  id: string;
  email: string;
  role: Role;
  tenantId: string | null;
  privacyAccepted: boolean;
}

export interface Session {
  account: Account;
  csrfToken?: string;
}

export interface PortalService {
  tenantId: string;
  tenantName: string;
  model: 10 | 50 | 100;
}

export type DeployState = 'pending' | 'succeeded' | 'failed';

export interface GatewayDeploy {
  version: number;
  state: DeployState;
  error?: string;
  at?: string;
}

export interface Gateway {
  id: string;
  name: string;
  online: boolean;
  connectedOnce: boolean;
  groupIds: string[];
  lastSeen: string | null;
  status: GatewayStatus | null;
  lastDeployment: GatewayDeploy | null;
}
export type { InterfaceStatus };

export interface DraftState {
  changed: boolean;
  deployedVersion: number | null;
}

export interface Deployment {
  version: number;
  createdAt: string;
  gateways: Array<{ gatewayId: string; name: string; state: DeployState; error?: string }>;
}

export interface Backup {
  id: string;
  createdAt: string;
  policyVersion: number | null;
  size: number;
}

export type BackupCreateResult = { created: true; backup: Backup } | { created: false; message?: Localized };

export interface CertificateInfo {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  custom: boolean;
}

export interface AlertSettings {
  enabled: boolean;
  recipients: string[];
  types: { gatewayStatus: boolean; cncCallback: boolean; deployFailed: boolean };
}

export interface AlertRecord {
  id: string;
  tenantId: string;
  tenantName?: string;
  type: string;
  severity: 'info' | 'warning' | 'critical';
  message: Localized | string;
  at: string;
}

export interface AccountRow {
  id: string;
  email: string;
  role: Role;
  lastLoginAt: string | null;
}

export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  at: string;
}

export interface Tenant {
  id: string;
  name: string;
  model: 10 | 50 | 100;
  adminEmail?: string;
  gatewaysTotal: number;
  gatewaysOnline: number;
}

export interface CatalogApp {
  id: string;
  name: Localized;
  category: string;
  functions: Array<{ id: string; name: Localized }>;
}
export interface CatalogAppCategory {
  id: string;
  name: Localized;
}
export interface CatalogUrlCategory {
  id: string;
  name: Localized;
  group?: string;
}
export interface Catalog {
  applications: CatalogApp[];
  applicationCategories: CatalogAppCategory[];
  urlCategories: CatalogUrlCategory[];
}

export interface WidgetSeries {
  /** rows for bar/pie charts */
  items?: Array<{ label: string; value: number }>;
  /** time series: [iso time, value] pairs per series */
  series?: Array<{ name: string; points: Array<[string, number]> }>;
}

export interface LogRow {
  [field: string]: string | number | boolean | null;
}
export interface LogQueryResult {
  total: number;
  rows: LogRow[];
  groups?: Array<{ key: string; count: number }>;
}
export interface SavedQuery {
  id: string;
  name: string;
  logType: string;
  filter: string;
  groupBy: string | null;
}

export interface Report {
  id: string;
  name: string;
  description?: string;
  enabled: boolean;
  protected: boolean;
  schedule: 'onDemand' | 'daily' | 'weekly' | 'monthly';
  period: { kind: 'lastHour' | 'lastDay' | 'lastWeek' | 'lastMonth' } | { kind: 'custom'; from: string; to: string };
  notify: { enabled: boolean; recipients: string[] };
  runs: Array<{ id: string; at: string; state: 'running' | 'done' | 'failed'; progress?: number }>;
}

export interface SandboxSubmission {
  id: string;
  subject: string;
  sender: string;
  recipient: string;
  attachment: string;
  submittedAt: string;
  verdict: 'pending' | 'safe' | 'malicious' | 'timeout';
}
