/**
 * Every console endpoint the web app calls, in one place. Policy documents are typed by the
 * policy package's zod schemas (the console validates them with the same schemas).
 */
import type { Policy } from '@mamori/policy';
import { del, get, post, put, request } from './client.js';
import type {
  AccountRow, AlertRecord, AlertSettings, Backup, BackupCreateResult, Catalog, CertificateInfo, Deployment, DraftState,
  Gateway, LogQueryResult, OutboxMail, PortalService, Report, SandboxSubmission, SavedQuery, Session, Tenant, WidgetSeries,
} from './types.js';

const tp = (tenantId: string, path: string) => `/api/tenants/${encodeURIComponent(tenantId)}${path}`;

export const auth = {
  session: () => get<Session>('/api/auth/session'),
  login: (accountId: string, password: string, totp?: string) => post<Session>('/api/auth/login', { accountId, password, ...(totp ? { totp } : {}) }),
  logout: () => post<void>('/api/auth/logout'),
  passwordToken: (token: string) => get<{ accountId: string }>(`/api/auth/password-token/${encodeURIComponent(token)}`),
  setPassword: (token: string, password: string) => post<void>('/api/auth/password', { token, password }),
  requestReset: (accountId: string) => post<void>('/api/auth/password-reset', { accountId }),
  acceptPrivacy: () => post<void>('/api/auth/privacy-notice'),
  services: () => get<PortalService[]>('/api/portal/services'),
};

export const policy = {
  draft: (t: string) => get<{ policy: Policy } & DraftState>(tp(t, '/policy/draft')),
  saveDraft: (t: string, p: Policy) => put<{ policy: Policy } & DraftState>(tp(t, '/policy/draft'), p),
  deploy: (t: string) => post<Deployment>(tp(t, '/deployments')),
  deployment: (t: string, version: number) => get<Deployment>(tp(t, `/deployments/${version}`)),
  catalog: () => get<Catalog>('/api/catalog'),
};

export const gateways = {
  list: (t: string) => get<Gateway[]>(tp(t, '/gateways')),
  enrollmentToken: (t: string) => post<{ token: string; expiresAt: string }>(tp(t, '/gateways/enrollment-tokens')),
};

export const backups = {
  list: (t: string) => get<Backup[]>(tp(t, '/backups')),
  create: (t: string) => post<BackupCreateResult>(tp(t, '/backups')),
  downloadUrl: (t: string, id: string) => tp(t, `/backups/${encodeURIComponent(id)}/download`),
  restore: (t: string, id: string) => post<void>(tp(t, `/backups/${encodeURIComponent(id)}/restore`)),
  restoreFile: (t: string, file: Blob) => request<void>('POST', tp(t, '/backups/restore'), { raw: file }),
};

export const certificates = {
  info: (t: string) => get<CertificateInfo>(tp(t, '/certificate')),
  pemUrl: (t: string) => tp(t, '/certificate/CloudEdge.crt'),
  derUrl: (t: string) => tp(t, '/certificate/CloudEdge.cer'),
  regenerate: (t: string) => post<CertificateInfo>(tp(t, '/certificate/regenerate')),
  import: (t: string, certificatePem: string, privateKeyPem: string) => put<CertificateInfo>(tp(t, '/certificate'), { certificatePem, privateKeyPem }),
};

export const admin = {
  alertSettings: (t: string) => get<AlertSettings>(tp(t, '/alert-settings')),
  saveAlertSettings: (t: string, s: AlertSettings) => put<AlertSettings>(tp(t, '/alert-settings'), s),
  alerts: (t: string) => get<AlertRecord[]>(tp(t, '/alerts')),
  accounts: (t: string) => get<AccountRow[]>(tp(t, '/accounts')),
  addAccount: (t: string, email: string, role: string) => post<AccountRow>(tp(t, '/accounts'), { email, role }),
  outbox: () => get<OutboxMail[]>('/api/outbox'),
};

export const operator = {
  tenants: () => get<Tenant[]>('/api/tenants'),
  createTenant: (name: string, model: number, adminEmail: string) => post<Tenant>('/api/tenants', { name, model, adminEmail }),
  alerts: () => get<AlertRecord[]>('/api/alerts'),
};

export const analytics = {
  widgetTypes: () => get<Array<{ id: string }>>('/api/analytics/widgets'),
  widget: (t: string, id: string, range: string) => get<WidgetSeries>(tp(t, `/analytics/widgets/${encodeURIComponent(id)}?range=${range}`)),
  layout: () => get<{ widgets: string[] }>('/api/me/dashboard'),
  saveLayout: (widgets: string[]) => put<{ widgets: string[] }>('/api/me/dashboard', { widgets }),
  query: (t: string, logType: string, q: { range: string; filter: string; groupBy: string | null }) =>
    post<LogQueryResult>(tp(t, `/logs/${logType}/query`), q),
  csvUrl: (t: string, logType: string, q: { range: string; filter: string }) =>
    tp(t, `/logs/${logType}/export.csv?range=${encodeURIComponent(q.range)}&filter=${encodeURIComponent(q.filter)}`),
  savedQueries: (t: string) => get<SavedQuery[]>(tp(t, '/logs/saved-queries')),
  saveQuery: (t: string, q: Omit<SavedQuery, 'id'>) => post<SavedQuery>(tp(t, '/logs/saved-queries'), q),
  reports: (t: string) => get<Report[]>(tp(t, '/reports')),
  saveReport: (t: string, r: Omit<Report, 'id' | 'runs' | 'protected'> & { id?: string }) =>
    r.id ? put<Report>(tp(t, `/reports/${r.id}`), r) : post<Report>(tp(t, '/reports'), r),
  deleteReport: (t: string, id: string) => del<void>(tp(t, `/reports/${id}`)),
  runReport: (t: string, id: string) => post<{ runId: string }>(tp(t, `/reports/${id}/run`)),
  reportFileUrl: (t: string, id: string, runId: string, fmt: 'pdf' | 'xlsx') => tp(t, `/reports/${id}/runs/${runId}.${fmt}`),
  sandbox: (t: string) => get<SandboxSubmission[]>(tp(t, '/sandbox/submissions')),
};
