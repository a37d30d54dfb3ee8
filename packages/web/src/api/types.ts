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

/** Analytics API (packages/console/src/analytics/routes.ts). */
export type WidgetData =
  | { kind: 'bar'; unit: 'bytes' | 'count'; items: Array<{ key: string; label?: string; value: number; detail?: Record<string, number | string> }> }
  | { kind: 'series'; unit: 'count'; grain: 'minute' | 'hour' | 'day'; buckets: number[]; series: Array<{ key: string; values: number[] }> }
  | { kind: 'table'; columns: string[]; rows: Array<Record<string, string | number | boolean | null>> };

export interface WidgetInfo {
  id: string;
  title: Localized;
  defaultHours: number;
}

export interface LayoutItem {
  widget: string;
  x: number;
  y: number;
  w: number;
  h: number;
  hours?: number;
}

export type LogTypeId = 'bandwidth' | 'policy' | 'access' | 'security';

export interface LogTypeInfo {
  type: LogTypeId;
  label: Localized;
  fields: Array<{ name: string; kind: string; label: Localized }>;
}

export interface LogFilter {
  field: string;
  op: 'eq' | 'ne' | 'in' | 'contains' | 'prefix' | 'gt' | 'gte' | 'lt' | 'lte' | 'has' | 'exists' | 'missing';
  value?: string | number | boolean;
}

export interface LogQuery {
  from: number;
  to: number;
  filters: LogFilter[];
  groupBy: string[];
  limit: number;
}

export type LogQueryResult =
  | { type: LogTypeId; total: number; groups: LogGroup[] }
  | { type: LogTypeId; events: Array<Record<string, unknown>>; next: unknown };

/** One group of a grouped log query: the group-by values, the event count and the bytes. */
export interface LogGroup {
  keys: Record<string, string | number | boolean | null>;
  count: number;
  bytesUp: number;
  bytesDown: number;
}

export interface SavedQuery {
  id: string;
  name: string;
  type: LogTypeId;
  favorite: boolean;
  query: Record<string, unknown>;
  hours?: number;
  createdAt: number;
}

export type ReportSchedule = 'on-demand' | 'daily' | 'weekly' | 'monthly';
export type ReportPeriod = { kind: 'last-hour' | 'last-day' | 'last-week' | 'last-month' } | { kind: 'custom'; from: number; to: number };

export interface ReportRun {
  id: string;
  reportId: string;
  status: 'running' | 'done' | 'failed';
  progress: number;
  from: number;
  to: number;
  startedAt: number;
  finishedAt: number | null;
  error: string | null;
  mailedTo: string[];
  hasPdf: boolean;
  hasXlsx: boolean;
}

export interface Report {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  /** the protected monthly report */
  builtin: boolean;
  schedule: ReportSchedule;
  period: ReportPeriod;
  mailEnabled: boolean;
  recipients: string[];
  lastRunAt: number | null;
  runs: ReportRun[];
}

export interface ReportInput {
  name: string;
  description: string;
  enabled: boolean;
  schedule: ReportSchedule;
  period: ReportPeriod;
  mailEnabled: boolean;
  recipients: string[];
}

export interface AnalyticsAlert {
  id: string;
  kind: string;
  key: string;
  severity: string;
  title: string;
  /** title and message in Japanese and English (shown by UI language) */
  titles?: { ja: string; en: string };
  messages?: { ja: string; en: string };
  details: Record<string, unknown>;
  firstAt: number;
  lastAt: number;
  count: number;
  state: 'open' | 'resolved';
  mailedAt: number | null;
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
