/**
 * The columns of each log type (manual §9): one registry that drives table creation, inserts,
 * filters, group-by, CSV columns and the conversion back to LogEvent. Adding a field is one line.
 */
import type { LogEvent, LogType } from '@mamori/policy';

/** text: exact/substring filters; int: numeric comparisons; bool: true/false; list: "has" */
export type FieldKind = 'text' | 'int' | 'bool' | 'list';

export interface FieldDef {
  /** the LogEvent property name, also the API name */
  name: string;
  column: string;
  kind: FieldKind;
  /** Japanese / English labels for CSV headers, reports and the UI */
  ja: string;
  en: string;
}

const f = (name: string, column: string, kind: FieldKind, ja: string, en: string): FieldDef => ({ name, column, kind, ja, en });

const COMMON: FieldDef[] = [
  f('ts', 'ts', 'int', '日時', 'Time'),
  f('gatewayId', 'gateway_id', 'text', 'ゲートウェイ', 'Gateway'),
  f('id', 'id', 'text', 'イベントID', 'Event ID'),
  f('srcIp', 'src_ip', 'text', '送信元IP', 'Source IP'),
  f('srcMac', 'src_mac', 'text', '送信元MAC', 'Source MAC'),
  f('user', 'user_name', 'text', 'ユーザ', 'User'),
  f('dstIp', 'dst_ip', 'text', '宛先IP', 'Destination IP'),
  f('dstPort', 'dst_port', 'int', '宛先ポート', 'Destination port'),
  f('protocol', 'protocol', 'text', 'プロトコル', 'Protocol'),
];

export const FIELDS: Record<LogType, FieldDef[]> = {
  bandwidth: [
    ...COMMON,
    f('app', 'app', 'text', 'アプリケーション', 'Application'),
    f('appCategory', 'app_category', 'text', 'アプリケーションカテゴリ', 'Application category'),
    f('bytesUp', 'bytes_up', 'int', '送信バイト数', 'Bytes up'),
    f('bytesDown', 'bytes_down', 'int', '受信バイト数', 'Bytes down'),
    f('durationMs', 'duration_ms', 'int', '継続時間(ms)', 'Duration (ms)'),
  ],
  policy: [
    ...COMMON,
    f('action', 'action', 'text', '処理', 'Action'),
    f('reasonKind', 'reason_kind', 'text', '判定理由', 'Reason'),
    f('ruleId', 'rule_id', 'text', 'ルールID', 'Rule ID'),
    f('ruleName', 'rule_name', 'text', 'ルール名', 'Rule'),
    f('listEntry', 'list_entry', 'text', 'リスト項目', 'List entry'),
    f('app', 'app', 'text', 'アプリケーション', 'Application'),
    f('host', 'host', 'text', 'ホスト', 'Host'),
    f('policyVersion', 'policy_version', 'int', 'ポリシーバージョン', 'Policy version'),
  ],
  access: [
    ...COMMON,
    f('action', 'action', 'text', '処理', 'Action'),
    f('url', 'url', 'text', 'URL', 'URL'),
    f('host', 'host', 'text', 'ホスト', 'Host'),
    f('method', 'method', 'text', 'メソッド', 'Method'),
    f('status', 'status', 'int', 'ステータス', 'Status'),
    f('category', 'category', 'text', 'URLカテゴリ', 'URL category'),
    f('categories', 'categories', 'list', 'URLカテゴリ(すべて)', 'URL categories'),
    f('reputation', 'reputation', 'int', 'Webレピュテーション', 'Web reputation'),
    f('app', 'app', 'text', 'アプリケーション', 'Application'),
    f('appFunction', 'app_function', 'text', 'アプリケーション機能', 'Application function'),
    f('ruleId', 'rule_id', 'text', 'ルールID', 'Rule ID'),
    f('decrypted', 'decrypted', 'bool', 'HTTPS復号', 'Decrypted'),
    f('bytesUp', 'bytes_up', 'int', '送信バイト数', 'Bytes up'),
    f('bytesDown', 'bytes_down', 'int', '受信バイト数', 'Bytes down'),
    f('requestId', 'request_id', 'text', 'リクエストID', 'Request ID'),
  ],
  security: [
    ...COMMON,
    f('threatType', 'threat_type', 'text', '脅威の種類', 'Threat type'),
    f('action', 'action', 'text', '処理', 'Action'),
    f('signature', 'signature', 'text', 'シグネチャ', 'Signature'),
    f('severity', 'severity', 'text', '重大度', 'Severity'),
    f('host', 'host', 'text', 'ホスト', 'Host'),
    f('url', 'url', 'text', 'URL', 'URL'),
    f('fileName', 'file_name', 'text', 'ファイル名', 'File name'),
    f('fileSha256', 'file_sha256', 'text', 'SHA-256', 'SHA-256'),
    f('mailFrom', 'mail_from', 'text', '送信者', 'Mail from'),
    f('mailTo', 'mail_to', 'list', '受信者', 'Mail to'),
    f('subject', 'subject', 'text', '件名', 'Subject'),
  ],
};

export const LOG_TYPE_LABELS: Record<LogType, { ja: string; en: string }> = {
  bandwidth: { ja: 'アプリケーション帯域幅', en: 'Application bandwidth' },
  policy: { ja: 'ポリシー施行', en: 'Policy enforcement' },
  access: { ja: 'インターネットアクセス', en: 'Internet access' },
  security: { ja: 'インターネットセキュリティ', en: 'Internet security' },
};

export function tableName(type: LogType): string {
  return `events_${type}`;
}

export function fieldOf(type: LogType, name: string): FieldDef | undefined {
  return FIELDS[type].find((d) => d.name === name);
}

export type CellValue = string | number | boolean | null;

/** The value stored in a column for one event (lists are stored as ",a,b," for portable "has"). */
export function cellOf(ev: LogEvent, gatewayId: string, def: FieldDef): CellValue {
  if (def.name === 'gatewayId') return gatewayId;
  if (def.name === 'category') {
    const cats = (ev as { categories?: string[] }).categories;
    return cats && cats.length > 0 ? cats[0]! : null;
  }
  const v = (ev as unknown as Record<string, unknown>)[def.name];
  if (v === undefined || v === null) return null;
  if (def.kind === 'list') return Array.isArray(v) && v.length > 0 ? `,${v.join(',')},` : null;
  if (def.kind === 'bool') return v === true;
  return v as string | number;
}

/** A stored row back to a LogEvent-shaped object (plus gatewayId). */
export function eventOfRow(type: LogType, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { type };
  for (const def of FIELDS[type]) {
    if (def.name === 'category') continue;
    let v = row[def.column];
    if (v === null || v === undefined) {
      if (def.name === 'categories') out[def.name] = [];
      continue;
    }
    if (typeof v === 'bigint') v = Number(v);
    if (def.kind === 'int' && typeof v === 'string') v = Number(v);
    if (def.kind === 'bool') v = v === true || v === 1 || v === '1' || v === 't';
    if (def.kind === 'list') v = String(v).split(',').filter((s) => s.length > 0);
    out[def.name] = v;
  }
  return out;
}
