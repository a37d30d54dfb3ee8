/**
 * Analytics runs with the console: its timers (alerts, scheduled reports, retention) start when the
 * console starts and stop when it closes. A ManualClock drives them; a real SMTP peer receives
 * the scheduled report with its PDF and Excel attachments.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_TYPES, LogEvent } from '@mamori/policy';
import type { Console } from '../app.js';
import { signedIn, testConsole } from '../testing/client.js';
import { makeTenant, type Tenant } from '../testing/world.js';
import type { Analytics } from './analytics.js';
import { ManualClock } from './clock.js';
import { analyticsFor } from './console-routes.js';
import { generateEvents } from './demo/generator.js';
import { setRetentionDays } from './ingest/retention.js';
import { startSmtpPeer, type SmtpPeer } from './test-support/smtp-peer.js';

const MIN = 60_000;
const DAY = 86_400_000;
const JST = 9 * 3_600_000;
const T = Date.UTC(2026, 10, 25, 14, 0); // 2026-11-25 23:00 JST
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let clock: ManualClock;
let peer: SmtpPeer;
let c: Console;
let tenant: Tenant;
let analytics: Analytics;

async function total(tenantId: string, idPrefix?: string): Promise<number> {
  let n = 0;
  for (const type of LOG_TYPES) n += await analytics.events.count(tenantId, { type, from: 0, to: T + DAY, filters: idPrefix ? [{ field: 'id', op: 'prefix', value: idPrefix }] : [] });
  return n;
}

beforeAll(async () => {
  clock = new ManualClock(T);
  peer = await startSmtpPeer();
  c = await testConsole({ analyticsClock: clock, smtpUrl: peer.url });
  const { client: operator } = await signedIn(c, 'operator', null, `lifecycle-op-${process.pid}@example.com`);
  tenant = await makeTenant(c, operator, 'ライフサイクル株式会社', 10);
  analytics = await analyticsFor(c.services);
  const ingest = async (batchId: string, from: number, to: number, count: number, idPrefix: string) => {
    const events = [...generateEvents({ seed: count, from, to, count, idPrefix })].map((e) => LogEvent.parse(e));
    await analytics.events.ingest(tenant.id, { batchId, gatewayId: 'gw-lifecycle', events });
  };
  await ingest('old', T - 100 * DAY, T - 99 * DAY, 500, 'old-');
  await ingest('recent', T - 20 * 3_600_000, T, 1000, 'recent-');
}, 120_000);

afterAll(async () => {
  await c?.close();
  await peer?.close();
});

describe('analytics started with the console', () => {
  it('runs its timers on the console\'s analytics clock', () => {
    expect(analytics.started).toBe(true);
    expect(clock.timerCount).toBe(3);
  });

  it('runs a due scheduled report, mails its PDF and Excel as attachments, and applies retention', async () => {
    await setRetentionDays(analytics.meta, tenant.id, 30);
    const report = await analytics.reports.definitions.create(tenant.id, 'tenant-admin', {
      name: '日次レポート', schedule: 'daily', period: { kind: 'last-day' }, mailEnabled: true, recipients: 'boss@example.jp, soc@example.jp',
    }, T);
    expect(await total(tenant.id, 'old-')).toBe(500);

    await clock.tick(11 * MIN); // 23:11 JST: the daily report is not due yet
    await analytics.reports.whenIdle();
    expect(await analytics.reports.listRuns(tenant.id, report.id)).toEqual([]);

    await clock.tick(60 * MIN); // 2026-11-26 00:11 JST: due; an hour passed, so retention runs too
    await analytics.reports.whenIdle();
    const runs = await analytics.reports.listRuns(tenant.id, report.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'done', from: Date.UTC(2026, 10, 25) - JST, to: Date.UTC(2026, 10, 26) - JST, mailedTo: ['boss@example.jp', 'soc@example.jp'] });

    // retention (30 days) removed the 100-day-old events and kept the recent ones
    expect(await total(tenant.id, 'old-')).toBe(0);
    expect(await total(tenant.id, 'recent-')).toBe(1000);

    // the mail reached the SMTP peer, one per recipient, with both files attached
    const mails = (await peer.waitFor((m) => m.filter((x) => x.mail.subject?.includes('日次レポート')).length >= 2)).filter((x) => x.mail.subject?.includes('日次レポート'));
    expect(mails.map((m) => m.rcptTo).sort()).toEqual([['boss@example.jp'], ['soc@example.jp']]);
    const pdf = (await analytics.reports.file(tenant.id, runs[0]!.id, 'pdf'))!;
    const xlsx = (await analytics.reports.file(tenant.id, runs[0]!.id, 'xlsx'))!;
    for (const { mail } of mails) {
      expect(mail.subject).toContain('【Mamori レポート】日次レポート');
      expect(mail.text).toContain('PDF と Excel のレポートを添付します');
      const atts = mail.attachments;
      expect(atts.map((a) => a.contentType)).toEqual(['application/pdf', XLSX]);
      expect(atts[0]!.filename).toMatch(/^日次レポート_2026-11-25\.pdf$/);
      expect(atts[1]!.filename).toMatch(/^日次レポート_2026-11-25\.xlsx$/);
      expect(atts[0]!.content.equals(pdf)).toBe(true);
      expect(atts[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(atts[1]!.content as unknown as ArrayBuffer);
      expect(wb.getWorksheet('レポート')!.getCell('B1').value).toBe('日次レポート');
      expect(atts[1]!.content.equals(xlsx)).toBe(true);
    }
    // the outbox records the mail and names its attachments
    const outbox = await c.services.store.tenant(tenant.id).outbox.list();
    expect(outbox.filter((m) => m.subject.includes('日次レポート')).map((m) => m.status)).toEqual(['sent', 'sent']);

    // a minute later nothing new is due
    await clock.tick(MIN);
    await analytics.reports.whenIdle();
    expect(await analytics.reports.listRuns(tenant.id, report.id)).toHaveLength(1);
  }, 120_000);

  it('stops its timers when the console closes', async () => {
    await c.close();
    expect(analytics.started).toBe(false);
    expect(clock.timerCount).toBe(0);
  });
});
