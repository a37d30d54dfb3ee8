/**
 * Web reputation: a 0–100 risk score and level for a host or URL, from the categories the
 * database gives (malware, phishing, C&C lists) and heuristics that work on names never seen in a
 * list: IP-literal hosts, punycode/homoglyph look-alikes of well-known brands, brand names in
 * foreign domains, algorithmically generated names, abused TLDs, and newly seen domains.
 * Signals combine like independent probabilities: 1 - Π(1 - p).
 */
import { domainToUnicode } from 'node:url';
import { parse as parseDomain } from 'tldts';
import type { CategoryDb } from '../category-db.js';
import { splitUrl } from '../list-entry.js';
import { parseIPv4, parseIPv6 } from '../ip.js';
import { BRAND_LABELS, BRAND_SET } from './brands.js';
import { digitSkeleton, mixedScript, skeleton } from './confusables.js';
import { dgaLikeness } from './dga.js';
import { typoOf } from './typo.js';
import type { SeenDomains } from './seen.js';

export type Sensitivity = 'low' | 'medium' | 'high';
export type RiskLevel = 'safe' | 'low' | 'medium' | 'high' | 'dangerous';

export interface Reputation {
  score: number;
  level: RiskLevel;
  reasons: string[];
}

export interface ReputationOptions {
  /** registrable domains seen before; when given, a first sighting adds the "newly seen" signal */
  seen?: SeenDomains;
  /** categories already looked up by the caller (saves a second lookup) */
  categories?: readonly string[];
}

/** Risk carried by a category alone (0–100). */
export const CATEGORY_RISK: Readonly<Record<string, number>> = Object.freeze({
  malware: 100,
  phishing: 100,
  cnc: 100,
  cryptomining: 85,
  spyware: 85,
  scam: 85,
  stalkerware: 70,
  'ddos-services': 65,
  'potentially-unwanted': 60,
  'spam-sites': 60,
  hacking: 40,
  'proxy-avoidance': 35,
  'dynamic-dns': 30,
  'parked-domains': 25,
  'illegal-software': 30,
  'newly-registered': 20,
});

/** TLDs over-represented in abuse reports (Spamhaus/Interisle-style rankings), with a weight. */
const ABUSED_TLDS: ReadonlyMap<string, number> = new Map([
  ...['tk', 'ml', 'ga', 'cf', 'gq', 'top', 'xyz', 'icu', 'cfd', 'sbs', 'click', 'rest', 'cyou', 'buzz', 'monster', 'lol', 'quest', 'fit', 'zip', 'mov', 'gdn', 'bid', 'loan', 'win', 'racing', 'review', 'download', 'stream', 'party', 'science', 'men', 'date', 'country', 'kim', 'work', 'su'].map((t) => [t, 25] as const),
  ...['shop', 'online', 'site', 'store', 'live', 'life', 'pro', 'info', 'cc', 'ws', 'cloud', 'business', 'biz', 'ltd', 'mobi', 'support', 'pw', 'space', 'website', 'tech', 'fun', 'digital', 'best', 'vip', 'cn'].map((t) => [t, 12] as const),
]);
/** Categories whose subdomains belong to arbitrary users: being listed says nothing about them. */
const USER_CONTENT = new Set(['web-hosting', 'blogs', 'dynamic-dns', 'file-sharing', 'content-delivery', 'url-shorteners']);
const PHISH_WORDS = /(?:^|[.-])(?:login|log-in|signin|sign-in|verify|verification|secure|security|account|update|confirm|auth|wallet|support|billing|unlock|recovery|webscr|customer|track|tracking|parcel|delivery|redelivery|package)(?:[.-]|$)/;

export function levelOf(score: number): RiskLevel {
  if (score >= 80) return 'dangerous';
  if (score >= 60) return 'high';
  if (score >= 40) return 'medium';
  if (score >= 20) return 'low';
  return 'safe';
}

/** The profile's sensitivity sets the score from which a site is blocked as dangerous. */
export const SENSITIVITY_THRESHOLD: Readonly<Record<Sensitivity, number>> = Object.freeze({ low: 90, medium: 80, high: 65 });

export function isDangerous(score: number, sensitivity: Sensitivity = 'medium'): boolean {
  return score >= SENSITIVITY_THRESHOLD[sensitivity];
}

function isPrivateV4(v: number): boolean {
  const a = v >>> 24;
  const b = (v >>> 16) & 255;
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 169 && b === 254);
}

export function reputation(hostOrUrl: string, db: CategoryDb | undefined, opts: ReputationOptions = {}): Reputation {
  const input = hostOrUrl.trim();
  const isUrl = input.includes('/') || input.includes('?');
  const parts = isUrl ? splitUrl(input) : { host: input, path: '' };
  let host = (parts?.host ?? '').toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  const reasons: string[] = [];
  const signals: number[] = [];
  const add = (p: number, reason: string) => {
    signals.push(Math.max(0, Math.min(100, p)) / 100);
    reasons.push(reason);
  };
  if (host === '') return { score: 0, level: 'safe', reasons: ['no host'] };

  const looked = opts.categories ? undefined : db ? (isUrl ? db.lookupUrl(input) : db.lookupHost(host)) : undefined;
  const categories = opts.categories ?? looked?.categories ?? [];
  const matched = looked?.matched ?? (opts.categories && db ? db.lookupHost(host).matched : undefined);
  let listedBenign = false;
  for (const c of categories) {
    const risk = CATEGORY_RISK[c];
    if (risk !== undefined) add(risk, `category ${c}`);
    else if (!USER_CONTENT.has(c) || matched === host) listedBenign = true;
  }

  const v4 = parseIPv4(host);
  const v6 = v4 === undefined ? parseIPv6(host) : undefined;
  if (v4 !== undefined || v6 !== undefined) {
    if (!(v4 !== undefined && isPrivateV4(v4))) add(45, 'IP-literal host');
    return finish(signals, reasons, false);
  }

  const info = parseDomain(host, { allowPrivateDomains: true });
  const label = info.domainWithoutSuffix ?? '';
  const domain = info.domain ?? host;
  const suffix = info.publicSuffix ?? '';
  const subdomain = info.subdomain ?? '';

  // look-alikes of well-known brands
  if (label.startsWith('xn--') || host.includes('xn--')) {
    const uni = domainToUnicode(domain).split('.')[0] ?? '';
    const sk = skeleton(uni);
    if (BRAND_SET.has(sk) || BRAND_SET.has(digitSkeleton(sk))) add(95, `punycode look-alike of ${sk}`);
    else if (mixedScript(uni)) add(55, 'mixed-script internationalized name');
    else if (/[a-z]/.test(uni) && sk !== uni && /^[a-z0-9-]+$/.test(sk)) add(30, 'internationalized name imitating ASCII');
  } else if (label.length >= 3 && !BRAND_SET.has(label)) {
    const ds = digitSkeleton(label);
    const tokens = label.split('-');
    const tokenBrand = tokens.find((t) => BRAND_SET.has(t) && t.length >= 3);
    const innerBrand = tokenBrand ?? BRAND_LABELS.find((b) => b.length >= 5 && label.includes(b));
    const typo = ds === label ? typoOf(label) : undefined;
    if (ds !== label && BRAND_SET.has(ds)) add(85, `digit-swapped look-alike of ${ds}`);
    else if (typo) add(85, `one letter off the brand ${typo}`);
    else if (innerBrand && PHISH_WORDS.test(label)) add(75, `brand "${innerBrand}" with account words in a foreign domain`);
    else if (tokenBrand && tokens.length > 1) add(45, `brand "${tokenBrand}" inside a foreign domain`);
    else if (innerBrand) add(35, `brand "${innerBrand}" inside a foreign domain`);
    if (tokens.includes('gov') && !/(^|\.)(gov|go|gob|gouv)(\.|$)/.test(suffix)) add(55, 'government name outside a government domain');
    // brands run their sites on their own domains, not on the cheapest abused TLDs
    const brandOnTld = innerBrand ?? BRAND_LABELS.find((b) => b.length >= 4 && label.startsWith(b));
    // on the most abused TLDs (weight 25) the brand alone is enough: with the TLD's own weight it reaches "dangerous"
    const brandTld = ABUSED_TLDS.get(suffix.split('.').pop() ?? '') ?? 0;
    if (brandOnTld && brandTld > 0) add(brandTld >= 25 ? 75 : 70, `brand "${brandOnTld}" on a frequently abused TLD`);
  }
  // brand as a subdomain of an unrelated domain: paypal.com.example-login.xyz
  if (subdomain !== '' && !BRAND_SET.has(label)) {
    const subLabels = subdomain.split('.');
    const brand = subLabels.find((l) => BRAND_SET.has(l) && l.length >= 4);
    if (brand) {
      const fakeSuffix = subLabels.some((l) => l === 'com' || l === 'co' || l === 'jp' || l === 'net');
      add(fakeSuffix || PHISH_WORDS.test(host) ? 80 : 35, `brand "${brand}" in the subdomain of ${domain}`);
    }
  }

  // the registrable label, or on shared platforms the user's own label (xyz.netlify.app)
  const firstSub = subdomain.split('.')[0] ?? '';
  const dgaLabel = label.startsWith('xn--') ? { score: 0, why: [] } : dgaLikeness(label);
  const dgaSub = firstSub.length >= 16 && !firstSub.startsWith('xn--') ? dgaLikeness(firstSub) : { score: 0, why: [] };
  const dga = dgaSub.score > dgaLabel.score ? dgaSub : dgaLabel;
  if (dga.score >= 0.3) add(Math.round(dga.score * 85), `algorithmically generated-looking name (${dga.why.join(', ')})`);
  const tldRisk = ABUSED_TLDS.get(suffix.split('.').pop() ?? '') ?? 0;
  if (tldRisk > 0) add(tldRisk, `frequently abused TLD .${suffix}`);
  if (tldRisk > 0 && /^[a-z]{4,10}$/.test(label) && !/[aeiouy]/.test(label.slice(1))) add(40, 'unpronounceable short name');
  else if (tldRisk >= 25 && /^[a-z]{2,}[0-9]{2,}$/.test(label)) add(30, 'letters-then-digits name');
  if (/([a-z])\1\1/.test(label) && tldRisk > 0) add(15, 'tripled letter');
  if (PHISH_WORDS.test(subdomain ? `${subdomain}.${label}` : label) && (tldRisk > 0 || subdomain.split('.').length >= 2)) {
    add(25, 'account/login words in the name');
  }
  if (host.split('.').length >= 6) add(15, `${host.split('.').length} labels deep`);
  if (!label.startsWith('xn--') && (label.match(/-/g) ?? []).length >= 3) add(15, 'many hyphens');
  if (opts.seen?.observe(domain)) add(15, 'newly seen domain');

  return finish(signals, reasons, listedBenign);
}

function finish(signals: number[], reasons: string[], listedBenign: boolean): Reputation {
  let keep = 1;
  for (const p of signals) keep *= 1 - p;
  let score = Math.round((1 - keep) * 100);
  // a host listed in a benign category is known: heuristics alone do not make it dangerous
  if (listedBenign && !reasons.some((r) => r.startsWith('category '))) score = Math.min(score, 30);
  if (reasons.length === 0) reasons.push('no risk signals');
  return { score, level: levelOf(score), reasons };
}
