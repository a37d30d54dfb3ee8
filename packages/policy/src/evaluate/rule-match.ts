/**
 * A policy rule compiled into one predicate over a FlowView: sets and merged address intervals
 * built once, three-valued conditions combined with AND (rule) and OR (items of a condition).
 */
import { parseAddressList, type AddressInterval } from '../address.js';
import { normalizeMac, parsePorts, type AddressObject, type User } from '../objects.js';
import type { PolicyObjects } from '../policy.js';
import type { PolicyRule } from '../rule.js';
import type { FlowView } from './flow-view.js';
import { IpSet } from './ip-index.js';
import { HostSet } from './host.js';
import { and, NEED_APP, NEED_URL, NO, or, YES, type Match } from './match.js';

export type Predicate = (v: FlowView) => Match;

export interface ObjectIndex {
  addresses: Map<string, AddressObject>;
  users: Map<string, User>;
  groupMembers: Map<string, readonly string[]>;
  macs: Map<string, readonly string[]>;
  services: Map<string, Array<{ protocol: string; ports: Array<[number, number]> | null }>>;
  customCategories: Map<string, CompiledCustomCategory>;
}

interface CompiledCustomCategory {
  hosts: HostSet<true>;
  urls: HostSet<string[]>;
  ips: IpSet;
}

function addresses(list: string): AddressInterval[] {
  const r = parseAddressList(list);
  if (!r.ok) throw new Error(`invalid address list "${list}": ${r.problems.map((p) => p.value).join(', ')}`);
  return r.value;
}

export function indexObjects(o: PolicyObjects, classify: (v: string) => { kind: string; host: string; path: string } | null): ObjectIndex {
  const customCategories = new Map<string, CompiledCustomCategory>();
  for (const c of o.customCategories) {
    const cc = { hosts: new HostSet<true>(), urls: new HostSet<string[]>(), ips: [] as AddressInterval[] };
    const urlPaths = new Map<string, string[]>();
    for (const e of c.entries) {
      const k = classify(e);
      if (k === null) throw new Error(`invalid custom category entry "${e}"`);
      if (k.kind === 'ip') cc.ips.push(...addresses(k.host));
      else if (k.kind === 'url') {
        let paths = urlPaths.get(k.host);
        if (!paths) {
          paths = [];
          urlPaths.set(k.host, paths);
          cc.urls.add(k.host, paths);
        }
        paths.push(k.path);
      } else cc.hosts.add(k.host, true);
    }
    customCategories.set(c.id, { hosts: cc.hosts, urls: cc.urls, ips: new IpSet(cc.ips) });
  }
  return {
    addresses: new Map(o.addresses.map((a) => [a.id, a])),
    users: new Map(o.users.map((u) => [u.id, u])),
    groupMembers: new Map(o.userGroups.map((g) => [g.id, g.members])),
    macs: new Map(o.macs.map((m) => [m.id, m.macs.map((x) => normalizeMac(x) ?? x)])),
    services: new Map(
      o.services.map((s) => [s.id, s.entries.map((e) => ({ protocol: e.protocol, ports: e.ports === undefined || e.ports.trim() === '' ? null : parsePorts(e.ports) }))]),
    ),
    customCategories,
  };
}

function compileSource(rule: PolicyRule, ix: ObjectIndex): Predicate | null {
  const s = rule.source;
  if (s.type === 'any') return null;
  const userIds = new Set<string>();
  for (const u of s.users) userIds.add(u);
  for (const g of s.groups) for (const m of ix.groupMembers.get(g) ?? []) userIds.add(m);
  const intervals: AddressInterval[] = [];
  const macs = new Set<string>();
  for (const id of s.addresses) {
    const a = ix.addresses.get(id);
    // FQDN objects cannot match a source address without reverse resolution: they never match.
    if (a && a.type !== 'fqdn') intervals.push(...addresses(a.addresses));
  }
  for (const id of s.macs) for (const m of ix.macs.get(id) ?? []) macs.add(m);
  // users are bound to addresses and MACs: a flow from those is that user's
  for (const id of userIds) {
    const u = ix.users.get(id);
    if (!u) continue;
    if (u.addresses !== undefined) intervals.push(...addresses(u.addresses));
    for (const m of u.macs ?? []) macs.add(normalizeMac(m) ?? m);
  }
  const set = new IpSet(intervals);
  return (v) => {
    if (v.facts.user !== undefined && userIds.has(v.facts.user)) return YES;
    if (set.has(v.src)) return YES;
    if (v.srcMac !== null && macs.has(v.srcMac)) return YES;
    return NO;
  };
}

function compileDestination(rule: PolicyRule, ix: ObjectIndex): Predicate | null {
  const d = rule.destination;
  if (d.type === 'any') return null;
  if (d.type === 'geo') {
    const countries = new Set(d.countries.map((c) => c.toUpperCase()));
    return (v) => {
      const c = v.country();
      return c !== undefined && countries.has(c.toUpperCase()) ? YES : NO;
    };
  }
  const intervals: AddressInterval[] = [];
  const fqdns = new HostSet<true>();
  for (const id of d.addresses) {
    const a = ix.addresses.get(id);
    if (!a) continue;
    if (a.type === 'fqdn') fqdns.add(a.fqdn, true);
    else intervals.push(...addresses(a.addresses));
  }
  const set = new IpSet(intervals);
  return (v) => {
    if (set.has(v.dst)) return YES;
    if (fqdns.size === 0) return NO;
    if (v.host !== undefined) return fqdns.has(v.host) ? YES : NO;
    return v.final ? NO : NEED_URL;
  };
}

function compileService(rule: PolicyRule, ix: ObjectIndex): Predicate | null {
  const s = rule.service;
  if (s.type === 'any') return null;
  const entries = s.services.flatMap((id) => ix.services.get(id) ?? []);
  return (v) => {
    const { protocol, dstPort } = v.facts;
    for (const e of entries) {
      if (e.protocol !== 'any' && e.protocol !== protocol) continue;
      if (e.ports === null || protocol === 'icmp' || protocol === 'icmpv6') return YES;
      for (const [lo, hi] of e.ports) if (dstPort >= lo && dstPort <= hi) return YES;
    }
    return NO;
  };
}

function compileContent(rule: PolicyRule, ix: ObjectIndex): Predicate | null {
  const c = rule.content;
  if (c.type === 'any') return null;
  const apps = new Set(c.applications);
  const functions = new Set(c.applicationFunctions);
  const appCategories = new Set(c.applicationCategories);
  const urlCategories = new Set(c.urlCategories);
  const custom = c.customCategories.map((id) => ix.customCategories.get(id)).filter((x) => x !== undefined);
  const hasApp = apps.size + functions.size + appCategories.size > 0;
  return (v) => {
    let m: Match = NO;
    if (hasApp) {
      if (v.apps === undefined) m = or(m, NEED_APP);
      else {
        if (v.apps.some((a) => apps.has(a))) return YES;
        if (functions.size > 0 && v.appFunctions!.some((f) => functions.has(f))) return YES;
        if (appCategories.size > 0 && v.appCategories().some((x) => appCategories.has(x))) return YES;
      }
    }
    if (urlCategories.size > 0) {
      const cats = v.urlCategories();
      if (cats === undefined) m = or(m, NEED_URL);
      else if (cats.some((x) => urlCategories.has(x))) return YES;
    }
    for (const cc of custom) m = or(m, matchCustom(cc, v));
    return m;
  };
}

function matchCustom(cc: CompiledCustomCategory, v: FlowView): Match {
  if (cc.ips.has(v.dst)) return YES;
  let m: Match = NO;
  if (v.host !== undefined) {
    if (cc.hosts.has(v.host)) return YES;
  } else if (!v.final && (cc.hosts.size > 0 || cc.urls.size > 0)) m = NEED_URL;
  if (v.url !== undefined) {
    for (const paths of cc.urls.matches(v.url.host)) if (paths.some((p) => v.url!.path.startsWith(p))) return YES;
  } else if (!v.final && v.host !== undefined && cc.urls.has(v.host)) m = NEED_URL;
  return m;
}

export interface CompiledRule {
  rule: PolicyRule;
  /** empty: every gateway group */
  gatewayGroups: ReadonlySet<string>;
  match: Predicate;
}

export function compileRule(rule: PolicyRule, ix: ObjectIndex): CompiledRule {
  const preds = [compileSource(rule, ix), compileDestination(rule, ix), compileService(rule, ix), compileContent(rule, ix)].filter(
    (p): p is Predicate => p !== null,
  );
  const match: Predicate = (v) => {
    let m: Match = YES;
    for (const p of preds) {
      m = and(m, p(v));
      if (m === NO) return NO;
    }
    return m;
  };
  return { rule, gatewayGroups: new Set(rule.gatewayGroups), match };
}
