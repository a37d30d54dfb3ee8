/**
 * The content of a report (manual §7): sections computed from rollups over the report period.
 * PDF and Excel render the same sections. A new section is one entry in REPORT_SECTIONS.
 */
import type { EventStore } from '../store/event-store.js';
import { LOG_TYPE_LABELS } from '../store/fields.js';
import { LOG_TYPES } from '@mamori/policy';

export interface ReportTable {
  columns: Array<{ key: string; label: string; unit?: 'bytes' | 'count' }>;
  rows: Array<Record<string, string | number>>;
  /** the column drawn as bars in the PDF */
  barColumn?: string;
}

export interface ReportSection {
  id: string;
  title: string;
  table: ReportTable;
}

interface SectionDef {
  id: string;
  title: string;
  build(events: EventStore, tenantId: string, from: number, to: number): Promise<ReportTable>;
}

const THREAT_LABELS: Record<string, string> = {
  malware: '不正プログラム', ips: '侵入防御 (IPS)', webReputation: 'Webレピュテーション', cnc: 'C&Cコールバック', spam: 'スパムメール', phishing: 'フィッシング',
  dos: 'DoS攻撃', portScan: 'ポートスキャン', myNumber: 'マイナンバー検出', contentFilter: 'コンテンツフィルタ', sandbox: 'サンドボックス', certificate: '証明書',
};
const ACTION_LABELS: Record<string, string> = { allow: '許可', block: 'ブロック', detect: '検出のみ', tag: 'タグ付け', bypass: 'バイパス' };

export const REPORT_SECTIONS: readonly SectionDef[] = [
  {
    id: 'summary',
    title: 'ログの概要',
    async build(events, tenantId, from, to) {
      const rows = await events.rollup(tenantId, { metric: 'events', from, to, groupBy: 'k1' });
      const by = new Map(rows.map((r) => [r.k1!, r]));
      return {
        columns: [{ key: 'type', label: 'ログ種類' }, { key: 'count', label: '件数', unit: 'count' }, { key: 'bytes', label: '通信量', unit: 'bytes' }],
        rows: LOG_TYPES.map((t) => ({ type: LOG_TYPE_LABELS[t].ja, count: by.get(t)?.count ?? 0, bytes: (by.get(t)?.bytesUp ?? 0) + (by.get(t)?.bytesDown ?? 0) })),
      };
    },
  },
  {
    id: 'threats',
    title: '検出された脅威',
    async build(events, tenantId, from, to) {
      const rows = await events.rollup(tenantId, { metric: 'security.threat', from, to, groupBy: 'k1k2', limit: 50 });
      return {
        columns: [{ key: 'threat', label: '脅威の種類' }, { key: 'action', label: '処理' }, { key: 'count', label: '件数', unit: 'count' }],
        rows: rows.map((r) => ({ threat: THREAT_LABELS[r.k1!] ?? r.k1!, action: ACTION_LABELS[r.k2!] ?? r.k2!, count: r.count })),
        barColumn: 'count',
      };
    },
  },
  {
    id: 'top-signatures',
    title: '検出回数の多い脅威 (シグネチャ)',
    async build(events, tenantId, from, to) {
      const rows = await events.rollup(tenantId, { metric: 'security.signature', from, to, groupBy: 'k1k2', limit: 10 });
      return {
        columns: [{ key: 'threat', label: '脅威の種類' }, { key: 'signature', label: 'シグネチャ' }, { key: 'count', label: '件数', unit: 'count' }],
        rows: rows.map((r) => ({ threat: THREAT_LABELS[r.k1!] ?? r.k1!, signature: r.k2!, count: r.count })),
        barColumn: 'count',
      };
    },
  },
  {
    id: 'cnc-hosts',
    title: 'C&Cコールバック先',
    async build(events, tenantId, from, to) {
      const rows = await events.rollup(tenantId, { metric: 'security.cncHost', from, to, groupBy: 'k1', limit: 10 });
      return { columns: [{ key: 'host', label: 'ホスト' }, { key: 'count', label: '件数', unit: 'count' }], rows: rows.map((r) => ({ host: r.k1!, count: r.count })), barColumn: 'count' };
    },
  },
  {
    id: 'blocked-categories',
    title: 'ブロックされたURLカテゴリ',
    async build(events, tenantId, from, to) {
      const rows = await events.rollup(tenantId, { metric: 'access.category', k2: 'block', from, to, groupBy: 'k1', limit: 10 });
      return { columns: [{ key: 'category', label: 'URLカテゴリ' }, { key: 'count', label: 'ブロック数', unit: 'count' }], rows: rows.map((r) => ({ category: r.k1!, count: r.count })), barColumn: 'count' };
    },
  },
  {
    id: 'blocked-sites',
    title: 'ブロックされたサイト',
    async build(events, tenantId, from, to) {
      const rows = await events.rollup(tenantId, { metric: 'access.blockedHost', from, to, groupBy: 'k1', limit: 10 });
      return { columns: [{ key: 'host', label: 'ホスト' }, { key: 'count', label: 'ブロック数', unit: 'count' }], rows: rows.map((r) => ({ host: r.k1!, count: r.count })), barColumn: 'count' };
    },
  },
  {
    id: 'top-apps',
    title: '帯域幅上位のアプリケーション',
    async build(events, tenantId, from, to) {
      const rows = await events.rollup(tenantId, { metric: 'bandwidth.app', from, to, groupBy: 'k1', orderBy: 'bytes', limit: 10 });
      return {
        columns: [{ key: 'app', label: 'アプリケーション' }, { key: 'up', label: '送信', unit: 'bytes' }, { key: 'down', label: '受信', unit: 'bytes' }, { key: 'total', label: '合計', unit: 'bytes' }],
        rows: rows.map((r) => ({ app: r.k1!, up: r.bytesUp, down: r.bytesDown, total: r.bytesUp + r.bytesDown })),
        barColumn: 'total',
      };
    },
  },
  {
    id: 'top-users',
    title: '帯域幅上位のユーザ',
    async build(events, tenantId, from, to) {
      const rows = await events.rollup(tenantId, { metric: 'bandwidth.user', from, to, groupBy: 'k1', orderBy: 'bytes', limit: 10 });
      return { columns: [{ key: 'user', label: 'ユーザ / IPアドレス' }, { key: 'total', label: '通信量', unit: 'bytes' }], rows: rows.map((r) => ({ user: r.k1!, total: r.bytesUp + r.bytesDown })), barColumn: 'total' };
    },
  },
  {
    id: 'policy-rules',
    title: 'ポリシー施行 (ルール別)',
    async build(events, tenantId, from, to) {
      const rows = await events.rollup(tenantId, { metric: 'policy.rule', from, to, groupBy: 'k1k2', limit: 10 });
      return {
        columns: [{ key: 'rule', label: 'ルール' }, { key: 'action', label: '処理' }, { key: 'count', label: '件数', unit: 'count' }],
        rows: rows.map((r) => ({ rule: r.k1!, action: ACTION_LABELS[r.k2!] ?? r.k2!, count: r.count })),
        barColumn: 'count',
      };
    },
  },
];

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export async function buildSections(events: EventStore, tenantId: string, from: number, to: number, onProgress?: (done: number, total: number) => Promise<void>): Promise<ReportSection[]> {
  const out: ReportSection[] = [];
  for (const [i, s] of REPORT_SECTIONS.entries()) {
    out.push({ id: s.id, title: s.title, table: await s.build(events, tenantId, from, to) });
    await onProgress?.(i + 1, REPORT_SECTIONS.length);
  }
  return out;
}
