/**
 * Report definitions (manual §7): name, description, enabled, schedule, period, mail
 * notification and recipients. Each tenant has the built-in monthly report, which tenant roles
 * may not edit or delete (the service provider issues it); operators may.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { MetaDb } from '../meta/meta-store.js';
import { DAY, HOUR } from '../store/rollups.js';

export const Schedule = z.enum(['on-demand', 'daily', 'weekly', 'monthly']);
export type Schedule = z.infer<typeof Schedule>;

export const Period = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.enum(['last-hour', 'last-day', 'last-week', 'last-month']) }),
  z.strictObject({ kind: z.literal('custom'), from: z.number().int().nonnegative(), to: z.number().int().nonnegative() }).refine((p) => p.to > p.from, { message: '"to" must be after "from"' }),
]);
export type Period = z.infer<typeof Period>;

const email = z.string().trim().max(254).regex(/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/, 'not an email address');

export const ReportInput = z.strictObject({
  name: z.string().trim().min(1).max(128),
  description: z.string().max(1024).default(''),
  enabled: z.boolean().default(true),
  schedule: Schedule.default('on-demand'),
  period: Period.default({ kind: 'last-day' }),
  mailEnabled: z.boolean().default(false),
  /** an array, or the manual's comma-separated text */
  recipients: z
    .preprocess((v) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : v), z.array(email).max(50))
    .default([]),
});
export type ReportInput = z.input<typeof ReportInput>;

export interface Report {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  enabled: boolean;
  builtin: boolean;
  schedule: Schedule;
  period: Period;
  mailEnabled: boolean;
  recipients: string[];
  createdAt: number;
  updatedAt: number;
  lastRunAt: number | null;
}

export type Role = 'tenant-admin' | 'tenant-viewer' | 'operator';

export class ReportError extends Error {
  constructor(
    readonly code: 'report.not_found' | 'report.protected' | 'report.invalid' | 'report.forbidden',
    readonly statusCode: 400 | 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

export const MONTHLY_REPORT_NAME = '月次レポート';

type Row = { id: string; tenant_id: string; name: string; description: string; enabled: number; builtin: number; schedule: string; period_json: string; mail_enabled: number; recipients_json: string; created_at: number; updated_at: number; last_run_at: number | null };

function toReport(r: Row): Report {
  return {
    id: r.id, tenantId: r.tenant_id, name: r.name, description: r.description, enabled: Number(r.enabled) === 1, builtin: Number(r.builtin) === 1,
    schedule: r.schedule as Schedule, period: JSON.parse(r.period_json) as Period, mailEnabled: Number(r.mail_enabled) === 1,
    recipients: JSON.parse(r.recipients_json) as string[], createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), lastRunAt: r.last_run_at === null ? null : Number(r.last_run_at),
  };
}

function parseInput(input: unknown): z.infer<typeof ReportInput> {
  const r = ReportInput.safeParse(input);
  if (!r.success) throw new ReportError('report.invalid', 400, `invalid report: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

export class ReportDefinitions {
  constructor(private readonly meta: MetaDb) {}

  /** Creates the protected monthly report for a tenant if it does not exist. */
  async ensureMonthly(tenantId: string, now: number): Promise<Report> {
    const existing = await this.meta.selectFrom('analytics_reports').selectAll().where('tenant_id', '=', tenantId).where('builtin', '=', 1).executeTakeFirst();
    if (existing) return toReport(existing);
    const id = `monthly-${tenantId}`;
    await this.meta.insertInto('analytics_reports').values({
      id, tenant_id: tenantId, name: MONTHLY_REPORT_NAME, description: 'サービス提供者が発行する月次レポートです。削除および編集はできません。',
      enabled: 1, builtin: 1, schedule: 'monthly', period_json: JSON.stringify({ kind: 'last-month' }), mail_enabled: 0, recipients_json: '[]',
      created_at: now, updated_at: now, last_run_at: null,
    }).onConflict((oc) => oc.column('id').doNothing()).execute();
    return (await this.get(tenantId, id))!;
  }

  async list(tenantId: string): Promise<Report[]> {
    const rows = await this.meta.selectFrom('analytics_reports').selectAll().where('tenant_id', '=', tenantId).orderBy('builtin', 'desc').orderBy('created_at').execute();
    return rows.map(toReport);
  }

  async get(tenantId: string, id: string): Promise<Report | undefined> {
    const r = await this.meta.selectFrom('analytics_reports').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r ? toReport(r) : undefined;
  }

  async create(tenantId: string, role: Role, input: unknown, now: number): Promise<Report> {
    if (role === 'tenant-viewer') throw new ReportError('report.forbidden', 403, 'viewers cannot add reports');
    const v = parseInput(input);
    const id = randomUUID();
    await this.meta.insertInto('analytics_reports').values({
      id, tenant_id: tenantId, name: v.name, description: v.description, enabled: v.enabled ? 1 : 0, builtin: 0, schedule: v.schedule,
      period_json: JSON.stringify(v.period), mail_enabled: v.mailEnabled ? 1 : 0, recipients_json: JSON.stringify(v.recipients), created_at: now, updated_at: now, last_run_at: null,
    }).execute();
    return (await this.get(tenantId, id))!;
  }

  private async editable(tenantId: string, role: Role, id: string): Promise<Report> {
    if (role === 'tenant-viewer') throw new ReportError('report.forbidden', 403, 'viewers cannot change reports');
    const r = await this.get(tenantId, id);
    if (!r) throw new ReportError('report.not_found', 404, `no report ${id}`);
    if (r.builtin && role !== 'operator') throw new ReportError('report.protected', 403, 'the monthly report is issued by the service provider and cannot be edited or deleted');
    return r;
  }

  async update(tenantId: string, role: Role, id: string, input: unknown, now: number): Promise<Report> {
    await this.editable(tenantId, role, id);
    const v = parseInput(input);
    await this.meta.updateTable('analytics_reports').set({
      name: v.name, description: v.description, enabled: v.enabled ? 1 : 0, schedule: v.schedule, period_json: JSON.stringify(v.period),
      mail_enabled: v.mailEnabled ? 1 : 0, recipients_json: JSON.stringify(v.recipients), updated_at: now,
    }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    return (await this.get(tenantId, id))!;
  }

  async remove(tenantId: string, role: Role, id: string): Promise<void> {
    const r = await this.editable(tenantId, role, id);
    if (r.builtin) throw new ReportError('report.protected', 403, 'the monthly report cannot be deleted; disable it instead');
    await this.meta.deleteFrom('analytics_report_runs').where('tenant_id', '=', tenantId).where('report_id', '=', id).execute();
    await this.meta.deleteFrom('analytics_reports').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  async markRun(tenantId: string, id: string, at: number): Promise<void> {
    await this.meta.updateTable('analytics_reports').set({ last_run_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }
}

const JST = 9 * HOUR;

/**
 * The time range a report covers when run at `now`. Scheduled periods are whole calendar units
 * in Japan time (last month = the previous calendar month); "last hour/day/week" for on-demand
 * runs end now.
 */
export function periodRange(period: Period, schedule: Schedule, now: number): { from: number; to: number } {
  if (period.kind === 'custom') return { from: period.from, to: period.to };
  if (period.kind === 'last-hour') return { from: now - HOUR, to: now };
  if (schedule === 'on-demand') {
    if (period.kind === 'last-day') return { from: now - DAY, to: now };
    if (period.kind === 'last-week') return { from: now - 7 * DAY, to: now };
  }
  const local = new Date(now + JST);
  const dayStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - JST;
  if (period.kind === 'last-day') return { from: dayStart - DAY, to: dayStart };
  if (period.kind === 'last-week') {
    const weekday = (local.getUTCDay() + 6) % 7; // Monday = 0
    const weekStart = dayStart - weekday * DAY;
    return { from: weekStart - 7 * DAY, to: weekStart };
  }
  const monthStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - JST;
  const prevStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - 1, 1) - JST;
  return { from: prevStart, to: monthStart };
}
