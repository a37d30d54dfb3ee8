/**
 * Runs a report (今すぐ実行 or the schedule): builds the sections from rollups, renders PDF and
 * Excel, keeps them (the last `keep` runs per report), and mails them as attachments to the
 * recipients when the report's mail notification is on. Progress is stored on the run row so the
 * UI can poll it.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ConsoleFacts } from '../console-facts.js';
import type { MetaDb } from '../meta/meta-store.js';
import type { EventStore } from '../store/event-store.js';
import { formatJst } from '../query/csv.js';
import { ReportDefinitions, ReportError, periodRange, type Report } from './definitions.js';
import { renderPdf } from './pdf.js';
import { buildSections } from './sections.js';
import { renderXlsx } from './xlsx.js';

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

export interface ReportRunnerOptions {
  /** generated reports kept per report (default 12) */
  keep?: number;
  tenantName?(tenantId: string): Promise<string>;
  /** the demo tenant's reports say that they contain demo data */
  isDemoTenant?(tenantId: string): boolean;
}

export class ReportRunner {
  readonly definitions: ReportDefinitions;
  private readonly running = new Map<string, Promise<ReportRun>>();

  constructor(
    private readonly events: EventStore,
    private readonly meta: MetaDb,
    private readonly facts: ConsoleFacts,
    private readonly clock: Clock,
    private readonly opts: ReportRunnerOptions = {},
  ) {
    this.definitions = new ReportDefinitions(meta);
  }

  /** Starts a run and returns it at once (status running); `finished` resolves when it is done. */
  async start(tenantId: string, reportId: string): Promise<{ run: ReportRun; finished: Promise<ReportRun> }> {
    const report = await this.definitions.get(tenantId, reportId);
    if (!report) throw new ReportError('report.not_found', 404, `no report ${reportId}`);
    const now = this.clock.now();
    const { from, to } = periodRange(report.period, report.schedule, now);
    const id = randomUUID();
    await this.meta.insertInto('analytics_report_runs').values({
      id, report_id: reportId, tenant_id: tenantId, status: 'running', progress: 0, period_from: from, period_to: to, started_at: now,
      finished_at: null, error: null, pdf: null, xlsx: null, mailed_to: null,
    }).execute();
    await this.definitions.markRun(tenantId, reportId, now);
    const finished = this.generate(tenantId, report, id, from, to).finally(() => this.running.delete(id));
    this.running.set(id, finished);
    return { run: (await this.getRun(tenantId, id))!, finished };
  }

  /** resolves when every run started so far has finished */
  async whenIdle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private async progress(id: string, p: number): Promise<void> {
    await this.meta.updateTable('analytics_report_runs').set({ progress: Math.round(p) }).where('id', '=', id).execute();
  }

  private async generate(tenantId: string, report: Report, id: string, from: number, to: number): Promise<ReportRun> {
    try {
      const sections = await buildSections(this.events, tenantId, from, to, (done, total) => this.progress(id, (done / total) * 60));
      const meta = {
        title: report.name, description: report.description, tenantName: (await this.opts.tenantName?.(tenantId)) ?? tenantId,
        from, to, generatedAt: this.clock.now(), demo: this.opts.isDemoTenant?.(tenantId) ?? false,
      };
      const pdf = await renderPdf(meta, sections);
      await this.progress(id, 80);
      const xlsx = await renderXlsx(meta, sections);
      await this.meta.updateTable('analytics_report_runs').set({ pdf, xlsx, progress: 90 }).where('id', '=', id).execute();
      let mailedTo: string[] = [];
      if (report.mailEnabled && report.recipients.length > 0) {
        const base = `${report.name}_${formatJst(from).slice(0, 10)}`.replace(/[\\/:*?"<>|\s]/g, '_');
        const sent = await this.facts.sendMail(tenantId, {
          to: report.recipients,
          subject: `【Mamori レポート】${report.name} (${formatJst(from).slice(0, 16)} 〜 ${formatJst(to).slice(0, 16)})`,
          text: `${report.name}\n期間: ${formatJst(from)} 〜 ${formatJst(to)} (JST)\n\nPDF と Excel のレポートを添付します。管理コンソールの「分析とレポート」⇒「レポート」からもダウンロードできます。`,
          attachments: [
            { filename: `${base}.pdf`, contentType: 'application/pdf', content: pdf },
            { filename: `${base}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', content: xlsx },
          ],
        });
        if (sent) mailedTo = report.recipients;
      }
      await this.meta.updateTable('analytics_report_runs').set({ status: 'done', progress: 100, finished_at: this.clock.now(), mailed_to: JSON.stringify(mailedTo) }).where('id', '=', id).execute();
      await this.prune(tenantId, report.id);
    } catch (err) {
      await this.meta.updateTable('analytics_report_runs').set({ status: 'failed', finished_at: this.clock.now(), error: String((err as Error).message ?? err) }).where('id', '=', id).execute();
    }
    return (await this.getRun(tenantId, id))!;
  }

  private async prune(tenantId: string, reportId: string): Promise<void> {
    const keep = this.opts.keep ?? 12;
    const old = await this.meta.selectFrom('analytics_report_runs').select('id').where('tenant_id', '=', tenantId).where('report_id', '=', reportId).where('status', '!=', 'running')
      .orderBy('started_at', 'desc').offset(keep).limit(1000).execute();
    if (old.length > 0) await this.meta.deleteFrom('analytics_report_runs').where('id', 'in', old.map((o) => o.id)).execute();
  }

  async getRun(tenantId: string, id: string): Promise<ReportRun | undefined> {
    const r = await this.meta.selectFrom('analytics_report_runs')
      .select(['id', 'report_id', 'status', 'progress', 'period_from', 'period_to', 'started_at', 'finished_at', 'error', 'mailed_to'])
      .select((eb) => [eb.case().when('pdf', 'is not', null).then(1).else(0).end().as('has_pdf'), eb.case().when('xlsx', 'is not', null).then(1).else(0).end().as('has_xlsx')])
      .where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    return {
      id: r.id, reportId: r.report_id, status: r.status as ReportRun['status'], progress: Number(r.progress), from: Number(r.period_from), to: Number(r.period_to),
      startedAt: Number(r.started_at), finishedAt: r.finished_at === null ? null : Number(r.finished_at), error: r.error, mailedTo: r.mailed_to ? (JSON.parse(r.mailed_to) as string[]) : [],
      hasPdf: Number(r.has_pdf) === 1, hasXlsx: Number(r.has_xlsx) === 1,
    };
  }

  async listRuns(tenantId: string, reportId: string): Promise<ReportRun[]> {
    const ids = await this.meta.selectFrom('analytics_report_runs').select('id').where('tenant_id', '=', tenantId).where('report_id', '=', reportId).orderBy('started_at', 'desc').limit(50).execute();
    const out: ReportRun[] = [];
    for (const { id } of ids) out.push((await this.getRun(tenantId, id))!);
    return out;
  }

  async file(tenantId: string, runId: string, format: 'pdf' | 'xlsx'): Promise<Buffer | undefined> {
    const r = await this.meta.selectFrom('analytics_report_runs').select([format]).where('tenant_id', '=', tenantId).where('id', '=', runId).executeTakeFirst();
    const v = r?.[format];
    return v ? Buffer.from(v) : undefined;
  }
}
