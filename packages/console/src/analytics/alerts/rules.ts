/**
 * Admin-alert rules (manual §8). A rule looks at the tenant's state and returns the incidents
 * that hold now; the engine deduplicates them by key, keeps them, and mails them rate-limited.
 * Adding a rule is one entry in ALERT_RULES.
 */
import type { AlertType, ConsoleFacts } from '../console-facts.js';
import type { EventStore } from '../store/event-store.js';
import { MINUTE } from '../store/rollups.js';
import { alertTexts } from './messages.js';

export const OFFLINE_AFTER_MS = 15 * MINUTE;

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface Incident {
  kind: string;
  /** the same key = the same incident (deduplicated while open) */
  key: string;
  severity: AlertSeverity;
  /** the Japanese title (stored); messages.ts gives both languages from kind and details */
  title: string;
  details: Record<string, unknown>;
  /** a "came back" incident resolves the open incident with this kind and key */
  resolves?: { kind: string; key: string };
}

export interface AlertSettings {
  /** C&C callbacks within the window that raise an alert */
  cncThreshold: number;
  malwareThreshold: number;
  dosThreshold: number;
  windowMs: number;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = { cncThreshold: 1, malwareThreshold: 10, dosThreshold: 1, windowMs: 10 * MINUTE };

export interface RuleContext {
  tenantId: string;
  now: number;
  events: EventStore;
  facts: ConsoleFacts;
  settings: AlertSettings;
  /** small per-tenant state the rules keep between runs (e.g. gateway online/offline) */
  state: Map<string, string>;
}

export interface AlertRule {
  id: string;
  /** the admin-alert type switch that turns this rule on and off (none: always on) */
  type?: AlertType;
  evaluate(ctx: RuleContext): Promise<Incident[]>;
}

const gatewayStatus: AlertRule = {
  id: 'gateway-status',
  type: 'gatewayStatus',
  async evaluate(ctx) {
    const out: Incident[] = [];
    const [gateways, lastEvents] = await Promise.all([ctx.facts.gateways(ctx.tenantId), ctx.events.lastEventByGateway(ctx.tenantId)]);
    for (const g of gateways) {
      const seen = Math.max(g.lastSeenAt ?? 0, lastEvents[g.id] ?? 0);
      // a gateway whose sync channel is open is online; else silent for 15 minutes = offline
      const offline = g.connected === true || seen === 0 ? false : ctx.now - seen >= OFFLINE_AFTER_MS;
      const key = `gw:${g.id}`;
      const before = ctx.state.get(key) ?? 'online';
      if (offline && before !== 'offline') {
        out.push(incident('gateway.offline', g.id, 'critical', { gatewayId: g.id, gatewayName: g.name, lastSeenAt: seen, minutesSilent: Math.floor((ctx.now - seen) / MINUTE) }));
        ctx.state.set(key, 'offline');
      } else if (!offline && before === 'offline') {
        out.push({ ...incident('gateway.online', g.id, 'info', { gatewayId: g.id, gatewayName: g.name, lastSeenAt: seen }), resolves: { kind: 'gateway.offline', key: g.id } });
        ctx.state.set(key, 'online');
      }
    }
    return out;
  },
};

function windowStart(ctx: RuleContext): number {
  return ctx.now - ctx.settings.windowMs;
}

const cncCallback: AlertRule = {
  id: 'cnc-callback',
  type: 'cncCallback',
  async evaluate(ctx) {
    const from = windowStart(ctx);
    const total = await ctx.events.rollup(ctx.tenantId, { metric: 'security.threat', k1: 'cnc', from, to: ctx.now + MINUTE, groupBy: 'none' });
    const n = total[0]?.count ?? 0;
    if (n < ctx.settings.cncThreshold) return [];
    const hosts = await ctx.events.rollup(ctx.tenantId, { metric: 'security.cncHost', from, to: ctx.now + MINUTE, groupBy: 'k1', limit: 5 });
    const clients = await ctx.events.rollup(ctx.tenantId, { metric: 'security.cncHost', from, to: ctx.now + MINUTE, groupBy: 'k2', limit: 5 });
    return [incident('cnc.callback', 'cnc', 'critical', { count: n, windowMinutes: ctx.settings.windowMs / MINUTE, topHosts: hosts.map((h) => ({ host: h.k1, count: h.count })), topClients: clients.map((c) => ({ srcIp: c.k2, count: c.count })) })];
  },
};

function incident(kind: string, key: string, severity: AlertSeverity, details: Record<string, unknown>): Incident {
  return { kind, key, severity, title: alertTexts(kind, details).title.ja, details };
}

function burst(id: string, threat: string, kind: string, threshold: (s: AlertSettings) => number): AlertRule {
  return {
    id,
    async evaluate(ctx) {
      const rows = await ctx.events.rollup(ctx.tenantId, { metric: 'security.signature', k1: threat, from: windowStart(ctx), to: ctx.now + MINUTE, groupBy: 'k2', limit: 5 });
      const n = rows.reduce((s, r) => s + r.count, 0);
      const all = await ctx.events.rollup(ctx.tenantId, { metric: 'security.threat', k1: threat, from: windowStart(ctx), to: ctx.now + MINUTE, groupBy: 'none' });
      const total = all[0]?.count ?? n;
      if (total < threshold(ctx.settings)) return [];
      return [incident(kind, threat, 'warning', { count: total, windowMinutes: ctx.settings.windowMs / MINUTE, topSignatures: rows.map((r) => ({ signature: r.k2, count: r.count })) })];
    },
  };
}

const deploymentFailed: AlertRule = {
  id: 'deployment-failed',
  type: 'deploymentFailed',
  async evaluate(ctx) {
    const out: Incident[] = [];
    const deployments = await ctx.facts.deployments(ctx.tenantId, 20);
    const names = new Map((await ctx.facts.gateways(ctx.tenantId)).map((g) => [g.id, g.name]));
    for (const d of deployments) {
      if (ctx.now - d.at > 24 * 60 * MINUTE) continue;
      for (const r of d.results) {
        if (r.status !== 'failed') continue;
        const name = names.get(r.gatewayId) ?? r.gatewayId;
        out.push(incident('deployment.failed', `${d.id}:${r.gatewayId}`, 'warning', { deploymentId: d.id, version: d.version, gatewayId: r.gatewayId, gatewayName: name, error: r.error ?? null }));
      }
    }
    return out;
  },
};

export const ALERT_RULES: readonly AlertRule[] = [
  gatewayStatus,
  cncCallback,
  deploymentFailed,
  burst('malware-burst', 'malware', 'malware.burst', (s) => s.malwareThreshold),
  burst('dos', 'dos', 'dos.detected', (s) => s.dosThreshold),
];
