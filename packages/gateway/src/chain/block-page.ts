/**
 * The block page (HTTP 403): says in Japanese or English (by Accept-Language) what was blocked,
 * why — the rule, the list entry or the category — and the request id to quote to the admin.
 */
import type { BlockReason } from './verdict.js';

export type Lang = 'ja' | 'en';

/** Highest-q language among ja/en in an Accept-Language header; English when neither. */
export function pickLanguage(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'en';
  let best: { lang: Lang; q: number } | null = null;
  for (const part of acceptLanguage.split(',').slice(0, 32)) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const lang: Lang | null = tag === 'ja' || tag.startsWith('ja-') ? 'ja' : tag === 'en' || tag.startsWith('en-') ? 'en' : null;
    if (lang && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'en';
}

const T = {
  ja: {
    title: 'アクセスはブロックされました',
    lead: 'このページへのアクセスは、組織のセキュリティポリシーによりブロックされました。',
    url: 'URL',
    reason: '理由',
    requestId: 'リクエストID',
    time: '日時',
    help: '業務上必要な場合は、リクエストIDを添えて管理者にお問い合わせください。',
    kinds: {
      blockList: (r: BlockReason) => `ブロックリストのエントリ「${r.entry ?? ''}」`,
      allowList: (r: BlockReason) => `許可リストのエントリ「${r.entry ?? ''}」`,
      rule: (r: BlockReason) => `ポリシールール「${r.ruleName ?? r.ruleId ?? ''}」${cat(r, 'ja')}`,
      default: (r: BlockReason) => `既定のポリシー${cat(r, 'ja')}`,
      cnc: (r: BlockReason) => `ボット対策: C&Cサーバ「${r.entry ?? ''}」への通信`,
      reputation: (r: BlockReason) => `Webレピュテーション: 危険度 ${r.detail ?? ''}`,
      certificate: (r: BlockReason) => `接続先サーバの証明書が無効です (${r.detail ?? ''})。なりすましの可能性があります。`,
      badRequest: (r: BlockReason) => `不正なリクエスト (${r.detail ?? ''})`,
      file: (r: BlockReason) => `不正なファイル${r.entry ? `「${r.entry}」` : ''} (SHA-256: ${r.detail ?? ''})`,
    },
  },
  en: {
    title: 'Access blocked',
    lead: "Access to this page was blocked by your organization's security policy.",
    url: 'URL',
    reason: 'Reason',
    requestId: 'Request ID',
    time: 'Time',
    help: 'If you need this page for work, contact your administrator and quote the request ID.',
    kinds: {
      blockList: (r: BlockReason) => `Block list entry "${r.entry ?? ''}"`,
      allowList: (r: BlockReason) => `Allow list entry "${r.entry ?? ''}"`,
      rule: (r: BlockReason) => `Policy rule "${r.ruleName ?? r.ruleId ?? ''}"${cat(r, 'en')}`,
      default: (r: BlockReason) => `Default policy${cat(r, 'en')}`,
      cnc: (r: BlockReason) => `Bot protection: connection to C&C server "${r.entry ?? ''}"`,
      reputation: (r: BlockReason) => `Web reputation: risk ${r.detail ?? ''}`,
      certificate: (r: BlockReason) => `The server's certificate is invalid (${r.detail ?? ''}); the site may be an impostor.`,
      badRequest: (r: BlockReason) => `Malformed request (${r.detail ?? ''})`,
      file: (r: BlockReason) => `Malicious file${r.entry ? ` "${r.entry}"` : ''} (SHA-256: ${r.detail ?? ''})`,
    },
  },
} as const;

function cat(r: BlockReason, lang: Lang): string {
  const parts: string[] = [];
  if (r.appFunction) parts.push(lang === 'ja' ? `アプリケーション機能: ${r.appFunction}` : `application function: ${r.appFunction}`);
  else if (r.app) parts.push(lang === 'ja' ? `アプリケーション: ${r.app}` : `application: ${r.app}`);
  if (r.categories && r.categories.length > 0) parts.push(lang === 'ja' ? `カテゴリ: ${r.categories.join(', ')}` : `category: ${r.categories.join(', ')}`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

export function describeReason(r: BlockReason, lang: Lang): string {
  return T[lang].kinds[r.kind](r);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderBlockPage(r: BlockReason, info: { url: string; requestId: string; lang: Lang; now?: Date }): string {
  const t = T[info.lang];
  const now = (info.now ?? new Date()).toISOString();
  return `<!doctype html>
<html lang="${info.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${esc(t.title)} - Mamori</title>
<style>body{font-family:system-ui,"Noto Sans JP",sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{color:#b00020;font-size:1.5rem}dt{font-weight:bold;margin-top:.6rem}dd{margin:0;word-break:break-all}</style></head>
<body><h1>${esc(t.title)}</h1><p>${esc(t.lead)}</p>
<dl><dt>${esc(t.url)}</dt><dd>${esc(info.url)}</dd>
<dt>${esc(t.reason)}</dt><dd data-reason="${esc(r.kind)}">${esc(describeReason(r, info.lang))}</dd>
<dt>${esc(t.requestId)}</dt><dd data-request-id>${esc(info.requestId)}</dd>
<dt>${esc(t.time)}</dt><dd>${esc(now)}</dd></dl>
<p>${esc(t.help)}</p><p><small>Mamori 守り</small></p></body></html>
`;
}
