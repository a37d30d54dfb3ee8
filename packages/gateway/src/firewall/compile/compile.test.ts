import { describe, expect, it } from 'vitest';
import { compileRuleset, FirewallCompileError } from './compile.js';
import type { PolicyRuleInput } from '@mamori/policy';
import { BLOCK_ALL, DHCP_ALLOW, geoTable, policyOf as policyWithLog } from './fixtures.js';
import { formatInterval, mergePorts, toIntervals } from './nft-text.js';
import { intersect } from './proto-match.js';

const OPTS = { lan: 'lan0', wan: 'wan0' };
/** these tests read rule lines: rules log nothing unless a test says so (see "rule log") */
const policyOf = (rules: PolicyRuleInput[], extra?: Parameters<typeof policyWithLog>[1]) => policyWithLog(rules.map((r) => ({ log: false, ...r })), extra);
const chainOf = (text: string, name: string) => {
  const start = text.indexOf(`\tchain ${name} {`);
  return text.slice(start, text.indexOf('\n\t}', start));
};
const setOf = (text: string, name: string) => {
  const start = text.indexOf(`\tset ${name} {`);
  return start < 0 ? '' : text.slice(start, text.indexOf('\n\t}', start));
};

describe('address sets', () => {
  it('merges overlapping and adjacent entries and prints CIDRs when aligned', () => {
    const ivs = toIntervals(['10.99.1.0/24, 10.99.1.5-10.99.2.7', '10.99.2.8', '10.99.9.9', 'fd99::/64'], 't');
    expect(ivs.map(formatInterval)).toEqual(['10.99.1.0-10.99.2.8', '10.99.9.9', 'fd99::/64']);
    expect(toIntervals(['10.0.0.0-10.0.0.255'], 't').map(formatInterval)).toEqual(['10.0.0.0/24']);
  });

  it('splits an object into IPv4 and IPv6 interval sets referenced by the rule', () => {
    const p = policyOf([{ id: 'r', name: 'r', action: 'block', source: { type: 'selected', addresses: ['a'] } }], {
      objects: { addresses: [{ id: 'a', name: 'a', type: 'ipv4', addresses: '10.99.1.1, 10.99.1.2, 10.99.3.0/30' }] },
    });
    const r = compileRuleset(p, OPTS);
    expect(setOf(r.text, 'addr_0_4')).toContain('elements = { 10.99.1.1-10.99.1.2, 10.99.3.0/30 }');
    expect(setOf(r.text, 'addr_0_4')).toContain('flags interval');
    expect(chainOf(r.text, 'policy_rules')).toContain('ip saddr @addr_0_4 counter name "rule_0" drop');
    expect(r.elementCount).toBe(2);
  });

  it('gives MAC objects and users their own sets', () => {
    const p = policyOf(
      [{ id: 'r', name: 'r', action: 'allow', source: { type: 'selected', macs: ['m'], groups: ['g'] } }],
      {
        objects: {
          macs: [{ id: 'm', name: 'm', macs: ['02-00-00-00-00-AA'] }],
          users: [{ id: 'u', name: 'u', addresses: 'fd99::5', macs: ['02:00:00:00:00:bb'] }],
          userGroups: [{ id: 'g', name: 'g', members: ['u'] }],
        },
      },
    );
    const r = compileRuleset(p, OPTS);
    expect(setOf(r.text, 'mac_0')).toContain('02:00:00:00:00:aa');
    const rules = chainOf(r.text, 'policy_rules');
    expect(rules).toContain('ip6 saddr fd99::5 counter name "rule_0" accept');
    expect(rules).toContain('ether saddr @user_0_mac counter name "rule_0" accept');
    expect(rules).toContain('ether saddr @mac_0 counter name "rule_0" accept');
  });

  it('builds destination country sets from the GeoIP table and refuses countries without one', () => {
    const p = policyOf([{ id: 'r', name: 'r', action: 'block', destination: { type: 'geo', countries: ['US', 'JP'] } }]);
    const r = compileRuleset(p, { ...OPTS, geo: geoTable({ JP: ['10.99.200.0/24'], US: ['10.99.201.0/24', '2001:db8::/32'] }) });
    expect(setOf(r.text, 'geo_0_4')).toContain('elements = { 10.99.200.0/23 }');
    expect(chainOf(r.text, 'policy_rules')).toContain('ip6 daddr @geo_0_6 counter name "rule_0" drop');
    expect(() => compileRuleset(p, OPTS)).toThrow(/no GeoIP table/);
  });

  it('makes FQDN objects timeout sets for DNS answers', () => {
    const p = policyOf([{ id: 'r', name: 'r', action: 'block', destination: { type: 'addresses', addresses: ['f'] } }], {
      objects: { addresses: [{ id: 'f', name: 'f', type: 'fqdn', fqdn: 'Files.Example.com' }] },
    });
    const r = compileRuleset(p, { ...OPTS, fqdnMinTtl: 30 });
    expect(r.fqdnSets).toEqual([{ fqdn: 'files.example.com', v4: 'fqdn_0_4', v6: 'fqdn_0_6' }]);
    expect(setOf(r.text, 'fqdn_0_4')).toContain('flags timeout');
    expect(chainOf(r.text, 'policy_rules')).toContain('ip daddr @fqdn_0_4 counter name "rule_0" drop');
  });
});

describe('rules', () => {
  it('keeps policy order, counts per rule and ends with default allow without the block-all rule', () => {
    const p = policyOf([
      { id: 'a', name: 'first', action: 'block', service: { type: 'selected', services: ['s'] } },
      { id: 'b', name: 'second', action: 'allow', enabled: false },
    ], { objects: { services: [{ id: 's', name: 's', entries: [{ protocol: 'tcp', ports: '8000-8080, 80, 8080-8090' }, { protocol: 'icmp' }] }] } });
    const r = compileRuleset(p, OPTS);
    const rules = chainOf(r.text, 'policy_rules').split('\n').slice(1).map((l) => l.trim());
    expect(rules).toEqual([
      'tcp dport { 80, 8000-8090 } counter name "rule_0" drop',
      'meta l4proto icmp counter name "rule_0" drop',
      'counter name "default_allow" accept',
    ]);
    expect(r.firewallOn).toBe(false);
    expect(r.counters.map((c) => c.ruleId ?? c.name)).toEqual(['a', 'default_allow']);
  });

  it('turns the block-all rule into the default drop and ignores rules below it', () => {
    const r = compileRuleset(policyOf([DHCP_ALLOW, BLOCK_ALL, { id: 'x', name: 'x', action: 'allow' }]), OPTS);
    const rules = chainOf(r.text, 'policy_rules');
    expect(rules).toContain('udp dport 67-68 counter name "rule_0" accept');
    expect(rules.trim().split('\n').pop()!.trim()).toBe('counter name "rule_1" drop');
    expect(rules).not.toContain('rule_2');
    expect(r.firewallOn).toBe(true);
    expect(r.notes.join()).toMatch(/1 rule\(s\) below the block-all rule/);
    expect(chainOf(r.text, 'filter_input')).toMatch(/iifname \{ "lan0" \} jump policy_rules/);
  });

  it('compiles the L4 part of content in the kernel and steers the part that needs L7', () => {
    const p = policyOf([
      { id: 'x', name: 'apps', action: 'block', content: { type: 'selected', applications: ['ntp', 'line'] } },
    ]);
    const r = compileRuleset(p, { ...OPTS, proxyPorts: { http: 3128, https: 3129, tcp: 4000 } });
    expect(chainOf(r.text, 'policy_rules')).toContain('udp dport 123 counter name "rule_0" drop');
    const steer = chainOf(r.text, 'steer_rules').split('\n').slice(1).map((l) => l.trim());
    expect(steer).toEqual(['udp dport 123 return', 'jump steer_proxy']);
    const proxy = chainOf(r.text, 'steer_proxy');
    expect(proxy).toContain('tcp dport 80 counter name "steer_http" redirect to :3128');
    expect(proxy).toContain('meta l4proto tcp counter name "steer_tcp" redirect to :4000');
  });

  it('uses an injected l4Apps knowledge for applications and categories', () => {
    const knowledge = {
      l4Apps: (proto: string, port: number) => (proto === 'udp' && port === 5060 ? ['sip'] : []),
      appCategory: (app: string) => (app === 'sip' ? 'voip' : undefined),
    };
    const p = policyOf([{ id: 'x', name: 'x', action: 'block', content: { type: 'selected', applicationCategories: ['voip'] } }]);
    const r = compileRuleset(p, { ...OPTS, knowledge });
    expect(chainOf(r.text, 'policy_rules')).toContain('udp dport 5060 counter name "rule_0" drop');
  });

  it('intersects services with L4 applications and drops impossible combinations', () => {
    expect(intersect({ protos: ['tcp'], ports: [[1, 100]] }, { protos: ['udp'], ports: [[67, 68]] })).toBeNull();
    expect(intersect({ protos: null, ports: [[60, 70]] }, { protos: ['udp'], ports: [[67, 68]] })).toEqual({ protos: ['udp'], ports: [[67, 68]] });
    expect(intersect({ protos: ['icmp'], ports: null }, { protos: null, ports: [[53, 53]] })).toBeNull();
    expect(mergePorts([[5, 6], [1, 4], [10, 10]])).toEqual([[1, 6], [10, 10]]);
  });

  it('steers what an inspecting profile allows and accepts what is allowed without one', () => {
    const p = policyOf([
      { id: 'a', name: 'plain', action: 'allow', source: { type: 'selected', addresses: ['x'] } },
      { id: 'b', name: 'inspected', action: 'allow', profileId: 'p' },
    ], { objects: { addresses: [{ id: 'x', name: 'x', type: 'ipv4', addresses: '10.99.1.9' }] }, profiles: [{ id: 'p', name: 'p' }] });
    const steer = chainOf(compileRuleset(p, OPTS).text, 'steer_rules');
    expect(steer).toContain('ip saddr 10.99.1.9 return');
    expect(steer).toContain('goto steer_proxy');
  });

  it('leaves out rules of other gateway groups', () => {
    const p = policyOf([{ id: 'a', name: 'a', action: 'block', gatewayGroups: ['tokyo'] }], { gatewayGroups: [{ id: 'tokyo', name: 'Tokyo' }] });
    expect(compileRuleset(p, { ...OPTS, gatewayGroups: ['osaka'] }).text).not.toContain('rule_0');
    expect(compileRuleset(p, { ...OPTS, gatewayGroups: ['tokyo'] }).text).toContain('counter name "rule_0" drop');
  });

  it('compiles IP entries of the allow and block lists ahead of the rules', () => {
    const p = policyOf([BLOCK_ALL], { allowList: [{ value: '10.99.5.5' }], blockList: [{ value: '10.99.6.0/24' }, { value: 'bad.example.com' }] });
    const r = compileRuleset(p, { ...OPTS, proxyPorts: { http: 3128 } });
    const rules = chainOf(r.text, 'policy_rules').split('\n').slice(1).map((l) => l.trim());
    expect(rules.slice(0, 2)).toEqual(['ip daddr @allowlist_4 counter name "list_allowlist" accept', 'ip daddr @blocklist_4 counter name "list_blocklist" drop']);
    expect(chainOf(r.text, 'steer_rules')).toContain('tcp dport { 80, 443 } jump steer_proxy');
  });
});

describe('DoS protection', () => {
  it('is a profile switch: flows a rule allows go through the DoS chain of that rule\'s profile', () => {
    const p = policyOf([
      { id: 'a', name: 'a', action: 'allow', source: { type: 'selected', addresses: ['one'] }, profileId: 'p1' },
      { id: 'b', name: 'b', action: 'allow', source: { type: 'selected', addresses: ['two'] }, profileId: 'p2' },
      { id: 'c', name: 'c', action: 'allow', source: { type: 'selected', addresses: ['three'] }, profileId: 'off' },
      { id: 'd', name: 'd', action: 'block', profileId: 'p1', service: { type: 'selected', services: ['s'] } },
    ], {
      objects: {
        addresses: [
          { id: 'one', name: 'one', type: 'ipv4', addresses: '10.99.1.2' },
          { id: 'two', name: 'two', type: 'ipv4', addresses: '10.99.1.3' },
          { id: 'three', name: 'three', type: 'ipv4', addresses: '10.99.1.4' },
        ],
        services: [{ id: 's', name: 's', entries: [{ protocol: 'tcp', ports: '9' }] }],
      },
      profiles: [
        { id: 'off', name: 'no DoS' },
        { id: 'p1', name: 'strict', dos: { enabled: true, synPerSecond: 500 } },
        { id: 'p2', name: 'lenient', dos: { enabled: true, synPerSecond: 100, newConnectionsPerSourcePerSecond: 50, portScanDetection: false } },
      ],
    });
    const r = compileRuleset(p, { ...OPTS, gatewayServicePorts: [53] });
    expect(r.dosEnabled).toBe(true);
    const rules = chainOf(r.text, 'policy_rules');
    expect(rules).toContain('ip saddr 10.99.1.2 counter name "rule_0" goto dos_p0');
    expect(rules).toContain('ip saddr 10.99.1.3 counter name "rule_1" goto dos_p1');
    expect(rules).toContain('ip saddr 10.99.1.4 counter name "rule_2" accept');
    expect(rules).toContain('tcp dport 9 counter name "rule_3" drop');
    // the first profile has DoS off: the default allow accepts
    expect(rules).toContain('counter name "default_allow" accept');
    expect(r.text).toContain('limit lim_syn_p0 { rate over 500/second burst 500 packets }');
    expect(r.text).toContain('limit lim_syn_p1 { rate over 100/second burst 100 packets }');
    const p0 = chainOf(r.text, 'dos_p0');
    expect(p0).toContain('ct count over 1000');
    expect(p0).toContain('limit name "lim_syn_p0"');
    expect(p0.trim().split('\n').slice(-2).map((l) => l.trim())).toEqual(['ct mark set 0x6d6d0000', 'accept']);
    expect(chainOf(r.text, 'dos_p1')).toContain('ct mark set 0x6d6d0001');
    // later packets of a marked connection meet its profile's flood limits
    expect(chainOf(r.text, 'dos_prerouting')).toContain('ct mark 0x6d6d0001 ct state established meta nfproto ipv4 icmp type echo-request limit name "lim_icmp_p1"');
    // port scan detection is on in p1 only
    expect(r.dosEventSets.filter((s) => s.threatType === 'portScan').map((s) => s.set)).toEqual(['ev_port_scan_p0_4', 'ev_port_scan_p0_6']);
    expect(r.dosEventSets.find((s) => s.set === 'ev_syn_flood_p1_4')?.limit).toBe('100 SYN/s; profile lenient');
    // steered flows and the gateway's services: the profile with the lowest new-connection limit
    expect(chainOf(r.text, 'filter_input')).toContain('ct status dnat goto dos_p1');
    expect(chainOf(r.text, 'filter_input')).toContain('th dport { 53 } goto dos_p1');
  });

  it('protects the default allow under the policy\'s first profile, and can be one gateway-wide setting', () => {
    const p = policyOf([], { profiles: [{ id: 'first', name: 'first', dos: { enabled: true, icmpPerSecond: 7 } }] });
    const r = compileRuleset(p, OPTS);
    expect(chainOf(r.text, 'policy_rules')).toContain('counter name "default_allow" goto dos_p0');
    expect(r.text).toContain('limit lim_icmp_p0 { rate over 7/second burst 7 packets }');
    const g = compileRuleset(policyOf([]), { ...OPTS, dos: { enabled: true, synPerSecond: 9, newConnectionsPerSourcePerSecond: 5, concurrentConnectionsPerSource: 10, icmpPerSecond: 5, udpPerSourcePerSecond: 5, portScanDetection: false } });
    expect(g.dosEnabled).toBe(true);
    expect(chainOf(g.text, 'dos_prerouting')).toContain('limit name "lim_syn"');
    expect(g.text).not.toContain('chain dos_p0');
  });

  it('is off by default and with an explicit null', () => {
    const p = policyOf([{ id: 'a', name: 'a', action: 'allow', profileId: 'p' }], { profiles: [{ id: 'p', name: 'p' }] });
    expect(compileRuleset(p, OPTS).dosEnabled).toBe(false);
    expect(compileRuleset(p, { ...OPTS, dos: null }).text).not.toContain('dos_prerouting');
  });
});

describe('rule log', () => {
  it('puts what a logging rule decides into the rule log set of its family, keyed with the rule index', () => {
    const p = policyWithLog([
      { id: 'a', name: 'a', action: 'block', destination: { type: 'addresses', addresses: ['net'] } },
      { id: 'b', name: 'b', action: 'block', log: false, service: { type: 'selected', services: ['s'] } },
      { id: 'c', name: 'c', action: 'allow' },
    ], {
      objects: { addresses: [{ id: 'net', name: 'net', type: 'ipv4', addresses: '10.99.200.0/24' }], services: [{ id: 's', name: 's', entries: [{ protocol: 'tcp', ports: '9' }] }] },
    });
    const r = compileRuleset(p, OPTS);
    expect(r.ruleLogSets).toEqual([
      { index: 0, ruleId: 'a', ruleName: 'a', action: 'block' },
      { index: 2, ruleId: 'c', ruleName: 'c', action: 'allow' },
    ]);
    const rules = chainOf(r.text, 'policy_rules').split('\n').slice(1).map((l) => l.trim());
    expect(rules).toEqual([
      'ip daddr 10.99.200.0/24 counter name "rule_0" meta mark set 0 update @rulelog_4 { ip saddr . ip daddr . meta l4proto . meta mark } drop',
      'tcp dport 9 counter name "rule_1" drop',
      'meta nfproto ipv4 counter name "rule_2" meta mark set 2 update @rulelog_4 { ip saddr . ip daddr . meta l4proto . meta mark } accept',
      'meta nfproto ipv6 counter name "rule_2" meta mark set 2 update @rulelog_6 { ip6 saddr . ip6 daddr . meta l4proto . meta mark } accept',
      'counter name "default_allow" accept',
    ]);
    expect(setOf(r.text, 'rulelog_6')).toContain('type ipv6_addr . ipv6_addr . inet_proto . mark');
    expect(compileRuleset(policyOf([{ id: 'q', name: 'q', action: 'allow' }]), OPTS).text).not.toContain('rulelog');
  });
});

describe('options', () => {
  it('rejects bad interface names and ports with a clear error', () => {
    const p = policyOf([]);
    expect(() => compileRuleset(p, { lan: 'lan0; drop', wan: 'wan0' })).toThrow(FirewallCompileError);
    expect(() => compileRuleset(p, { lan: 'x', wan: 'x' })).toThrow(/both LAN and WAN/);
    expect(() => compileRuleset(p, { ...OPTS, proxyPorts: { http: 70000 } })).toThrow(/invalid http proxy port/);
    expect(() => compileRuleset(p, { lan: [], wan: 'wan0' })).toThrow(/at least one LAN/);
  });

  it('masquerades on the WAN and accepts the gateway services from the LAN', () => {
    const r = compileRuleset(policyOf([BLOCK_ALL]), { lan: ['lan0', 'lan1'], wan: 'wan0', gatewayServicePorts: [53, 3128] });
    expect(chainOf(r.text, 'nat_postrouting')).toContain('oifname "wan0" masquerade');
    expect(chainOf(r.text, 'filter_input')).toContain('iifname { "lan0", "lan1" } meta l4proto { tcp, udp } th dport { 53, 3128 } accept');
  });
});
