/**
 * What one evaluation knows about a flow: the facts parsed once, plus what stays unknown at this
 * stage. Conditions read only this view.
 */
import { parseIP } from '../address.js';
import type { Ip } from './ip-index.js';
import { normalizeMac } from '../objects.js';
import { builtinAppCategory, builtinL4Apps } from './builtin.js';
import { normalizeHost, parseUrl, type ParsedUrl } from './host.js';
import type { FlowFacts, Knowledge } from './types.js';

export type { Ip };

export interface FlowView {
  facts: FlowFacts;
  /** no further facts will come: what is absent stays absent */
  final: boolean;
  src: Ip | null;
  srcMac: string | null;
  dst: Ip | null;
  /** the destination host name (from the URL when there is one, else dstHost) */
  host: string | undefined;
  url: ParsedUrl | undefined;
  /** undefined: not known yet */
  apps: readonly string[] | undefined;
  appFunctions: readonly string[] | undefined;
  appCategories(): readonly string[];
  /** undefined: not known yet */
  urlCategories(): readonly string[] | undefined;
  country(): string | undefined;
  gatewayGroups: readonly string[];
}

export function toIp(s: string | undefined): Ip | null {
  if (s === undefined) return null;
  const p = parseIP(normalizeHost(s));
  if (!p) return null;
  // dual-stack sockets show IPv4 peers as IPv4-mapped IPv6 (::ffff:a.b.c.d): compare them as IPv4
  if (p.family === 6 && p.value >> 32n === 0xffffn) {
    const value = p.value & 0xffffffffn;
    return { family: 4, value, v4: Number(value) };
  }
  return { family: p.family, value: p.value, v4: p.family === 4 ? Number(p.value) : 0 };
}

export function flowView(facts: FlowFacts, knowledge: Knowledge, gatewayGroups: readonly string[]): FlowView {
  // DHCP, DNS and NTP are identified by their port alone and carry no URL: such a flow is decided
  // at L3/L4. Other port-based identifications (knowledge.l4Apps: tcp/443 → https) are only a
  // guess that L7 inspection may refine, so they serve as the application once the flow is final.
  const portDefined = builtinL4Apps(facts.protocol, facts.dstPort);
  const stage = facts.stage ?? (facts.url !== undefined || facts.app !== undefined || facts.appFunction !== undefined ? 'l7' : 'l4');
  const final = stage === 'l7' || portDefined.length > 0;
  const byPort = knowledge.l4Apps?.(facts.protocol, facts.dstPort) ?? [];
  const l4Apps = byPort.length > 0 ? byPort : portDefined;
  const url = facts.url !== undefined ? parseUrl(facts.url) : undefined;
  const host = url?.host ?? (facts.dstHost !== undefined ? normalizeHost(facts.dstHost) : undefined);

  let apps: readonly string[] | undefined;
  if (facts.app !== undefined) apps = [facts.app];
  else if (final) apps = l4Apps;
  let appFunctions: readonly string[] | undefined;
  if (facts.appFunction !== undefined) {
    const f = facts.appFunction;
    appFunctions = [f.includes(':') || facts.app === undefined ? f : `${facts.app}:${f}`];
  } else if (apps !== undefined) appFunctions = [];

  let appCats: readonly string[] | undefined;
  let urlCats: readonly string[] | undefined | null = null;
  let country: string | undefined | null = null;
  const dst = toIp(facts.dstIp);
  return {
    facts,
    final,
    src: toIp(facts.srcIp),
    srcMac: facts.srcMac !== undefined ? normalizeMac(facts.srcMac) : null,
    dst,
    host,
    url,
    apps,
    appFunctions,
    appCategories() {
      if (appCats === undefined) {
        const out: string[] = [];
        for (const a of apps ?? []) {
          const c = knowledge.appCategory?.(a) ?? builtinAppCategory(a);
          if (c !== undefined) out.push(c);
        }
        appCats = out;
      }
      return appCats;
    },
    urlCategories() {
      if (urlCats === null) {
        if (facts.urlCategories !== undefined) urlCats = facts.urlCategories;
        else if (facts.url !== undefined) urlCats = knowledge.urlCategories?.(facts.url) ?? [];
        else if (final) urlCats = host !== undefined ? (knowledge.urlCategories?.(host) ?? []) : [];
        else urlCats = undefined;
      }
      return urlCats;
    },
    country() {
      if (country === null) {
        country = facts.dstCountry?.toUpperCase() ?? (facts.dstIp !== undefined ? knowledge.country?.(facts.dstIp) : undefined);
      }
      return country;
    },
    gatewayGroups: facts.gatewayGroup !== undefined ? [facts.gatewayGroup] : gatewayGroups,
  };
}
