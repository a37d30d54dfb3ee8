/**
 * Deterministic generator of realistic office activity for the four log types: the demo data,
 * the tests' fixtures and the benchmark's tens of millions of events all come from here.
 */
import type { LogEvent } from '@mamori/policy';

/** xorshift32: small, fast and reproducible */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x1_0000_0000;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(arr: readonly T[]): T {
    return arr[this.int(arr.length)]!;
  }
  /** skewed pick: early entries far more likely (Zipf-like) */
  zipf<T>(arr: readonly T[]): T {
    const r = this.next();
    return arr[Math.min(arr.length - 1, Math.floor(arr.length * r * r * r))]!;
  }
}

export const APPS: Array<[string, string]> = [
  ['youtube', 'streaming'], ['microsoft-365', 'business'], ['google-drive', 'file-sharing'], ['line', 'messaging'], ['zoom', 'collaboration'],
  ['chatwork', 'messaging'], ['dropbox', 'file-sharing'], ['slack', 'messaging'], ['windows-update', 'update'], ['gmail', 'email'],
  ['teams', 'collaboration'], ['netflix', 'streaming'], ['twitter', 'social'], ['facebook', 'social'], ['instagram', 'social'],
  ['box', 'file-sharing'], ['salesforce', 'business'], ['dns', 'network-protocols'], ['ntp', 'network-protocols'], ['dhcp', 'network-protocols'],
  ['bittorrent', 'p2p'], ['tor', 'anonymizer'], ['teamviewer', 'remote-access'], ['amazon-prime-video', 'streaming'], ['kintone', 'business'],
];
export const SITES: Array<[string, string[]]> = [
  ['www.google.co.jp', ['search-engines']], ['www.yahoo.co.jp', ['news']], ['news.yahoo.co.jp', ['news']], ['www.amazon.co.jp', ['shopping']],
  ['www.rakuten.co.jp', ['shopping']], ['outlook.office365.com', ['webmail']], ['mail.google.com', ['webmail']], ['www.youtube.com', ['streaming-media']],
  ['www.nikkei.com', ['news']], ['www.mufg.jp', ['finance']], ['www.smbc.co.jp', ['finance']], ['www.city.osaka.lg.jp', ['government']],
  ['github.com', ['computers-internet']], ['www.facebook.com', ['social-networking']], ['x.com', ['social-networking']],
  ['www.dmm.com', ['games']], ['www.pokerstars.com', ['gambling']], ['free-proxy.example.net', ['proxy-avoidance']],
  ['login-secure-update.example.com', ['phishing']], ['dl.malware-drop.example.org', ['malware']], ['pool.coinhive.example.net', ['cryptomining']],
  ['cdn.jsdelivr.net', ['computers-internet']], ['www.hellowork.mhlw.go.jp', ['government', 'job-search']], ['www.kantei.go.jp', ['government']],
  ['windowsupdate.microsoft.com', ['software-updates']], ['unknown-site.example', []],
];
export const BLOCKED_CATS = new Set(['phishing', 'malware', 'cryptomining', 'gambling', 'proxy-avoidance', 'cnc']);
export const CNC_HOSTS = ['c2.evil-botnet.example', 'beacon.darkhost.example.net', 'update-check.badactor.example.org', '203.0.113.66'];
export const SIGNATURES: Record<string, string[]> = {
  malware: ['Win.Trojan.Emotet-9953', 'Js.Downloader.Agent-1234', 'Doc.Dropper.Agent-6381', 'Win.Ransomware.Lockbit-10010'],
  ips: ['ET EXPLOIT Apache log4j RCE Attempt (CVE-2021-44228)', 'ET SCAN Nmap Scripting Engine User-Agent Detected', 'ET WEB_SERVER SQL Injection Attempt'],
  webReputation: ['危険度: 高 (reputation 12)', 'dangerous reputation (score 5)'],
  cnc: ['ET MALWARE Emotet CnC Beacon', 'Botnet C&C list: c2.evil-botnet.example'],
  spam: ['スパムメール (score 9.1)', 'Spam (RBL listed sender)'],
  phishing: ['Phishing URL: login-secure-update.example.com'],
  dos: ['SYN flood from 198.51.100.23'],
  portScan: ['TCP port scan from 198.51.100.77'],
};
export const USERS = ['tanaka', 'suzuki', 'sato', 'takahashi', 'watanabe', 'ito', 'yamamoto', 'nakamura', 'kobayashi', 'kato', 'yoshida', 'yamada'];
export const RULES = [
  ['r-app-p2p', 'P2P・匿名化アプリのブロック', 'block'], ['r-url-default', 'URLフィルタリング (既定)', 'block'], ['r-dhcp', 'DHCP許可', 'allow'],
  ['r-office', '社内業務の許可', 'allow'], ['r-fw-deny', 'ファイアウォール (すべて拒否)', 'block'],
] as const;

/** the access events' URL paths and the security events' threat types, in pick order */
export const URL_PATHS = ['', 'index.html', 'search?q=%E3%83%86%E3%82%B9%E3%83%88', 'login', 'news/2026'] as const;
export const THREAT_TYPES = ['webReputation', 'ips', 'malware', 'spam', 'cnc', 'phishing', 'portScan', 'dos'] as const;

export interface GenerateOptions {
  seed?: number;
  from: number;
  to: number;
  count: number;
  /** share of each type (defaults: access 45%, bandwidth 35%, policy 12%, security 8%) */
  mix?: Partial<Record<LogEvent['type'], number>>;
  /** id prefix; ids are `${prefix}${n}` */
  idPrefix?: string;
  hosts?: number;
}

/** Events in time order, spread over [from, to), busier in office hours (JST). */
export function* generateEvents(opts: GenerateOptions): Generator<LogEvent> {
  const rng = new Rng(opts.seed ?? 1);
  const mix = { access: 0.45, bandwidth: 0.35, policy: 0.12, security: 0.08, ...opts.mix };
  const total = mix.access + mix.bandwidth + mix.policy + mix.security;
  const span = Math.max(1, opts.to - opts.from);
  const step = span / Math.max(1, opts.count);
  const prefix = opts.idPrefix ?? 'ev-';
  const hosts = opts.hosts ?? 40;
  for (let n = 0; n < opts.count; n++) {
    const ts = Math.min(opts.to - 1, Math.floor(opts.from + n * step + rng.next() * step));
    const h = rng.int(hosts);
    const srcIp = `10.0.${h >> 8}.${(h & 255) + 10}`;
    const user = h < USERS.length * 2 ? USERS[h % USERS.length] : undefined;
    const base = { id: `${prefix}${n}`, ts, srcIp, srcMac: `02:00:00:00:${(h >> 8).toString(16).padStart(2, '0')}:${(h & 255).toString(16).padStart(2, '0')}`, ...(user ? { user } : {}) };
    let r = rng.next() * total;
    if ((r -= mix.access) < 0) {
      const [host, categories] = rng.zipf(SITES);
      const action = categories.some((c) => BLOCKED_CATS.has(c)) ? 'block' : categories.includes('finance') ? 'bypass' : 'allow';
      yield {
        ...base, type: 'access', action, host, url: `https://${host}/${rng.pick(URL_PATHS)}`,
        method: rng.pick(['GET', 'GET', 'GET', 'POST']), status: action === 'block' ? 403 : rng.pick([200, 200, 200, 304, 404]), categories: [...categories],
        reputation: categories.includes('phishing') || categories.includes('malware') ? 5 : 80 + rng.int(20), dstIp: `198.51.100.${rng.int(250) + 1}`, dstPort: 443, protocol: 'tcp',
        decrypted: action !== 'bypass', bytesUp: 300 + rng.int(4000), bytesDown: action === 'block' ? 1200 : 2000 + rng.int(500_000),
      };
    } else if ((r -= mix.bandwidth) < 0) {
      const [app, appCategory] = rng.zipf(APPS);
      const heavy = appCategory === 'streaming' || appCategory === 'file-sharing' || appCategory === 'update';
      yield {
        ...base, type: 'bandwidth', app, appCategory, dstIp: `203.0.113.${rng.int(250) + 1}`, dstPort: app === 'dns' ? 53 : 443, protocol: app === 'dns' || app === 'ntp' ? 'udp' : 'tcp',
        bytesUp: 500 + rng.int(heavy ? 2_000_000 : 50_000), bytesDown: 1000 + rng.int(heavy ? 50_000_000 : 400_000), durationMs: rng.int(600_000),
      };
    } else if ((r -= mix.policy) < 0) {
      const [ruleId, ruleName, action] = rng.zipf(RULES);
      yield {
        ...base, type: 'policy', action, reasonKind: 'rule', ruleId, ruleName, app: ruleId === 'r-app-p2p' ? rng.pick(['bittorrent', 'tor']) : undefined,
        host: rng.pick(SITES)[0], dstIp: `198.51.100.${rng.int(250) + 1}`, dstPort: rng.pick([80, 443, 6881, 9001]), protocol: 'tcp', policyVersion: 3,
      } as LogEvent;
    } else {
      const threatType = rng.zipf(THREAT_TYPES);
      const host = threatType === 'cnc' ? rng.zipf(CNC_HOSTS) : rng.pick(SITES)[0];
      yield {
        ...base, type: 'security', threatType, action: threatType === 'ips' || threatType === 'portScan' ? rng.pick(['block', 'detect']) : 'block',
        signature: rng.pick(SIGNATURES[threatType]!), severity: rng.pick(['low', 'medium', 'high', 'critical']), host,
        url: `http://${host}/payload`, dstIp: `198.51.100.${rng.int(250) + 1}`, dstPort: threatType === 'spam' ? 25 : 443, protocol: 'tcp',
        ...(threatType === 'malware' ? { fileName: rng.pick(['請求書.zip', 'invoice.doc', 'setup.exe']), fileSha256: 'ab'.repeat(32) } : {}),
        ...(threatType === 'spam' ? { mailFrom: 'promo@spam.example', mailTo: [`${user ?? 'info'}@office.example.jp`], subject: '【重要】アカウント確認のお願い' } : {}),
      };
    }
  }
}
