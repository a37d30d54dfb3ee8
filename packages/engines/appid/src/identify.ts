/**
 * Compile the catalogue once into lookup structures; identify() touches only those.
 * Hosts: two hash maps (exact, suffix) probed from the full name towards shorter suffixes, so a
 * lookup costs one probe per label, independent of the catalogue size.
 */
import type { Catalogue } from './catalogue.js';
import { defaultCatalogue } from './catalogue.js';
import type { AppDef, FunctionSignature } from './schema.js';

export interface AppFacts {
  protocol: string;
  dstPort?: number;
  srcPort?: number;
  /** TLS or QUIC server name */
  sni?: string;
  /** HTTP Host header (port allowed) */
  host?: string;
  /** DNS query name, when the flow is a DNS exchange */
  dnsQuery?: string;
  /** STUN/TURN REALM: the domain of the relay service */
  realm?: string;
  method?: string;
  path?: string;
  alpn?: readonly string[];
  ja3?: string;
  ja4?: string;
  /** protocol recognized from the payload by the flow layer (`ssh`, `http`, `https`, `quic`, `dns`) */
  l7?: string;
}

export type MatchSource = 'sni' | 'host' | 'dns' | 'realm' | 'function' | 'alpn' | 'payload' | 'port';

export interface AppMatch {
  app: string;
  function?: string;
  category: string;
  /** 0..1: how much the evidence says about the application */
  confidence: number;
  /** what produced the verdict, for logs and the block page */
  by: MatchSource;
  matched: string;
}

interface HostEntry {
  app: AppDef;
  fn?: string;
  pattern: string;
}

interface FunctionRule {
  /** the application the rule leads to (differs from the host owner for app routes) */
  app: AppDef;
  fn?: string;
  host?: { exact: boolean; name: string };
  method?: string;
  prefix?: string;
  regex?: RegExp;
  specificity: number;
  text: string;
}

export interface CompiledCatalogue {
  catalogue: Catalogue;
  exact: Map<string, HostEntry>;
  suffix: Map<string, HostEntry>;
  /** `prefix*.parent` patterns: parent → label globs */
  globs: Map<string, Array<{ label: RegExp; entry: HostEntry }>>;
  /** HTTP rules keyed by the id of the app that owns the host they apply to */
  rules: Map<string, FunctionRule[]>;
  alpn: Map<string, AppDef>;
  tcpPorts: Map<number, AppDef[]>;
  udpPorts: Map<number, AppDef[]>;
}

function hostKey(pattern: string): { exact: boolean; name: string } {
  return pattern.startsWith('=') ? { exact: true, name: pattern.slice(1) } : { exact: false, name: pattern };
}

export function compileCatalogue(catalogue: Catalogue): CompiledCatalogue {
  const exact = new Map<string, HostEntry>();
  const suffix = new Map<string, HostEntry>();
  const rules = new Map<string, FunctionRule[]>();
  const alpn = new Map<string, AppDef>();
  const tcpPorts = new Map<number, AppDef[]>();
  const udpPorts = new Map<number, AppDef[]>();
  const globs = new Map<string, Array<{ label: RegExp; entry: HostEntry }>>();
  const c: CompiledCatalogue = { catalogue, exact, suffix, globs, rules, alpn, tcpPorts, udpPorts };

  for (const app of catalogue.apps) {
    for (const h of app.hosts) addHost(c, { app, pattern: h });
    for (const a of app.alpn) alpn.set(a, app);
    for (const p of app.ports) {
      const table = p.protocol === 'tcp' ? tcpPorts : udpPorts;
      for (let port = p.from; port <= p.to; port++) {
        const l = table.get(port);
        if (l) l.push(app);
        else table.set(port, [app]);
      }
    }
  }
  const httpSigs: Array<{ sig: FunctionSignature; app: AppDef }> = [];
  for (const sig of catalogue.signatures) {
    const app = catalogue.byId.get(sig.app);
    if (!app) continue; // buildCatalogue already rejected these
    if (sig.host !== undefined && sig.method === undefined && sig.path === undefined) {
      // A host that on its own shows the app or function: it joins the host maps, so it also
      // works from a TLS SNI. Only an exactly equal pattern of another app blocks it.
      const k = hostKey(sig.host);
      const prev = k.name.includes('*') ? undefined : (k.exact ? exact : suffix).get(k.name);
      if (prev === undefined || prev.app.id === app.id) {
        const e: HostEntry = { app, pattern: sig.host };
        if (sig.function !== undefined) e.fn = sig.function;
        addHost(c, e);
        continue;
      }
    }
    httpSigs.push({ sig, app });
  }
  for (const { sig, app } of httpSigs) {
    // rules are found through the app that owns the request's host
    const owner = sig.host === undefined ? app : (lookupHost(c, hostKey(sig.host).name)?.app ?? app);
    const rule: FunctionRule = {
      app,
      specificity: (sig.host ? 4 : 0) + (sig.method ? 1 : 0) + (sig.path ? 2 + sig.path.length / 1000 : 0),
      text: [sig.method, sig.host, sig.path].filter((x) => x !== undefined).join(' '),
    };
    if (sig.function !== undefined) rule.fn = sig.function;
    if (sig.host !== undefined) rule.host = hostKey(sig.host);
    if (sig.method !== undefined) rule.method = sig.method;
    if (sig.path?.startsWith('~')) rule.regex = new RegExp(sig.path.slice(1));
    else if (sig.path !== undefined) rule.prefix = sig.path;
    const l = rules.get(owner.id);
    if (l) l.push(rule);
    else rules.set(owner.id, [rule]);
  }
  for (const l of rules.values()) l.sort((a, b) => b.specificity - a.specificity);
  return c;
}

/** Put a host pattern into the exact, suffix or first-label-glob table. */
function addHost(c: CompiledCatalogue, entry: HostEntry): void {
  const k = hostKey(entry.pattern);
  const dot = k.name.indexOf('.');
  const first = k.name.slice(0, dot);
  if (first.includes('*')) {
    const parent = k.name.slice(dot + 1);
    const label = new RegExp(`^${first.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('[a-z0-9_-]*')}$`);
    const l = c.globs.get(parent) ?? [];
    l.push({ label, entry });
    c.globs.set(parent, l);
    return;
  }
  (k.exact ? c.exact : c.suffix).set(k.name, entry);
}

/** Lower-case, drop a port and a trailing dot; undefined when nothing usable is left. */
export function normalizeHost(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let h = raw.trim().toLowerCase();
  if (h.startsWith('[')) return undefined; // IPv6 literal
  const colon = h.lastIndexOf(':');
  if (colon !== -1 && h.indexOf(':') === colon) h = h.slice(0, colon);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h === '' ? undefined : h;
}

export function lookupHost(c: CompiledCatalogue, raw: string | undefined): HostEntry | undefined {
  const host = normalizeHost(raw);
  if (host === undefined) return undefined;
  const e = c.exact.get(host);
  if (e) return e;
  let h = host;
  for (;;) {
    const s = c.suffix.get(h);
    if (s) return s;
    const dot = h.indexOf('.');
    if (dot === -1) return undefined;
    if (c.globs.size > 0) {
      const g = c.globs.get(h.slice(dot + 1));
      if (g) {
        const label = h.slice(0, dot);
        for (const x of g) if (x.label.test(label)) return x.entry;
      }
    }
    h = h.slice(dot + 1);
  }
}

function hostMatches(rule: FunctionRule, host: string | undefined): boolean {
  if (!rule.host) return true;
  if (host === undefined) return false;
  if (rule.host.exact) return host === rule.host.name;
  return host === rule.host.name || host.endsWith('.' + rule.host.name);
}

function matchRule(rules: FunctionRule[] | undefined, facts: AppFacts, host: string | undefined, routes: boolean): FunctionRule | undefined {
  if (!rules) return undefined;
  const method = facts.method?.toUpperCase();
  for (const r of rules) {
    if (!routes && r.fn === undefined) continue;
    if (r.method !== undefined && r.method !== method) continue;
    if (r.prefix !== undefined && (facts.path === undefined || !facts.path.startsWith(r.prefix))) continue;
    if (r.regex !== undefined && (facts.path === undefined || !r.regex.test(facts.path))) continue;
    if (!hostMatches(r, host)) continue;
    return r;
  }
  return undefined;
}

/** HTTP rules of the host's owner: maybe another app (a route), maybe one of its functions. */
function refine(c: CompiledCatalogue, owner: AppDef, facts: AppFacts): { app: AppDef; fn?: string; text: string } | undefined {
  if (facts.method === undefined && facts.path === undefined) {
    // without a request only host-only rules could apply, and those live in the host maps
    return undefined;
  }
  const host = normalizeHost(facts.host ?? facts.sni);
  const r = matchRule(c.rules.get(owner.id), facts, host, true);
  if (!r) return undefined;
  if (r.fn !== undefined || r.app.id === owner.id) return { app: r.app, fn: r.fn, text: r.text };
  const inner = matchRule(c.rules.get(r.app.id), facts, host, false);
  return inner ? { app: r.app, fn: inner.fn, text: `${r.text}; ${inner.text}` } : { app: r.app, text: r.text };
}

function portApps(c: CompiledCatalogue, protocol: string, port: number | undefined): AppDef[] {
  if (port === undefined) return [];
  const table = protocol === 'tcp' ? c.tcpPorts : protocol === 'udp' ? c.udpPorts : undefined;
  return table?.get(port) ?? [];
}

/** Payload-recognized carriers that say less than a port-defined application does. */
const GENERIC_CARRIERS = new Set(['http', 'https', 'quic', 'dns']);

function result(app: AppDef, by: MatchSource, confidence: number, matched: string, fn?: string): AppMatch {
  const r: AppMatch = { app: app.id, category: app.category, confidence, by, matched };
  if (fn !== undefined) r.function = fn;
  return r;
}

export function identifyWith(c: CompiledCatalogue, facts: AppFacts): AppMatch | undefined {
  const named: Array<[MatchSource, string | undefined]> = [
    ['sni', facts.sni],
    ['host', facts.host],
    ['dns', facts.dnsQuery],
    ['realm', facts.realm],
  ];
  for (const [by, name] of named) {
    const e = lookupHost(c, name);
    if (!e) continue;
    // a DNS lookup of a CDN edge name, or of a server of a port-defined protocol (an NTP pool),
    // is not that application's traffic: it stays DNS
    if (by === 'dns' && (e.app.category === 'cdn' || (e.app.category === 'network-protocols' && e.app.ports.length > 0))) continue;
    const exact = e.pattern.startsWith('=');
    const refined = refine(c, e.app, facts);
    if (refined) return result(refined.app, 'function', 0.95, refined.text, refined.fn ?? (refined.app === e.app ? e.fn : undefined));
    return result(e.app, by, exact ? 0.95 : 0.9, e.pattern, e.fn);
  }
  for (const a of facts.alpn ?? []) {
    const app = c.alpn.get(a);
    if (app) return result(app, 'alpn', 0.7, `alpn ${a}`);
  }
  const hinted = facts.l7 !== undefined ? c.catalogue.byId.get(facts.l7) : undefined;
  if (hinted && !GENERIC_CARRIERS.has(hinted.id)) return result(hinted, 'payload', 0.8, `payload ${hinted.id}`);
  const byDst = portApps(c, facts.protocol, facts.dstPort);
  const byPort = byDst.length > 0 ? byDst : portApps(c, facts.protocol, facts.srcPort);
  const first = byPort[0];
  if (first) {
    const port = byDst.length > 0 ? facts.dstPort : facts.srcPort;
    return result(first, 'port', byPort.length === 1 ? 0.6 : 0.4, `${facts.protocol}/${port}`);
  }
  if (hinted) return result(hinted, 'payload', 0.7, `payload ${hinted.id}`);
  return undefined;
}

let compiledDefault: CompiledCatalogue | undefined;
function defaultCompiled(): CompiledCatalogue {
  compiledDefault ??= compileCatalogue(defaultCatalogue());
  return compiledDefault;
}

/** Identify the application (and function when the request shows it) from a flow's facts. */
export function identify(facts: AppFacts): AppMatch | undefined {
  return identifyWith(defaultCompiled(), facts);
}

/** Applications identified by L3/L4 alone (DHCP = udp 67/68, DNS = 53, NTP = 123, ...). */
export function l4Apps(protocol: string, port: number): string[] {
  return portApps(defaultCompiled(), protocol.toLowerCase(), port).map((a) => a.id);
}

/** Category id of an application, for the policy evaluator's Knowledge. */
export function appCategory(appId: string): string | undefined {
  return defaultCatalogue().byId.get(appId)?.category;
}
