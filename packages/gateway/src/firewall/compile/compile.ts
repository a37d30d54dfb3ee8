/**
 * Deployed policy → one nftables ruleset in our own table (`table inet mamori`).
 *
 * Chains:
 * - DoS protection is a switch of the security profile (manual: DoS対策): a new flow allowed by a
 *   rule whose profile has it on (or by the default allow, under the policy's first profile) goes
 *   `goto dos_p<N>`: SYN flood, new connections and concurrent connections per source, ICMP/UDP
 *   floods and port scans, each trigger recorded with its source in an event set; the chain marks
 *   the connection (ct mark DOS_MARK_BASE + N) and accepts. Later packets of marked connections
 *   meet that profile's ICMP/UDP flood limits in `dos_prerouting` (filter, mangle priority).
 *   Flows steered to the proxies and the gateway's own services get the strictest profile's chain.
 *   With `opts.dos` given, one gateway-wide limit set applies to all packets in `dos_prerouting`.
 * - `nat_prerouting` → `steer_rules` → `steer_proxy`: flows from the LAN whose outcome needs the
 *   application or URL (the staged evaluator's `undecided`) or that an inspecting profile allows
 *   are redirected to the transparent proxies, which evaluate again with L7 facts.
 * - `filter_input` / `filter_forward` → `policy`: the L3/L4 part of the rules in policy order, one
 *   named counter per rule; the block-all rule ends the chain with drop (the default drop).
 * - `nat_postrouting`: masquerade on the WAN.
 *
 * A rule whose content can be decided only partly at L4 (e.g. applications "dhcp" and "line")
 * compiles its L4 part (udp 67-68) into the kernel and steers the rest. Traffic that cannot be
 * steered (UDP other than DNS, ICMP) passes undecided rules as not matching.
 */
import type { AddressInterval, Policy, PolicyRule, SecurityProfile } from '@mamori/policy';
import { parseAddressList, classifyListValue } from '@mamori/policy';
import { buildL4AppTable, type L4AppTable } from './l4-apps.js';
import { formatInterval, nftName, nftString, setDecl, toIntervals } from './nft-text.js';
import { ANY_PROTO, intersect, renderProto, serviceMatches, type ProtoMatch } from './proto-match.js';
import type { CompileOptions, CompiledRuleset, CounterInfo, DosEventSet, DosSettings, FqdnSetInfo, ProxyKind, RuleLogSet } from './types.js';

export const TABLE = 'mamori';
/** conntrack mark of connections allowed under DoS profile N: DOS_MARK_BASE + N ("mm" + N) */
export const DOS_MARK_BASE = 0x6d6d0000;

interface Alt {
  expr: string;
  family: 4 | 6 | null;
}
const ANY_ALT: Alt = { expr: '', family: null };

const IFNAME = /^[A-Za-z0-9_.:@-]{1,15}$/;

export class FirewallCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FirewallCompileError';
  }
}

/** Destination ports of each proxied protocol (their well-known ports; custom SSL ports are added). */
const PROXY_PORTS: Record<Exclude<ProxyKind, 'tcp' | 'dns'>, number[]> = {
  http: [80],
  https: [443],
  smtp: [25, 587],
  smtps: [465],
  pop3: [110],
  pop3s: [995],
  imap: [143],
  imaps: [993],
};

function profileInspects(p: SecurityProfile): boolean {
  return p.ips.enabled || p.antiMalware.enabled || p.webReputation.enabled || p.botProtection.enabled;
}

class SetRegistry {
  readonly decls: string[] = [];
  elementCount = 0;
  private readonly byKey = new Map<string, string | null>();

  /**
   * The match operand for addresses of one family: the address, range or CIDR itself when there is
   * one (nft loads 10k inline matches about 3× faster than 10k named sets), else "@set".
   */
  operand(key: string, family: 4 | 6, intervals: AddressInterval[]): string | null {
    const xs = intervals.filter((i) => i.family === family);
    if (xs.length === 1) return formatInterval(xs[0]!);
    const name = this.addresses(key, family, xs);
    return name ? `@${name}` : null;
  }

  /** An interval set of addresses; null when the family has no element. */
  addresses(key: string, family: 4 | 6, intervals: AddressInterval[]): string | null {
    const k = `${key}/${family}`;
    if (this.byKey.has(k)) return this.byKey.get(k)!;
    const xs = intervals.filter((i) => i.family === family);
    const name = xs.length ? `${key}_${family}` : null;
    if (name) {
      this.decls.push(setDecl(name, family === 4 ? 'ipv4_addr' : 'ipv6_addr', ['interval'], xs.map(formatInterval)));
      this.elementCount += xs.length;
    }
    this.byKey.set(k, name);
    return name;
  }

  macs(key: string, macs: string[]): string | null {
    if (this.byKey.has(key)) return this.byKey.get(key)!;
    const uniq = [...new Set(macs)];
    const name = uniq.length ? key : null;
    if (name) {
      this.decls.push(setDecl(name, 'ether_addr', [], uniq));
      this.elementCount += uniq.length;
    }
    this.byKey.set(key, name);
    return name;
  }

  raw(decl: string) {
    this.decls.push(decl);
  }
}

function isBlockAll(r: PolicyRule): boolean {
  return r.action === 'block' && r.source.type === 'any' && r.destination.type === 'any' && r.service.type === 'any' && r.content.type === 'any';
}

function combine(...parts: Alt[][]): Alt[] {
  let acc: Alt[] = [ANY_ALT];
  for (const alts of parts) {
    const next: Alt[] = [];
    for (const a of acc) for (const b of alts) {
      if (a.family !== null && b.family !== null && a.family !== b.family) continue;
      next.push({ expr: [a.expr, b.expr].filter(Boolean).join(' '), family: a.family ?? b.family });
    }
    acc = next;
  }
  return acc;
}

export function compileRuleset(policy: Policy, opts: CompileOptions): CompiledRuleset {
  const lans = Array.isArray(opts.lan) ? opts.lan : [opts.lan];
  if (lans.length === 0) throw new FirewallCompileError('router mode needs at least one LAN interface');
  for (const i of [...lans, opts.wan]) if (!IFNAME.test(i)) throw new FirewallCompileError(`invalid interface name "${i}"`);
  if (lans.includes(opts.wan)) throw new FirewallCompileError(`interface "${opts.wan}" cannot be both LAN and WAN`);
  const proxyPorts = opts.proxyPorts ?? {};
  for (const [k, v] of [...Object.entries(proxyPorts), ...Object.entries(opts.proxyPorts6 ?? {})]) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 65535)) throw new FirewallCompileError(`invalid ${k} proxy port ${String(v)}`);
  }
  const servicePorts = opts.gatewayServicePorts ?? [];
  for (const p of servicePorts) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new FirewallCompileError(`invalid gateway service port ${p}`);
  const nflog = opts.nflogGroup;
  if (nflog !== undefined && (!Number.isInteger(nflog) || nflog < 0 || nflog > 65535)) throw new FirewallCompileError(`invalid NFLOG group ${nflog}`);

  const lanSet = `{ ${lans.map((l) => nftString(l)).join(', ')} }`;
  const wan = nftString(opts.wan);
  const l4: L4AppTable = buildL4AppTable(opts.knowledge);
  const sets = new SetRegistry();
  const counters: CounterInfo[] = [];
  const fqdnSets: FqdnSetInfo[] = [];
  const notes: string[] = [];
  const fqdnMinTtl = opts.fqdnMinTtl ?? 60;
  const ruleLogSets: RuleLogSet[] = [];
  const ruleLogTimeout = opts.ruleLogTimeout ?? 300;

  const profiles = new Map(policy.profiles.map((p) => [p.id, p]));
  const addressIdx = new Map(policy.objects.addresses.map((a, i) => [a.id, i]));
  const macIdx = new Map(policy.objects.macs.map((m, i) => [m.id, i]));
  const userIdx = new Map(policy.objects.users.map((u, i) => [u.id, i]));
  const services = new Map(policy.objects.services.map((s) => [s.id, s]));
  const groups = new Map(policy.objects.userGroups.map((g) => [g.id, g]));
  const fqdnByObject = new Map<string, FqdnSetInfo>();

  const fqdnSet = (objId: string, fqdn: string): FqdnSetInfo => {
    const have = fqdnByObject.get(objId);
    if (have) return have;
    const i = addressIdx.get(objId)!;
    const info = { fqdn, v4: `fqdn_${i}_4`, v6: `fqdn_${i}_6` };
    for (const [name, type] of [[info.v4, 'ipv4_addr'], [info.v6, 'ipv6_addr']] as const) {
      sets.raw(setDecl(name, type, ['timeout'], [], [`timeout ${fqdnMinTtl}s`]));
    }
    fqdnByObject.set(objId, info);
    fqdnSets.push(info);
    return info;
  };

  /** match alternatives for an address object on one side ("saddr" / "daddr") */
  const addressAlts = (objId: string, dir: 'saddr' | 'daddr'): Alt[] => {
    const i = addressIdx.get(objId);
    if (i === undefined) throw new FirewallCompileError(`unknown address object "${objId}"`);
    const obj = policy.objects.addresses[i]!;
    if (obj.type === 'fqdn') {
      const f = fqdnSet(obj.id, obj.fqdn);
      return [
        { expr: `ip ${dir} @${f.v4}`, family: 4 },
        { expr: `ip6 ${dir} @${f.v6}`, family: 6 },
      ];
    }
    const r = parseAddressList(obj.addresses);
    if (!r.ok) throw new FirewallCompileError(`address object "${obj.name}": invalid address "${r.problems[0]?.value ?? ''}"`);
    const ivs = toIntervals(r.value, obj.name);
    const out: Alt[] = [];
    const s4 = sets.operand(`addr_${i}`, 4, ivs);
    const s6 = sets.operand(`addr_${i}`, 6, ivs);
    if (s4) out.push({ expr: `ip ${dir} ${s4}`, family: 4 });
    if (s6) out.push({ expr: `ip6 ${dir} ${s6}`, family: 6 });
    return out;
  };

  const userAlts = (userId: string): Alt[] => {
    const i = userIdx.get(userId);
    if (i === undefined) throw new FirewallCompileError(`unknown user "${userId}"`);
    const u = policy.objects.users[i]!;
    const out: Alt[] = [];
    if (u.addresses && u.addresses.trim() !== '') {
      const ivs = toIntervals([u.addresses], `user ${u.name}`);
      const s4 = sets.operand(`user_${i}`, 4, ivs);
      const s6 = sets.operand(`user_${i}`, 6, ivs);
      if (s4) out.push({ expr: `ip saddr ${s4}`, family: 4 });
      if (s6) out.push({ expr: `ip6 saddr ${s6}`, family: 6 });
    }
    const m = sets.macs(`user_${i}_mac`, u.macs ?? []);
    if (m) out.push({ expr: `ether saddr @${m}`, family: null });
    return out;
  };

  const sourceAlts = (r: PolicyRule): Alt[] => {
    if (r.source.type === 'any') return [ANY_ALT];
    const out: Alt[] = [];
    const users = new Set(r.source.users);
    for (const g of r.source.groups) for (const m of groups.get(g)?.members ?? []) users.add(m);
    for (const u of users) out.push(...userAlts(u));
    for (const a of r.source.addresses) out.push(...addressAlts(a, 'saddr'));
    for (const m of r.source.macs) {
      const i = macIdx.get(m);
      if (i === undefined) throw new FirewallCompileError(`unknown MAC object "${m}"`);
      const name = sets.macs(`mac_${i}`, policy.objects.macs[i]!.macs);
      if (name) out.push({ expr: `ether saddr @${name}`, family: null });
    }
    return out;
  };

  const geoKeys = new Map<string, number>();
  const destinationAlts = (r: PolicyRule): Alt[] => {
    if (r.destination.type === 'any') return [ANY_ALT];
    if (r.destination.type === 'addresses') return r.destination.addresses.flatMap((a) => addressAlts(a, 'daddr'));
    const countries = [...new Set(r.destination.countries)].sort();
    if (!opts.geo) throw new FirewallCompileError(`rule "${r.name}" selects countries but no GeoIP table is loaded`);
    const key = countries.join(',');
    let n = geoKeys.get(key);
    if (n === undefined) {
      n = geoKeys.size;
      geoKeys.set(key, n);
    }
    const ranges: Array<string | AddressInterval> = [];
    for (const c of countries) for (const x of opts.geo.rangesFor(c)) ranges.push(x);
    const ivs = toIntervals(ranges, `GeoIP ${key}`);
    const out: Alt[] = [];
    const s4 = sets.addresses(`geo_${n}`, 4, ivs);
    const s6 = sets.addresses(`geo_${n}`, 6, ivs);
    if (s4) out.push({ expr: `ip daddr @${s4}`, family: 4 });
    if (s6) out.push({ expr: `ip6 daddr @${s6}`, family: 6 });
    if (!out.length) notes.push(`rule "${r.name}": the GeoIP table has no range for ${key}; it matches nothing`);
    return out;
  };

  const serviceAlts = (r: PolicyRule): ProtoMatch[] => {
    if (r.service.type === 'any') return [ANY_PROTO];
    return r.service.services.flatMap((id) => {
      const s = services.get(id);
      if (!s) throw new FirewallCompileError(`unknown service object "${id}"`);
      return serviceMatches(s);
    });
  };

  /** The L4-decidable part of the content and whether anything needs L7. */
  const contentParts = (r: PolicyRule): { decided: ProtoMatch[]; undecided: boolean } => {
    if (r.content.type === 'any') return { decided: [ANY_PROTO], undecided: false };
    const c = r.content;
    const decided: ProtoMatch[] = [];
    let undecided = c.applicationFunctions.length + c.urlCategories.length + c.customCategories.length + c.applicationCategories.length > 0;
    const apps = new Set<string>();
    for (const a of c.applications) {
      if (l4.apps.has(a)) apps.add(a);
      else undecided = true;
    }
    for (const cat of c.applicationCategories) for (const a of l4.apps.keys()) if (l4.category(a) === cat) apps.add(a);
    for (const a of apps) decided.push(...l4.apps.get(a)!);
    return { decided, undecided };
  };

  // ---- allow/block lists: IP entries in the kernel, host/URL entries need the proxies ----
  const listIntervals = (list: Policy['allowList']) => {
    const ips: AddressInterval[] = [];
    let needsProxy = false;
    for (const e of list) {
      const k = classifyListValue(e.value);
      if (k?.kind === 'ip') ips.push(...toIntervals([k.host], 'list'));
      else needsProxy = true;
    }
    return { ips: toIntervals(ips, 'list'), needsProxy };
  };
  const allow = listIntervals(policy.allowList);
  const block = listIntervals(policy.blockList);

  const policyLines: string[] = [];
  const steerLines: string[] = [];
  for (const [name, ivs, verdict] of [['allowlist', allow.ips, 'accept'], ['blocklist', block.ips, 'drop']] as const) {
    const counter = `list_${name}`;
    const s4 = sets.addresses(name, 4, ivs);
    const s6 = sets.addresses(name, 6, ivs);
    if (!s4 && !s6) continue;
    counters.push({ name: counter, kind: 'rule', action: verdict === 'accept' ? 'allow' : 'block', ruleName: name });
    for (const [fam, s] of [['ip', s4], ['ip6', s6]] as const) {
      if (!s) continue;
      policyLines.push(`${fam} daddr @${s} counter name "${counter}" ${verdict}`);
      steerLines.push(`${fam} daddr @${s} return`);
    }
  }
  if (allow.needsProxy || block.needsProxy) steerLines.push('meta l4proto tcp tcp dport { 80, 443 } jump steer_proxy');

  // ---- rules in policy order ----
  const wantGroups = opts.gatewayGroups;
  const inspectAllowed = opts.inspectAllowed ?? true;
  let firewallOn = false;
  // DoS protection is a profile switch (manual: セキュリティプロファイル → DoS対策): new flows a rule
  // allows go through the chain of that rule's profile; opts.dos set means one gateway-wide limit
  const dosChains = new Map<string, { n: number; name: string; dos: DosSettings }>();
  const perProfile = opts.dos === undefined;
  const dosChainOf = (p: SecurityProfile | undefined | null): string | null => {
    if (!perProfile || !p?.dos.enabled) return null;
    let c = dosChains.get(p.id);
    if (!c) {
      c = { n: dosChains.size, name: p.name, dos: p.dos };
      dosChains.set(p.id, c);
    }
    return `dos_p${c.n}`;
  };
  policy.rules.forEach((r, idx) => {
    if (firewallOn || !r.enabled) return;
    if (r.gatewayGroups.length && wantGroups && !r.gatewayGroups.some((g) => wantGroups.includes(g))) return;
    const counter = nftName('rule', idx);
    const profile = r.profileId ? profiles.get(r.profileId) : undefined;
    const dosChain = r.action === 'allow' ? dosChainOf(profile) : null;
    const inspect = r.action === 'allow' && inspectAllowed && profile !== undefined && profileInspects(profile);
    const src = sourceAlts(r);
    const dst = destinationAlts(r);
    const svc = serviceAlts(r);
    const content = contentParts(r);
    const logStmt = r.log && nflog !== undefined ? `log prefix ${nftString(`mamori rule=${r.id} `, 60)} group ${nflog} ` : '';
    const verdict = r.action === 'allow' ? (dosChain ? `goto ${dosChain}` : 'accept') : 'drop';
    counters.push({ name: counter, kind: 'rule', ruleId: r.id, ruleName: r.name, action: r.action, log: r.log });

    const decided: ProtoMatch[] = [];
    for (const s of svc) for (const c of content.decided) {
      const m = intersect(s, c);
      if (m) decided.push(m);
    }
    const protoAlts = (ms: ProtoMatch[]): Alt[] => ms.map(renderProto);
    // "log" on: each (source, destination, protocol) the rule decides goes, with the rule's index
    // (as the packet mark), into the rule log set of its family; the gateway polls them into
    // policy-enforcement events
    if (r.log) ruleLogSets.push({ index: idx, ruleId: r.id, ruleName: r.name, action: r.action });
    const logUpdate = (fam: 4 | 6): string => {
      const ip = fam === 4 ? 'ip' : 'ip6';
      return `meta mark set ${idx} update @rulelog_${fam} { ${ip} saddr . ${ip} daddr . meta l4proto . meta mark } `;
    };
    for (const alt of combine(src, dst, protoAlts(decided))) {
      if (r.log) {
        for (const fam of alt.family === null ? ([4, 6] as const) : [alt.family]) {
          const nf = alt.family === null ? `meta nfproto ${fam === 4 ? 'ipv4' : 'ipv6'} ` : '';
          policyLines.push(`${nf}${alt.expr} counter name "${counter}" ${logUpdate(fam)}${logStmt}${verdict}`.replace(/\s+/g, ' ').trim());
        }
      } else policyLines.push(`${alt.expr} counter name "${counter}" ${logStmt}${verdict}`.trim());
      steerLines.push(`${alt.expr} ${inspect ? 'goto steer_proxy' : 'return'}`.trim());
    }
    if (content.undecided) {
      for (const alt of combine(src, dst, protoAlts(svc))) steerLines.push(`${alt.expr} jump steer_proxy`.trim());
    }
    if (isBlockAll(r)) firewallOn = true;
  });
  if (!firewallOn) {
    counters.push({ name: 'default_allow', kind: 'default', action: 'allow' });
    // default allow gets the policy's first profile (as in the evaluator)
    const d = dosChainOf(policy.profiles[0]);
    policyLines.push(`counter name "default_allow" ${d ? `goto ${d}` : 'accept'}`);
  } else {
    const after = policy.rules.length - 1 - policy.rules.findIndex((r) => r.enabled && isBlockAll(r));
    if (after > 0) notes.push(`${after} rule(s) below the block-all rule are never reached`);
  }

  // ---- steering to the transparent proxies ----
  const customSsl = { smtps: new Set<number>(), pop3s: new Set<number>(), imaps: new Set<number>() };
  for (const p of policy.profiles) for (const k of ['smtps', 'pop3s', 'imaps'] as const) for (const port of p.email.customSslPorts[k]) customSsl[k].add(port);
  const proxyLines: string[] = [
    'meta nfproto ipv4 meta l4proto tcp update @steer_orig_4 { ip saddr . tcp sport : ip daddr . tcp dport }',
  ];
  const steered: string[] = [];
  for (const kind of Object.keys(PROXY_PORTS) as Array<keyof typeof PROXY_PORTS>) {
    const to = proxyPorts[kind];
    if (to === undefined) continue;
    const ports = new Set(PROXY_PORTS[kind]);
    if (kind === 'smtps' || kind === 'pop3s' || kind === 'imaps') for (const p of customSsl[kind]) ports.add(p);
    const list = [...ports].sort((a, b) => a - b);
    const dport = list.length === 1 ? String(list[0]) : `{ ${list.join(', ')} }`;
    const to6 = kind === 'http' || kind === 'https' ? opts.proxyPorts6?.[kind] : undefined;
    if (to6 !== undefined) proxyLines.push(`meta nfproto ipv6 tcp dport ${dport} counter name "steer_${kind}" redirect to :${to6}`);
    proxyLines.push(`tcp dport ${dport} counter name "steer_${kind}" redirect to :${to}`);
    counters.push({ name: `steer_${kind}`, kind: 'rule', action: 'steer', ruleName: `steer ${kind}` });
    steered.push(kind);
  }
  if (proxyPorts.dns !== undefined) {
    proxyLines.push(`meta l4proto { tcp, udp } th dport 53 counter name "steer_dns" redirect to :${proxyPorts.dns}`);
    counters.push({ name: 'steer_dns', kind: 'rule', action: 'steer', ruleName: 'steer dns' });
    steered.push('dns');
  }
  if (proxyPorts.tcp !== undefined) {
    proxyLines.push(`meta l4proto tcp counter name "steer_tcp" redirect to :${proxyPorts.tcp}`);
    counters.push({ name: 'steer_tcp', kind: 'rule', action: 'steer', ruleName: 'steer tcp' });
    steered.push('tcp');
  }

  // ---- DoS protection ----
  const dosEventSets: DosEventSet[] = [];
  const dosLines: string[] = [];
  const dosProfileChains: Array<{ name: string; lines: string[] }> = [];
  const limits: string[] = [];
  const global = opts.dos === null || opts.dos === undefined ? null : opts.dos.enabled ? opts.dos : null;
  const evTimeout = opts.dosEventTimeout ?? 60;
  const dlog = (what: string) => (nflog !== undefined ? `log prefix ${nftString(`mamori dos=${what} `)} group ${nflog} ` : '');
  const SYN = 'tcp flags & (fin | syn | rst | ack) == syn';
  /**
   * The limit lines of one DoS setting. `sfx` names its limits, meters and event sets; `only`
   * keeps the packet-flood lines (ICMP echo, UDP per source) for established flows in prerouting.
   */
  const dosRules = (dos: DosSettings, sfx: string, profile: string | undefined) => {
    const newFlow: string[] = [];
    const floods: string[] = [];
    limits.push(`\tlimit lim_syn${sfx} { rate over ${dos.synPerSecond}/second burst ${dos.synPerSecond} packets }`);
    limits.push(`\tlimit lim_icmp${sfx} { rate over ${dos.icmpPerSecond}/second burst ${dos.icmpPerSecond} packets }`);
    const of = profile ? `; profile ${profile}` : '';
    for (const fam of [4, 6] as const) {
      const ip = fam === 4 ? 'ip' : 'ip6';
      const type = fam === 4 ? 'ipv4_addr' : 'ipv6_addr';
      const nf = fam === 4 ? 'meta nfproto ipv4' : 'meta nfproto ipv6';
      const ev = (sig: string, threatType: 'dos' | 'portScan', limit: string) => {
        const set = `ev_${sig.replace(/-/g, '_')}${sfx}_${fam}`;
        if (!dosEventSets.some((x) => x.set === set)) {
          sets.raw(setDecl(set, type, ['dynamic', 'timeout'], [], [`timeout ${evTimeout}s`, 'counter']));
          dosEventSets.push({ set, family: fam, threatType, signature: sig, limit: limit + of });
        }
        return `update @${set} { ${ip} saddr }`;
      };
      const meter = (name: string, extraFlags: string[] = ['timeout'], extra: string[] = ['timeout 10s']) => {
        sets.raw(setDecl(`${name}${sfx}_${fam}`, type, ['dynamic', ...extraFlags], [], extra));
        return `${name}${sfx}_${fam}`;
      };
      newFlow.push(`${nf} ${SYN} limit name "lim_syn${sfx}" ${ev('syn-flood', 'dos', `${dos.synPerSecond} SYN/s`)} ${dlog('syn-flood')}counter name "dos_syn" drop`);
      const nc = meter('m_newconn');
      newFlow.push(`${nf} ct state new add @${nc} { ${ip} saddr limit rate over ${dos.newConnectionsPerSourcePerSecond}/second burst ${dos.newConnectionsPerSourcePerSecond} packets } ${ev('new-connection-rate', 'dos', `${dos.newConnectionsPerSourcePerSecond} new connections/s per source`)} ${dlog('new-connection-rate')}counter name "dos_newconn" drop`);
      const cc = meter('m_conc', [], ['size 65535']);
      newFlow.push(`${nf} ct state new add @${cc} { ${ip} saddr ct count over ${dos.concurrentConnectionsPerSource} } ${ev('concurrent-connections', 'dos', `${dos.concurrentConnectionsPerSource} connections per source`)} ${dlog('concurrent-connections')}counter name "dos_concurrent" drop`);
      const echo = fam === 4 ? 'icmp type echo-request' : 'icmpv6 type echo-request';
      const icmp = `${nf} ${echo} limit name "lim_icmp${sfx}" ${ev('icmp-flood', 'dos', `${dos.icmpPerSecond} ICMP echo/s`)} ${dlog('icmp-flood')}counter name "dos_icmp" drop`;
      const um = meter('m_udp');
      const udp = `${nf} meta l4proto udp add @${um} { ${ip} saddr limit rate over ${dos.udpPerSourcePerSecond}/second burst ${dos.udpPerSourcePerSecond} packets } ${ev('udp-flood', 'dos', `${dos.udpPerSourcePerSecond} UDP packets/s per source`)} ${dlog('udp-flood')}counter name "dos_udp" drop`;
      newFlow.push(icmp, udp);
      floods.push(icmp, udp);
      if (dos.portScanDetection) {
        sets.raw(setDecl(`scan_pairs${sfx}_${fam}`, `${type} . inet_service`, ['dynamic', 'timeout'], [], ['timeout 60s']));
        const sm = meter('m_scan', ['timeout'], ['timeout 60s']);
        const scanEv = ev('port-scan', 'portScan', 'more than 20 new destination ports from one source');
        newFlow.push(`${nf} ${SYN} ct state new ${ip} saddr . tcp dport != @scan_pairs${sfx}_${fam} update @scan_pairs${sfx}_${fam} { ${ip} saddr . tcp dport } add @${sm} { ${ip} saddr limit rate over 5/second burst 20 packets } ${scanEv} ${dlog('port-scan')}counter name "dos_portscan" drop`);
        // stealth scans: NULL and XMAS probes never belong to a real connection
        floods.push(`${nf} tcp flags & (fin | syn | rst | psh | ack | urg) == 0x0 ${scanEv} counter name "dos_portscan" drop`);
        floods.push(`${nf} tcp flags & (fin | syn | rst | psh | ack | urg) == fin | psh | urg ${scanEv} counter name "dos_portscan" drop`);
      }
    }
    return { newFlow, floods };
  };
  const anyDos = global !== null || dosChains.size > 0;
  if (anyDos) for (const name of ['dos_syn', 'dos_newconn', 'dos_concurrent', 'dos_icmp', 'dos_udp', 'dos_portscan']) counters.push({ name, kind: 'dos' });
  if (global) {
    const g = dosRules(global, '', undefined);
    dosLines.push(...g.newFlow.filter((l) => !g.floods.includes(l)), ...g.floods);
  }
  // per profile: new flows in dos_p<N> (reached by goto from the rule that allowed them), which
  // marks the connection; later packets of marked connections meet the flood limits in prerouting
  for (const c of dosChains.values()) {
    const sfx = `_p${c.n}`;
    const mark = `0x${(DOS_MARK_BASE + c.n).toString(16)}`;
    const r = dosRules(c.dos, sfx, c.name);
    dosProfileChains.push({ name: `dos_p${c.n}`, lines: [...r.newFlow, ...r.floods.filter((l) => !r.newFlow.includes(l)), `ct mark set ${mark}`, 'accept'] });
    for (const l of r.floods) dosLines.push(`ct mark ${mark} ct state established ${l}`);
  }
  // flows steered to the proxies (and the gateway's own services) are decided at L7: they get the strictest profile's limits
  const strictest = [...dosChains.values()].reduce<{ n: number; dos: DosSettings } | null>((a, c) => (!a || c.dos.newConnectionsPerSourcePerSecond < a.dos.newConnectionsPerSourcePerSecond ? c : a), null);
  const steeredChain = strictest ? `dos_p${strictest.n}` : null;
  const dos = anyDos;

  // ---- the table ----
  const out: string[] = [`table inet ${TABLE} {`];
  const counterNames = [...new Set(counters.map((c) => c.name))];
  for (const c of counterNames) out.push(`\tcounter ${c} { }`);
  out.push(...limits);
  out.push(...sets.decls);
  if (ruleLogSets.length) {
    for (const fam of [4, 6] as const) {
      out.push(setDecl(`rulelog_${fam}`, `${fam === 4 ? 'ipv4_addr . ipv4_addr' : 'ipv6_addr . ipv6_addr'} . inet_proto . mark`, ['dynamic', 'timeout'], [], [`timeout ${ruleLogTimeout}s`, 'size 65535', 'counter']));
    }
  }
  out.push('\tmap steer_orig_4 {\n\t\ttype ipv4_addr . inet_service : ipv4_addr . inet_service\n\t\tflags dynamic,timeout\n\t\ttimeout 10m\n\t}');
  const chain = (name: string, head: string | null, lines: string[]) => {
    out.push(`\tchain ${name} {`);
    if (head) out.push(`\t\t${head}`);
    for (const l of lines) out.push(`\t\t${l}`);
    out.push('\t}');
  };
  if (dosLines.length) chain('dos_prerouting', 'type filter hook prerouting priority mangle; policy accept;', ['iif "lo" accept', ...dosLines]);
  for (const c of dosProfileChains) chain(c.name, null, c.lines);
  chain('steer_proxy', null, steered.length ? proxyLines : []);
  chain('steer_rules', null, steerLines);
  chain('nat_prerouting', 'type nat hook prerouting priority dstnat; policy accept;', [
    `iifname != ${lanSet} return`,
    'fib daddr type { local, broadcast, multicast } return',
    'jump steer_rules',
  ]);
  chain('policy_rules', null, policyLines);
  const nd = 'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept';
  const svcPorts = [...new Set(servicePorts)].sort((a, b) => a - b);
  chain('filter_input', 'type filter hook input priority filter; policy drop;', [
    'iif "lo" accept',
    'ct state established,related accept',
    'ct state invalid drop',
    nd,
    // connections redirected to a transparent proxy: the policy is applied there
    `ct status dnat ${steeredChain ? `goto ${steeredChain}` : 'accept'}`,
    ...(svcPorts.length ? [`iifname ${lanSet} meta l4proto { tcp, udp } th dport { ${svcPorts.join(', ')} } ${steeredChain ? `goto ${steeredChain}` : 'accept'}`] : []),
    `iifname ${lanSet} jump policy_rules`,
    `iifname ${wan} udp sport 67 udp dport 68 accept`,
    `iifname ${wan} icmp type echo-request limit rate 10/second accept`,
    `iifname ${wan} icmpv6 type echo-request limit rate 10/second accept`,
  ]);
  chain('filter_forward', 'type filter hook forward priority filter; policy drop;', [
    'ct state established,related accept',
    'ct state invalid drop',
    `iifname ${lanSet} jump policy_rules`,
  ]);
  chain('nat_postrouting', 'type nat hook postrouting priority srcnat; policy accept;', [`oifname ${wan} masquerade`]);
  out.push('}');

  return {
    table: TABLE,
    text: out.join('\n') + '\n',
    counters,
    fqdnSets,
    dosEventSets,
    ruleLogSets,
    steerMaps: { v4: 'steer_orig_4' },
    firewallOn,
    dosEnabled: dos,
    elementCount: sets.elementCount,
    notes,
  };
}
