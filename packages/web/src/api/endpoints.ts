/**
 * Every console endpoint the web app calls, in one place (see packages/console/README.md and
 * /api/openapi.json). Policy documents are typed by the policy package's zod schemas.
 */
import type { Policy } from '@mamori/policy';
import { del, get, post, put, request } from './client.js';
import type {
  Account, AlertSettings, AnalyticsAlert, Backup, Catalog, CertificateInfo, Deployment, DraftState, Gateway, LayoutItem, LogQuery,
  LogQueryResult, LogTypeId, LogTypeInfo, OutboxMail, PortalService, Report, ReportInput, ReportRun, SandboxSubmission, SavedQuery,
  Session, Tenant, WidgetData, WidgetInfo,
} from './types.js';

const tp = (tenantId: string, path: string) => `/api/tenants/${encodeURIComponent(tenantId)}${path}`;
export const PRIVACY_VERSION_FALLBACK = '2026-11';

export const auth = {
  session: () => get<Session>('/api/auth/session'),
  login: (login: string, password: string, totp?: string) => post<Session>('/api/auth/login', { login, password, ...(totp ? { totp } : {}) }),
  logout: () => post<{ ok: true }>('/api/auth/logout'),
  passwordLink: (token: string) => get<{ accountId: string; purpose: 'set-password' | 'reset-password' }>(`/api/auth/password-link?token=${encodeURIComponent(token)}`),
  setPassword: (token: string, password: string, confirm: string) => post<{ accountId: string }>('/api/auth/password', { token, password, confirm }),
  requestReset: (login: string) => post<{ ok: true }>('/api/auth/password-reset', { login }),
  acceptPrivacy: (version: string) => post<{ acceptedAt: number }>('/api/auth/privacy', { accept: true, version }),
  services: async () => (await get<{ services: PortalService[] }>('/api/portal')).services,
};

export const policy = {
  draft: (t: string) => get<{ policy: Policy } & DraftState>(tp(t, '/policy')),
  saveDraft: (t: string, p: Policy) => put<{ policy: Policy } & DraftState>(tp(t, '/policy'), p),
  deploy: async (t: string): Promise<Deployment> => ({ createdAt: Date.now(), ...(await post<Omit<Deployment, 'createdAt'>>(tp(t, '/policy/deploy'))) }),
  deployment: (t: string, version: number) => get<Deployment>(tp(t, `/policy/versions/${version}`)),
  catalog: () => get<Catalog>('/api/catalog'),
};

export const gateways = {
  list: async (t: string) => (await get<{ gateways: Gateway[] }>(tp(t, '/gateways'))).gateways,
  enrollmentToken: (t: string, name: string) => post<{ id: string; token: string; expiresAt: number }>(tp(t, '/gateways/enrollment-tokens'), { name, groups: [] }),
};

export const backups = {
  list: async (t: string) => (await get<{ backups: Backup[] }>(tp(t, '/backups'))).backups,
  /** 409 backup.no_change when nothing changed since the last backup */
  create: (t: string) => post<Backup>(tp(t, '/backups')),
  downloadUrl: (t: string, id: string) => tp(t, `/backups/${encodeURIComponent(id)}/download`),
  restore: (t: string, id: string) => post<unknown>(tp(t, `/backups/${encodeURIComponent(id)}/restore`)),
  restoreFile: (t: string, fileContent: string) => request<unknown>('POST', tp(t, '/backups/restore'), { body: { fileContent } }),
};

export const certificates = {
  info: (t: string) => get<CertificateInfo>(tp(t, '/certificate')),
  pemUrl: (t: string) => tp(t, '/certificate/export?format=pem'),
  derUrl: (t: string) => tp(t, '/certificate/export?format=der'),
  regenerate: (t: string) => post<CertificateInfo>(tp(t, '/certificate/regenerate')),
  import: (t: string, certificatePem: string, privateKeyPem: string) => put<CertificateInfo>(tp(t, '/certificate'), { certificatePem, privateKeyPem }),
};

export const admin = {
  alertSettings: (t: string) => get<AlertSettings & { editable: boolean }>(tp(t, '/admin-alerts')),
  saveAlertSettings: (t: string, s: AlertSettings) => put<AlertSettings>(tp(t, '/admin-alerts'), s),
  accounts: async (t: string) => (await get<{ accounts: Account[] }>(tp(t, '/accounts'))).accounts,
  addAccount: (t: string, a: { email: string; name: string; lang: 'ja' | 'en'; role: 'tenantAdmin' | 'tenantViewer' }) => post<Account>(tp(t, '/accounts'), a),
  invite: (t: string, accountId: string) => post<{ ok: true }>(tp(t, `/accounts/${encodeURIComponent(accountId)}/invite`)),
  outbox: async (t: string) => (await get<{ mode: string; mails: OutboxMail[] }>(tp(t, '/outbox'))).mails,
};

export const operator = {
  tenants: async () => (await get<{ tenants: Tenant[] }>('/api/tenants')).tenants,
  createTenant: (name: string, model: 10 | 50 | 100, admin: { email: string; name: string; lang: 'ja' | 'en' }) =>
    post<{ tenant: Tenant; admin: Account }>('/api/tenants', { name, model, admin }),
  outbox: async () => (await get<{ mode: string; mails: OutboxMail[] }>('/api/outbox')).mails,
};

/**
 * The analytics API. A tenant account always gets its own tenant; the operator names the tenant it
 * is looking at, so every call carries `tenant=<id>` (the console checks it against the session).
 */
const an = (t: string, path: string) => `/api/analytics${path}${path.includes('?') ? '&' : '?'}tenant=${encodeURIComponent(t)}`;
export const analytics = {
  widgets: (t: string) => get<WidgetInfo[]>(an(t, '/widgets')),
  widget: (t: string, id: string, hours: number) => get<{ widget: string; from: number; to: number; data: WidgetData }>(an(t, `/widgets/${encodeURIComponent(id)}?hours=${hours}`)),
  layout: (t: string) => get<{ widgets: LayoutItem[] }>(an(t, '/dashboard')),
  saveLayout: (t: string, widgets: LayoutItem[]) => put<{ widgets: LayoutItem[] }>(an(t, '/dashboard'), { widgets }),
  logTypes: (t: string) => get<LogTypeInfo[]>(an(t, '/log-types')),
  query: (t: string, type: LogTypeId, q: LogQuery) => post<LogQueryResult>(an(t, `/logs/${type}/query`), q),
  csvUrl: (t: string, type: LogTypeId, q: Omit<LogQuery, 'limit'>, lang: 'ja' | 'en') => an(t, `/logs/${type}/csv?q=${encodeURIComponent(JSON.stringify(q))}&lang=${lang}`),
  savedQueries: (t: string) => get<SavedQuery[]>(an(t, '/saved-queries')),
  saveQuery: (t: string, q: { name: string; favorite: boolean; query: Record<string, unknown>; hours?: number }) => post<SavedQuery>(an(t, '/saved-queries'), q),
  reports: (t: string) => get<Report[]>(an(t, '/reports')),
  createReport: (t: string, r: ReportInput) => post<Report>(an(t, '/reports'), r),
  updateReport: (t: string, id: string, r: ReportInput) => put<Report>(an(t, `/reports/${encodeURIComponent(id)}`), r),
  deleteReport: (t: string, id: string) => del<unknown>(an(t, `/reports/${encodeURIComponent(id)}`)),
  runReport: (t: string, id: string) => post<ReportRun>(an(t, `/reports/${encodeURIComponent(id)}/run`)),
  reportFileUrl: (t: string, runId: string, fmt: 'pdf' | 'xlsx') => an(t, `/report-runs/${encodeURIComponent(runId)}/${fmt}`),
  alerts: (t: string) => get<AnalyticsAlert[]>(an(t, '/alerts')),
  sandbox: async (t: string) => (await get<{ submissions: SandboxSubmission[] }>(tp(t, '/sandbox/submissions'))).submissions,
};
