import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogEvent } from '@mamori/policy';
import { ManualClock } from '../clock.js';
import { emptyFacts, type MailMessage } from '../console-facts.js';
import type { MetaDb } from '../meta/meta-store.js';
import { SqliteEventStore } from '../store/sqlite-store.js';
import { sqliteMeta } from '../test-support/meta.js';
import { generateEvents } from '../demo/generator.js';
import { ReportError, periodRange } from './definitions.js';
import { ReportRunner } from './runner.js';
import { ReportScheduler, previousFire } from './scheduler.js';

const NOW = Date.UTC(2026, 10, 25, 3, 0, 0); // 2026-11-25 12:00 JST

describe('reports', () => {
  let events: SqliteEventStore;
  let meta: MetaDb;
  let runner: ReportRunner;
  const clock = new ManualClock(NOW);
  const mails: MailMessage[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-an-report-'));

  beforeAll(async () => {
    events = new SqliteEventStore({ path: ':memory:' });
    meta = await sqliteMeta();
    const evs = [...generateEvents({ seed: 4, from: NOW - 3 * 86_400_000, to: NOW, count: 4000 })].map((e) => LogEvent.parse(e));
    for (let i = 0; i < evs.length; i += 1000) await events.ingest('t1', { batchId: `b${i}`, gatewayId: 'gw1', events: evs.slice(i, i + 1000) });
    const facts = emptyFacts({ sendMail: async (_t, m) => { mails.push(m); return true; }, tenants: async () => [{ id: 't1', name: '株式会社テスト' }] });
    runner = new ReportRunner(events, meta, facts, clock, { tenantName: async () => '株式会社テスト', isDemoTenant: () => true });
  });
  afterAll(async () => {
    await events.close();
    await meta.destroy();
  });

  it('keeps the built-in monthly report protected from tenant roles', async () => {
    const monthly = await runner.definitions.ensureMonthly('t1', NOW);
    expect(monthly).toMatchObject({ name: '月次レポート', builtin: true, schedule: 'monthly', period: { kind: 'last-month' } });
    expect((await runner.definitions.ensureMonthly('t1', NOW)).id).toBe(monthly.id);
    await expect(runner.definitions.update('t1', 'tenant-admin', monthly.id, { name: 'x' }, NOW)).rejects.toMatchObject({ code: 'report.protected', statusCode: 403 });
    await expect(runner.definitions.remove('t1', 'tenant-admin', monthly.id)).rejects.toBeInstanceOf(ReportError);
    await expect(runner.definitions.remove('t1', 'operator', monthly.id)).rejects.toMatchObject({ code: 'report.protected' });
    const edited = await runner.definitions.update('t1', 'operator', monthly.id, { name: '月次レポート', mailEnabled: true, recipients: 'soc@example.jp', schedule: 'monthly', period: { kind: 'last-month' } }, NOW);
    expect(edited.recipients).toEqual(['soc@example.jp']);
    expect((await runner.definitions.list('other')).length).toBe(0);
  });

  it('validates user reports: name, schedule, period, comma-separated recipients', async () => {
    await expect(runner.definitions.create('t1', 'tenant-admin', { name: '' }, NOW)).rejects.toMatchObject({ code: 'report.invalid' });
    await expect(runner.definitions.create('t1', 'tenant-admin', { name: 'a', recipients: 'ok@example.jp, not-mail' }, NOW)).rejects.toThrow('recipients.1: not an email address');
    await expect(runner.definitions.create('t1', 'tenant-admin', { name: 'a', period: { kind: 'custom', from: 10, to: 5 } }, NOW)).rejects.toThrow('"to" must be after "from"');
    await expect(runner.definitions.create('t1', 'tenant-viewer', { name: 'a' }, NOW)).rejects.toMatchObject({ statusCode: 403 });
    const r = await runner.definitions.create('t1', 'tenant-admin', { name: 'テストレポート', schedule: 'weekly', period: { kind: 'last-week' }, recipients: 'a@example.jp, b@example.jp' }, NOW);
    expect(r).toMatchObject({ builtin: false, enabled: true, schedule: 'weekly', recipients: ['a@example.jp', 'b@example.jp'] });
    await runner.definitions.remove('t1', 'tenant-admin', r.id);
    expect(await runner.definitions.get('t1', r.id)).toBeUndefined();
  });

  it('runs now: progress to done, a PDF with Japanese text and an Excel workbook, mailed as attachments', async () => {
    const r = await runner.definitions.create('t1', 'tenant-admin', { name: 'テストレポート', description: '過去1日の状況', period: { kind: 'last-day' }, mailEnabled: true, recipients: 'boss@example.jp' }, NOW);
    const { run, finished } = await runner.start('t1', r.id);
    expect(run).toMatchObject({ status: 'running', reportId: r.id, from: NOW - 86_400_000, to: NOW });
    const done = await finished;
    expect(done).toMatchObject({ status: 'done', progress: 100, hasPdf: true, hasXlsx: true, mailedTo: ['boss@example.jp'] });
    expect((await runner.listRuns('t1', r.id)).map((x) => x.id)).toEqual([run.id]);
    expect(await runner.getRun('other', run.id)).toBeUndefined();

    const pdf = (await runner.file('t1', run.id, 'pdf'))!;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pdfPath = path.join(tmp, 'r.pdf');
    fs.writeFileSync(pdfPath, pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-']).toString('utf8');
    for (const label of ['テストレポート', '株式会社テスト', 'レポート期間', '検出された脅威', 'ブロックされたURLカテゴリ', '帯域幅上位のアプリケーション', 'アプリケーション帯域幅', 'インターネットセキュリティ', 'デモデータ']) {
      expect(text).toContain(label);
    }
    const topApp = (await events.rollup('t1', { metric: 'bandwidth.app', from: done.from, to: done.to, groupBy: 'k1', orderBy: 'bytes', limit: 1 }))[0]!;
    expect(text).toContain(topApp.k1);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await runner.file('t1', run.id, 'xlsx'))! as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toContain('ログの概要');
    expect(wb.getWorksheet('レポート')!.getCell('B1').value).toBe('テストレポート');
    const summary = wb.getWorksheet('ログの概要')!;
    expect(summary.getRow(1).values).toEqual([undefined, 'ログ種類', '件数', '通信量 (バイト)']);
    const secCount = (await events.rollup('t1', { metric: 'events', k1: 'security', from: done.from, to: done.to, groupBy: 'none' }))[0]!.count;
    const secRow = summary.getRows(2, 4)!.find((row) => row.getCell(1).value === 'インターネットセキュリティ')!;
    expect(secRow.getCell(2).value).toBe(secCount);

    const mail = mails.at(-1)!;
    expect(mail.to).toEqual(['boss@example.jp']);
    expect(mail.subject).toContain('テストレポート');
    expect(mail.attachments!.map((a) => [a.filename.endsWith('.pdf'), a.contentType])).toEqual([[true, 'application/pdf'], [false, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']]);
    expect(mail.attachments![0]!.content.equals(pdf)).toBe(true);
  });

  it('computes report periods in Japan time and fires schedules once per period', async () => {
    expect(periodRange({ kind: 'last-month' }, 'monthly', NOW)).toEqual({ from: Date.UTC(2026, 9, 1) - 9 * 3_600_000, to: Date.UTC(2026, 10, 1) - 9 * 3_600_000 });
    expect(periodRange({ kind: 'last-day' }, 'daily', NOW)).toEqual({ from: Date.UTC(2026, 10, 24) - 9 * 3_600_000, to: Date.UTC(2026, 10, 25) - 9 * 3_600_000 });
    // 2026-11-25 is a Wednesday; the last full week is Mon 16 .. Mon 23 (JST)
    expect(periodRange({ kind: 'last-week' }, 'weekly', NOW)).toEqual({ from: Date.UTC(2026, 10, 16) - 9 * 3_600_000, to: Date.UTC(2026, 10, 23) - 9 * 3_600_000 });
    expect(previousFire('monthly', NOW)).toBe(Date.UTC(2026, 10, 1, 0, 10) - 9 * 3_600_000);
    expect(previousFire('daily', NOW)).toBe(Date.UTC(2026, 10, 25, 0, 10) - 9 * 3_600_000);

    const facts = emptyFacts({ tenants: async () => [{ id: 's1', name: 'S' }] });
    const c = new ManualClock(Date.UTC(2026, 10, 30, 14, 0)); // 23:00 JST on the 30th
    const r2 = new ReportRunner(events, meta, facts, c);
    const sched = new ReportScheduler(r2, facts, c);
    expect(await sched.tick()).toEqual([]); // monthly report created now: first fire is Dec 1st
    c.set(Date.UTC(2026, 10, 30, 15, 11)); // 2026-12-01 00:11 JST
    const started = await sched.tick();
    expect(started).toHaveLength(1);
    expect(await sched.tick()).toEqual([]);
    await r2.whenIdle();
    const run = await r2.getRun('s1', started[0]!);
    expect(run).toMatchObject({ status: 'done', from: Date.UTC(2026, 10, 1) - 9 * 3_600_000, to: Date.UTC(2026, 11, 1) - 9 * 3_600_000 });
  });
});
