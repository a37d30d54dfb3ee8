/** Response shapes of the console API that the policy package does not define (session, gateways, ...). */
import type { GatewayStatus, InterfaceStatus, Localized } from '@mamori/policy';

export type Role = 'operator' | 'tenantAdmin' | 'tenantViewer';

export interface Account {
  id: string;
  tenantId: string | null;
  role: Role;
  email: string;
  name: string;
  lang: 'ja' | 'en';
  passwordSet: boolean;
  totpEnabled: boolean;
  privacyAcceptedAt: number | null;
  createdAt: number;
}

export interface Session {
  account: Account;
  csrfToken: string;
  privacyNoticeRequired: boolean;
  privacyNoticeVersion: string;
}

export interface PortalService {
  tenantId: string;
  tenantName: string;
  service: string;
  model: 10 | 50 | 100;
  consolePath: string;
}

export type DeployState = 'pending' | 'succeeded' | 'failed';

export interface GatewayDeploy {
  version: number;
  state: DeployState;
  error: string | null;
  at: number | null;
}

export interface Gateway {
  id: string;
  name: string;
  hostname: string;
  groups: string[];
  status: 'online' | 'offline';
  connected: boolean;
  lastSeen: number | null;
  enrolledAt: number;
  version: string | null;
  details: GatewayStatus | null;
  lastDeployment: GatewayDeploy | null;
}
export type { InterfaceStatus };

export interface DraftState {
  updatedAt: number;
  updatedBy: string;
  deployedVersion: number | null;
  /** the draft differs from the deployed version: show the pending-changes banner */
  differs: boolean;
}

export interface Deployment {
  version: number;
  createdAt: number;
  gateways: Array<{ gatewayId: string; name: string; state: DeployState; error?: string | null; connected?: boolean }>;
}

export interface Backup {
  id: string;
  createdAt: number;
  createdBy: string;
  sizeBytes: number;
}

export type BackupCreateResult = { created: true; backup: Backup } | { created: false; message?: Localized };

export interface CertificateInfo {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  source: 'generated' | 'imported';
  keyAlgorithm: string;
}

export interface AlertSettings {
  enabled: boolean;
  recipients: string[];
  types: { gatewayStatus: boolean; cncCallback: boolean; deploymentFailed: boolean };
}

export interface AlertRecord {
  id: string;
  tenantId: string;
  tenantName?: string;
  type: string;
  severity: 'info' | 'warning' | 'critical';
  message: Localized | string;
  at: number;
}

export interface OutboxMail {
  id: string;
  tenantId: string | null;
  to: string;
  subject: string;
  text: string;
  status: 'captured' | 'sent' | 'failed';
  error: string | null;
  createdAt: number;
}

export interface Tenant {
  id: string;
  name: string;
  model: 10 | 50 | 100;
  service: string;
  createdAt: number;
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
  runs: Array<{ id: string; at: number; state: 'running' | 'done' | 'failed'; progress?: number }>;
}

export interface SandboxSubmission {
  id: string;
  subject: string;
  sender: string;
  recipient: string;
  attachment: string;
  submittedAt: number;
  verdict: 'pending' | 'safe' | 'malicious' | 'timeout';
}
