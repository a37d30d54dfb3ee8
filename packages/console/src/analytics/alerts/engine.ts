/**
 * The admin-alert engine: runs the rules for a tenant, stores incidents (one open alert per
 * kind+key, counted while it repeats), mails the alert recipients from the console's admin-alert
 * settings, at most once per key per `remailAfterMs` and at most `maxMailsPerHour` per tenant.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ConsoleFacts } from '../console-facts.js';
import type { MetaDb } from '../meta/meta-store.js';
import type { EventStore } from '../store/event-store.js';
import { alertTexts, type Bilingual } from './messages.js';
import { ALERT_RULES, DEFAULT_ALERT_SETTINGS, type AlertRule, type AlertSettings, type Incident } from './rules.js';

export interface AlertRecord {
  id: string;
  kind: string;
  key: string;
  severity: string;
  /** the stored (Japanese) title */
  title: string;
  /** title and message in Japanese and English (messages.ts) */
  titles: Bilingual;
  messages: Bilingual;
  details: Record<string, unknown>;
  firstAt: number;
  lastAt: number;
  count: number;
  state: 'open' | 'resolved';
  mailedAt: number | null;
}

export interface AlertEngineOptions {
  rules?: readonly AlertRule[];
  settings?: Partial<AlertSettings>;
  /** an incident still open is mailed again after this long (default 1 hour) */
  remailAfterMs?: number;
  maxMailsPerHour?: number;
  /** an open incident that has not been seen for this long is resolved (default 30 minutes) */
  quietResolveMs?: number;
}

export class AlertEngine {
  private readonly rules: readonly AlertRule[];
  private readonly settings: AlertSettings;
  private readonly remailAfterMs: number;
  private readonly maxMailsPerHour: number;
  private readonly quietResolveMs: number;

  constructor(
    private readonly events: EventStore,
    private readonly meta: MetaDb,
    private readonly facts: ConsoleFacts,
    private readonly clock: Clock,
    opts: AlertEngineOptions = {},
  ) {
    this.rules = opts.rules ?? ALERT_RULES;
    this.settings = { ...DEFAULT_ALERT_SETTINGS, ...opts.settings };
    this.remailAfterMs = opts.remailAfterMs ?? 3_600_000;
    this.maxMailsPerHour = opts.maxMailsPerHour ?? 20;
    this.quietResolveMs = opts.quietResolveMs ?? 30 * 60_000;
  }

  private async loadState(tenantId: string): Promise<Map<string, string>> {
    const rows = await this.meta.selectFrom('analytics_kv').select(['key', 'value_json']).where('tenant_id', '=', tenantId).where('key', 'like', 'alert:%').execute();
    return new Map(rows.map((r) => [r.key.slice('alert:'.length), JSON.parse(r.value_json) as string]));
  }

  private async saveState(tenantId: string, state: Map<string, string>): Promise<void> {
    for (const [k, v] of state) {
      const key = `alert:${k}`;
      const value_json = JSON.stringify(v);
      await this.meta.insertInto('analytics_kv').values({ tenant_id: tenantId, key, value_json }).onConflict((oc) => oc.columns(['tenant_id', 'key']).doUpdateSet({ value_json })).execute();
    }
  }

  /** Runs every rule for the tenant; returns the alerts raised or repeated in this run. */
  async evaluate(tenantId: string): Promise<AlertRecord[]> {
    const now = this.clock.now();
    const state = await this.loadState(tenantId);
    const { types } = await this.facts.alertSettings(tenantId);
    const incidents: Incident[] = [];
    for (const rule of this.rules) {
      // an alert type switched off in the admin-alert settings raises nothing
      if (rule.type && types?.[rule.type] === false) continue;
      incidents.push(...(await rule.evaluate({ tenantId, now, events: this.events, facts: this.facts, settings: this.settings, state })));
    }
    await this.saveState(tenantId, state);
    const touched: AlertRecord[] = [];
    for (const inc of incidents) {
      if (inc.resolves) {
        await this.meta.updateTable('analytics_alerts').set({ state: 'resolved', last_at: now })
          .where('tenant_id', '=', tenantId).where('kind', '=', inc.resolves.kind).where('dedup_key', '=', inc.resolves.key).where('state', '=', 'open').execute();
      }
      touched.push(await this.upsert(tenantId, inc, now));
    }
    // incidents that stopped happening are resolved after a quiet period (gateway offline is resolved only by coming back)
    await this.meta.updateTable('analytics_alerts').set({ state: 'resolved' })
      .where('tenant_id', '=', tenantId).where('state', '=', 'open').where('kind', '!=', 'gateway.offline').where('last_at', '<', now - this.quietResolveMs).execute();
    await this.mail(tenantId, touched, now);
    return touched;
  }

  private async upsert(tenantId: string, inc: Incident, now: number): Promise<AlertRecord> {
    const open = await this.meta.selectFrom('analytics_alerts').selectAll().where('tenant_id', '=', tenantId).where('kind', '=', inc.kind).where('dedup_key', '=', inc.key).where('state', '=', 'open').executeTakeFirst();
    if (open) {
      await this.meta.updateTable('analytics_alerts').set({ last_at: now, count: Number(open.count) + 1, title: inc.title, details_json: JSON.stringify(inc.details) }).where('id', '=', open.id).execute();
      return withTexts({ ...toRecord(open), lastAt: now, count: Number(open.count) + 1, title: inc.title, details: inc.details });
    }
    const rec: AlertRecord = withTexts({ id: randomUUID(), kind: inc.kind, key: inc.key, severity: inc.severity, title: inc.title, details: inc.details, firstAt: now, lastAt: now, count: 1, state: inc.resolves ? 'resolved' : 'open', mailedAt: null });
    await this.meta.insertInto('analytics_alerts').values({
      id: rec.id, tenant_id: tenantId, kind: rec.kind, dedup_key: rec.key, severity: rec.severity, title: rec.title, details_json: JSON.stringify(rec.details),
      first_at: now, last_at: now, count: 1, state: rec.state, mailed_at: null,
    }).execute();
    return rec;
  }

  private async mail(tenantId: string, alerts: AlertRecord[], now: number): Promise<void> {
    const due = alerts.filter((a) => a.mailedAt === null || now - a.mailedAt >= this.remailAfterMs);
    if (due.length === 0) return;
    const settings = await this.facts.alertSettings(tenantId);
    if (!settings.enabled || settings.recipients.length === 0) return;
    const recent = await this.meta.selectFrom('analytics_alerts').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('mailed_at', '>=', now - 3_600_000).executeTakeFirst();
    let budget = this.maxMailsPerHour - Number(recent?.n ?? 0);
    for (const a of due) {
      if (budget <= 0) break;
      const sent = await this.facts.sendMail(tenantId, { to: settings.recipients, subject: alertMailSubject(a), text: alertMailText(a) });
      if (!sent) return;
      budget--;
      a.mailedAt = now;
      await this.meta.updateTable('analytics_alerts').set({ mailed_at: now }).where('id', '=', a.id).execute();
    }
  }

  async list(tenantId: string, opts: { state?: 'open' | 'resolved'; limit?: number } = {}): Promise<AlertRecord[]> {
    let q = this.meta.selectFrom('analytics_alerts').selectAll().where('tenant_id', '=', tenantId);
    if (opts.state) q = q.where('state', '=', opts.state);
    const rows = await q.orderBy('last_at', 'desc').orderBy('seq', 'desc').limit(opts.limit ?? 100).execute();
    return rows.map(toRecord);
  }
}

function withTexts(r: Omit<AlertRecord, 'titles' | 'messages'>): AlertRecord {
  const t = alertTexts(r.kind, r.details, r.title);
  return { ...r, titles: t.title, messages: t.message };
}

function toRecord(r: { id: string; kind: string; dedup_key: string; severity: string; title: string; details_json: string; first_at: number; last_at: number; count: number; state: string; mailed_at: number | null }): AlertRecord {
  return withTexts({
    id: r.id, kind: r.kind, key: r.dedup_key, severity: r.severity, title: r.title, details: JSON.parse(r.details_json) as Record<string, unknown>,
    firstAt: Number(r.first_at), lastAt: Number(r.last_at), count: Number(r.count), state: r.state === 'resolved' ? 'resolved' : 'open', mailedAt: r.mailed_at === null ? null : Number(r.mailed_at),
  });
}

const SEVERITY: Record<string, Bilingual> = { critical: { ja: '重大', en: 'Critical' }, warning: { ja: '警告', en: 'Warning' }, info: { ja: '情報', en: 'Information' } };

export function alertMailSubject(a: AlertRecord): string {
  return `【Mamori 管理者アラート】${a.titles.ja} / [Mamori admin alert] ${a.titles.en}`;
}

/** The mail body: Japanese first, then English, then the raw details. */
export function alertMailText(a: AlertRecord): string {
  const when = `${new Date(a.lastAt + 9 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19)} JST`;
  const sev = SEVERITY[a.severity] ?? { ja: a.severity, en: a.severity };
  const lines = [
    a.titles.ja, ...(a.messages.ja ? [a.messages.ja] : []), '', `種類: ${a.kind}`, `重大度: ${sev.ja}`, `検知日時: ${when}`, `発生回数: ${a.count}`, '',
    '----- English -----', a.titles.en, ...(a.messages.en ? [a.messages.en] : []), '', `Kind: ${a.kind}`, `Severity: ${sev.en}`, `Detected: ${when}`, `Occurrences: ${a.count}`, '',
    '----- 詳細 / Details -----',
  ];
  for (const [k, v] of Object.entries(a.details)) lines.push(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  lines.push('', 'このメールは Mamori 管理コンソールの管理者アラート設定により送信されています。', 'This mail was sent by the admin-alert settings of the Mamori management console.');
  return lines.join('\n');
}
