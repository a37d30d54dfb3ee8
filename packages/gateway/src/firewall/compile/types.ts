/**
 * Inputs and outputs of the nftables compiler. The compiler is pure: a deployed policy and the
 * gateway's options in, one ruleset text (our own `table inet mamori`) and its name maps out.
 */
import type { AddressInterval, SecurityProfile } from '@mamori/policy';

/** Local listening ports of the gateway's transparent proxies; a kind left out is not steered. */
export interface ProxyPorts {
  http?: number;
  https?: number;
  dns?: number;
  smtp?: number;
  smtps?: number;
  pop3?: number;
  pop3s?: number;
  imap?: number;
  imaps?: number;
  /** "other TCP" stream inspection */
  tcp?: number;
}
export type ProxyKind = keyof ProxyPorts;

/** Country → address ranges (IPs, "a-b" ranges, CIDRs or parsed intervals). @mamori/geoip or a test table. */
export interface GeoRangeSource {
  rangesFor(country: string): Iterable<string | AddressInterval>;
}

/** The part of the evaluator's Knowledge (CONTRACTS.md) the compiler uses. */
export interface L4Knowledge {
  /** apps identified by L3/L4 alone (DHCP = udp 67/68, DNS = 53, NTP = 123, ...) */
  l4Apps?(protocol: string, port: number): string[];
  appCategory?(appId: string): string | undefined;
}

export type DosSettings = SecurityProfile['dos'];

export interface CompileOptions {
  /** LAN interface name(s): the office side */
  lan: string | string[];
  /** WAN interface name: masquerade and inbound drop */
  wan: string;
  proxyPorts?: ProxyPorts;
  /**
   * IPv6 flows of these kinds go to these ports instead (the gateway's IPv6 listeners, so that its
   * IPv4 listeners never see v4-mapped addresses); a kind left out uses `proxyPorts`.
   */
  proxyPorts6?: Partial<Pick<ProxyPorts, 'http' | 'https'>>;
  /** gateway's own services reachable from the LAN whatever the policy (DNS filter, explicit proxy), tcp and udp */
  gatewayServicePorts?: number[];
  geo?: GeoRangeSource;
  knowledge?: L4Knowledge;
  /** the gateway's groups; rules for other groups are left out */
  gatewayGroups?: string[];
  /** allowed rules whose profile inspects (IPS, anti-malware, web reputation, bot) go through the proxies */
  inspectAllowed?: boolean;
  /** DoS limits; by default the strictest of the profiles used by enabled allow rules with DoS on */
  dos?: DosSettings | null;
  /** NFLOG group for rules with `log` and for DoS triggers; absent: counters and event sets only */
  nflogGroup?: number;
  /** seconds an FQDN answer stays at least in its set, whatever its TTL */
  fqdnMinTtl?: number;
  /** how long a DoS trigger's source stays in its event set (seconds) */
  dosEventTimeout?: number;
  /** how long a (source, destination, protocol) of a logging rule stays in its log set (seconds) */
  ruleLogTimeout?: number;
}

/** Names the gateway needs at run time: per-rule counters, FQDN sets, DoS event sets, the steering map. */
export interface CounterInfo {
  name: string;
  kind: 'rule' | 'default' | 'dos';
  ruleId?: string;
  ruleName?: string;
  action?: 'allow' | 'block' | 'steer';
  log?: boolean;
}
export interface FqdnSetInfo {
  fqdn: string;
  v4: string;
  v6: string;
}
export interface DosEventSet {
  set: string;
  family: 4 | 6;
  threatType: 'dos' | 'portScan';
  /** short signature: syn-flood, new-connection-rate, concurrent-connections, icmp-flood, udp-flood, port-scan */
  signature: string;
  limit: string;
}

/**
 * A rule with "log" on. What it decides goes into the sets `rulelog_4` / `rulelog_6`
 * (saddr . daddr . l4proto . mark = the rule's index), with a packet counter per element.
 */
export interface RuleLogSet {
  index: number;
  ruleId: string;
  ruleName: string;
  action: 'allow' | 'block';
}

export interface CompiledRuleset {
  table: string;
  /** the ruleset body: `table inet mamori { ... }` */
  text: string;
  counters: CounterInfo[];
  fqdnSets: FqdnSetInfo[];
  dosEventSets: DosEventSet[];
  ruleLogSets: RuleLogSet[];
  /**
   * map of the original destination of redirected IPv4 TCP flows (saddr . sport → daddr . dport).
   * nft 1.0.6 cannot build the IPv6 one (its register allocator aborts on 2×20-byte concatenations);
   * IPv6 proxies use Host/SNI.
   */
  steerMaps: { v4: string };
  /** the block-all rule is on: the default is drop */
  firewallOn: boolean;
  dosEnabled: boolean;
  /** number of set elements emitted (addresses, MACs, countries) */
  elementCount: number;
  notes: string[];
}
