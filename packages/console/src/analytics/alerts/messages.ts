/**
 * Admin-alert titles and messages in Japanese and English, made from an alert's kind and
 * details (so alerts stored before a wording change read with the new wording, and the API, the
 * web page and the mail say the same). A kind without an entry keeps its stored title.
 */
export type AlertLang = 'ja' | 'en';
export type Bilingual = Record<AlertLang, string>;

export interface AlertTexts {
  title: Bilingual;
  message: Bilingual;
}

type Details = Record<string, unknown>;

const str = (v: unknown, fallback = '?'): string => (v === undefined || v === null || v === '' ? fallback : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

function list(v: unknown, key: string): string {
  if (!Array.isArray(v) || v.length === 0) return '-';
  return v.map((x: unknown) => {
    const o = (x ?? {}) as Record<string, unknown>;
    return `${str(o[key])} (${num(o['count'])})`;
  }).join(', ');
}

function jst(ms: unknown): string {
  const t = num(ms);
  if (!t) return '-';
  return `${new Date(t + 9 * 3_600_000).toISOString().replace('T', ' ').slice(0, 16)} JST`;
}

const TEXTS: Record<string, (d: Details) => AlertTexts> = {
  'gateway.offline': (d) => ({
    title: { ja: `ゲートウェイ「${str(d['gatewayName'])}」がオフラインになりました`, en: `Gateway "${str(d['gatewayName'])}" went offline` },
    message: {
      ja: `${num(d['minutesSilent'])}分間通信がありません (最終通信 ${jst(d['lastSeenAt'])})。電源とネットワーク接続を確認してください。`,
      en: `No contact for ${num(d['minutesSilent'])} minutes (last contact ${jst(d['lastSeenAt'])}). Check its power and network connection.`,
    },
  }),
  'gateway.online': (d) => ({
    title: { ja: `ゲートウェイ「${str(d['gatewayName'])}」がオンラインに戻りました`, en: `Gateway "${str(d['gatewayName'])}" is back online` },
    message: { ja: `最終通信 ${jst(d['lastSeenAt'])}。`, en: `Last contact ${jst(d['lastSeenAt'])}.` },
  }),
  'cnc.callback': (d) => ({
    title: { ja: `C&Cコールバック通信を検知しました (${num(d['count'])}件)`, en: `C&C callbacks detected (${num(d['count'])})` },
    message: {
      ja: `直近${num(d['windowMinutes'])}分間。主な接続先: ${list(d['topHosts'], 'host')}。主な端末: ${list(d['topClients'], 'srcIp')}。感染が疑われる端末をネットワークから切り離して調査してください。`,
      en: `In the last ${num(d['windowMinutes'])} minutes. Top hosts: ${list(d['topHosts'], 'host')}. Top clients: ${list(d['topClients'], 'srcIp')}. Disconnect the suspected devices and investigate them.`,
    },
  }),
  'deployment.failed': (d) => ({
    title: {
      ja: `ゲートウェイ「${str(d['gatewayName'] ?? d['gatewayId'])}」へのポリシー配信 (バージョン ${str(d['version'])}) に失敗しました`,
      en: `Policy deployment (version ${str(d['version'])}) to gateway "${str(d['gatewayName'] ?? d['gatewayId'])}" failed`,
    },
    message: { ja: `エラー: ${str(d['error'], '不明')}`, en: `Error: ${str(d['error'], 'unknown')}` },
  }),
  'malware.burst': (d) => ({
    title: { ja: `不正プログラムを多数検出しました (${num(d['count'])}件)`, en: `Many malware detections (${num(d['count'])})` },
    message: {
      ja: `直近${num(d['windowMinutes'])}分間。主なシグネチャ: ${list(d['topSignatures'], 'signature')}。`,
      en: `In the last ${num(d['windowMinutes'])} minutes. Top signatures: ${list(d['topSignatures'], 'signature')}.`,
    },
  }),
  'dos.detected': (d) => ({
    title: { ja: `DoS攻撃を検知しました (${num(d['count'])}件)`, en: `DoS attack detected (${num(d['count'])})` },
    message: {
      ja: `直近${num(d['windowMinutes'])}分間。主なシグネチャ: ${list(d['topSignatures'], 'signature')}。`,
      en: `In the last ${num(d['windowMinutes'])} minutes. Top signatures: ${list(d['topSignatures'], 'signature')}.`,
    },
  }),
};

/** The ja/en title and message of an alert; `storedTitle` for kinds without texts. */
export function alertTexts(kind: string, details: Details, storedTitle = kind): AlertTexts {
  const f = TEXTS[kind];
  if (f) return f(details);
  return { title: { ja: storedTitle, en: storedTitle }, message: { ja: '', en: '' } };
}

export function hasAlertTexts(kind: string): boolean {
  return kind in TEXTS;
}
