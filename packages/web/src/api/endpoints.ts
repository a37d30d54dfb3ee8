/**
 * Every console endpoint the web app calls, in one place (see packages/console/README.md and
 * /api/openapi.json). Policy documents are typed by the policy package's zod schemas.
 */
import type { Policy } from '@mamori/policy';
import { del, get, post, put, request } from './client.js';
import type {
  Account, AlertRecord, AlertSettings, Backup, Catalog, CertificateInfo, Deployment, DraftState, Gateway, LogQueryResult,
  OutboxMail, PortalService, Report, SandboxSubmission, SavedQuery, Session, Tenant, WidgetSeries,
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
  draft: (t: string) => get<{ policy: Policy } & DraftState>(tp(t, '/policy/draft')),
  saveDraft: (t: string, p: Policy) => put<{ policy: Policy } & DraftState>(tp(t, '/policy/draft'), p),
  deploy: (t: string) => post<Deployment>(tp(t, '/policy/deploy')),
  deployment: (t: string, version: number) => get<Deployment>(tp(t, `/policy/deployments/${version}`)),
  catalog: () => get<Catalog>('/api/catalog'),
};

export const gateways = {
  list: async (t: string) => (await get<{ gateways: Gateway[] }>(tp(t, '/gateways'))).gateways,
  enrollmentToken: (t: string, name: string) => post<{ id: string; token: string; expiresAt: number }>(tp(t, '/gateways/enrollment-tokens'), { name, groups: [] }),
};

export const backups = {
  list: async (t: string) => (await get<{ backups: Backup[] }>(tp(t, '/backups'))).backups,
  create: (t: string) => post<{ created: boolean; backup?: Backup; message?: { ja: string; en: string } }>(tp(t, '/backups')),
  downloadUrl: (t: string, id: string) => tp(t, `/backups/${encodeURIComponent(id)}/download`),
  restore: (t: string, id: string) => post<unknown>(tp(t, `/backups/${encodeURIComponent(id)}/restore`)),
  restoreFile: (t: string, content: string) => request<unknown>('POST', tp(t, '/backups/restore'), { body: { content } }),
};

export const certificates = {
  info: (t: string) => get<CertificateInfo>(tp(t, '/certificate')),
  pemUrl: (t: string) => tp(t, '/certificate/CloudEdge.crt'),
  derUrl: (t: string) => tp(t, '/certificate/CloudEdge.cer'),
  regenerate: (t: string) => post<CertificateInfo>(tp(t, '/certificate/regenerate')),
  import: (t: string, certificatePem: string, privateKeyPem: string) => post<CertificateInfo>(tp(t, '/certificate/import'), { certificatePem, privateKeyPem }),
};

export const admin = {
  alertSettings: (t: string) => get<AlertSettings>(tp(t, '/admin-alerts')),
  saveAlertSettings: (t: string, s: AlertSettings) => put<AlertSettings>(tp(t, '/admin-alerts'), s),
  alerts: async (t: string) => (await get<{ alerts: AlertRecord[] }>(tp(t, '/alerts'))).alerts,
  accounts: async (t: string) => (await get<{ accounts: Account[] }>(tp(t, '/accounts'))).accounts,
  addAccount: (t: string, a: { email: string; name: string; lang: 'ja' | 'en'; role: 'tenantAdmin' | 'tenantViewer' }) => post<Account>(tp(t, '/accounts'), a),
  invite: (t: string, accountId: string) => post<{ ok: true }>(tp(t, `/accounts/${encodeURIComponent(accountId)}/invite`)),
  outbox: async (t: string) => (await get<{ mode: string; mails: OutboxMail[] }>(tp(t, '/outbox'))).mails,
};

export const operator = {
  tenants: async () => (await get<{ tenants: Tenant[] }>('/api/tenants')).tenants,
  createTenant: (name: string, model: 10 | 50 | 100, admin: { email: string; name: string; lang: 'ja' | 'en' }) =>
    post<{ tenant: Tenant; admin: Account }>('/api/tenants', { name, model, admin }),
  alerts: async () => (await get<{ alerts: AlertRecord[] }>('/api/alerts')).alerts,
  outbox: async () => (await get<{ mode: string; mails: OutboxMail[] }>('/api/outbox')).mails,
};

export const analytics = {
  widget: (t: string, id: string, range: string) => get<WidgetSeries>(tp(t, `/dashboard/widgets/${encodeURIComponent(id)}?range=${range}`)),
  layout: (t: string) => get<{ widgets: string[] }>(tp(t, '/dashboard/layout')),
  saveLayout: (t: string, widgets: string[]) => put<{ widgets: string[] }>(tp(t, '/dashboard/layout'), { widgets }),
  query: (t: string, logType: string, q: { range: string; filter: string; groupBy: string | null }) => post<LogQueryResult>(tp(t, `/logs/${logType}/query`), q),
  csvUrl: (t: string, logType: string, q: { range: string; filter: string }) =>
    tp(t, `/logs/${logType}/export.csv?range=${encodeURIComponent(q.range)}&filter=${encodeURIComponent(q.filter)}`),
  savedQueries: async (t: string) => (await get<{ queries: SavedQuery[] }>(tp(t, '/logs/saved-queries'))).queries,
  saveQuery: (t: string, q: Omit<SavedQuery, 'id'>) => post<SavedQuery>(tp(t, '/logs/saved-queries'), q),
  reports: async (t: string) => (await get<{ reports: Report[] }>(tp(t, '/reports'))).reports,
  saveReport: (t: string, r: Omit<Report, 'id' | 'runs' | 'protected'> & { id?: string }) =>
    r.id ? put<Report>(tp(t, `/reports/${r.id}`), r) : post<Report>(tp(t, '/reports'), r),
  deleteReport: (t: string, id: string) => del<unknown>(tp(t, `/reports/${id}`)),
  runReport: (t: string, id: string) => post<{ runId: string }>(tp(t, `/reports/${id}/run`)),
  reportFileUrl: (t: string, id: string, runId: string, fmt: 'pdf' | 'xlsx') => tp(t, `/reports/${id}/runs/${runId}.${fmt}`),
  sandbox: async (t: string) => (await get<{ submissions: SandboxSubmission[] }>(tp(t, '/sandbox/submissions'))).submissions,
};
