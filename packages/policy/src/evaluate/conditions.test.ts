/**
 * One rule at a time: each condition kind, definite and staged.
 */
import { describe, expect, it } from 'vitest';
import { Policy, type PolicyInput } from '../policy.js';
import type { PolicyRuleInput } from '../rule.js';
import { validate } from '../policy.js';
import { compilePolicy } from './compile.js';
import { evaluate } from './evaluate.js';
import { FlowFacts, type Knowledge } from './types.js';

const objects: PolicyInput['objects'] = {
  addresses: [
    { id: 'v4', name: 'v4', type: 'ipv4', addresses: '10.0.0.0/24' },
    { id: 'v6', name: 'v6', type: 'ipv6', addresses: '2001:db8::/48' },
    { id: 'fq', name: 'fq', type: 'fqdn', fqdn: 'pc01.office.example' },
  ],
  macs: [{ id: 'printer', name: 'printer', macs: ['02:00:00:00:00:99'] }],
  services: [
    { id: 'ping', name: 'ping', entries: [{ protocol: 'icmp' }] },
    { id: 'any-53', name: 'any 53', entries: [{ protocol: 'any', ports: '53' }] },
  ],
  users: [{ id: 'sato', name: '佐藤', addresses: '10.9.9.9' }],
  userGroups: [{ id: 'staff', name: 'staff', members: ['sato'] }],
  customCategories: [{ id: 'partners', name: 'partners', entries: ['*.partner.example', 'files.example/share', '203.0.113.0/28'] }],
};

function one(rule: Omit<PolicyRuleInput, 'id' | 'name' | 'action'>, knowledge: Knowledge = {}) {
  const c = compilePolicy(Policy.parse({ schemaVersion: 1, model: 10, objects, rules: [{ id: 'r', name: 'r', action: 'block', ...rule }] }), knowledge);
  return (f: Partial<FlowFacts>) => {
    const d = evaluate(c, { srcIp: '192.168.1.2', dstPort: 443, protocol: 'tcp', ...f });
    return d.decision === 'undecided' ? `undecided:${d.needs.join('+')}` : d.reason.kind === 'rule' ? 'rule' : d.reason.kind;
  };
}

describe('source', () => {
  it('users by id, by bound address, through groups; MAC objects; FQDN objects never match a source', () => {
    const byGroup = one({ source: { type: 'selected', groups: ['staff'] } });
    expect(byGroup({ user: 'sato' })).toBe('rule');
    expect(byGroup({ srcIp: '10.9.9.9' })).toBe('rule');
    expect(byGroup({ user: 'suzuki' })).toBe('default');
    const byMac = one({ source: { type: 'selected', macs: ['printer'] } });
    expect(byMac({ srcMac: '02-00-00-00-00-99' })).toBe('rule');
    expect(byMac({})).toBe('default');
    const byAddr = one({ source: { type: 'selected', addresses: ['v4', 'v6', 'fq'] } });
    expect(byAddr({ srcIp: '10.0.0.77' })).toBe('rule');
    expect(byAddr({ srcIp: '2001:db8:0:ffff::1' })).toBe('rule');
    expect(byAddr({ srcIp: '2001:db8:1::1' })).toBe('default');
    // a dual-stack socket's view of an IPv4 peer
    expect(byAddr({ srcIp: '::ffff:10.0.0.1' })).toBe('rule');
  });
});

describe('destination', () => {
  it('addresses and FQDN objects; an FQDN waits for the host at connection start', () => {
    const d = one({ destination: { type: 'addresses', addresses: ['v4', 'fq'] } });
    expect(d({ dstIp: '10.0.0.1' })).toBe('rule');
    expect(d({ dstIp: '10.0.1.1' })).toBe('undecided:url');
    expect(d({ dstIp: '10.0.1.1', dstHost: 'PC01.office.example.' })).toBe('rule');
    expect(d({ dstIp: '10.0.1.1', dstHost: 'pc02.office.example' })).toBe('default');
    expect(d({ dstIp: '10.0.1.1', stage: 'l7' })).toBe('default');
  });
  it('geolocation via facts or knowledge; no address, no country', () => {
    const g = one({ destination: { type: 'geo', countries: ['RU'] } }, { country: (ip) => (ip === '198.51.100.1' ? 'RU' : undefined) });
    expect(g({ dstIp: '198.51.100.1' })).toBe('rule');
    expect(g({ dstIp: '198.51.100.2' })).toBe('default');
    expect(g({ dstIp: '198.51.100.2', dstCountry: 'ru' })).toBe('rule');
    expect(g({})).toBe('default');
  });
});

describe('service', () => {
  it('ICMP without ports, "any" protocol with a port', () => {
    const ping = one({ service: { type: 'selected', services: ['ping'] } });
    expect(ping({ protocol: 'icmp', dstPort: 0 })).toBe('rule');
    expect(ping({ protocol: 'icmpv6', dstPort: 0 })).toBe('default');
    const dns = one({ service: { type: 'selected', services: ['any-53'] } });
    expect(dns({ protocol: 'udp', dstPort: 53 })).toBe('rule');
    expect(dns({ protocol: 'tcp', dstPort: 53 })).toBe('rule');
    expect(dns({ protocol: 'tcp', dstPort: 54 })).toBe('default');
  });
});

describe('content', () => {
  const knowledge: Knowledge = {
    appCategory: (a) => (a === 'winny' ? 'p2p' : undefined),
    urlCategories: (s) => (s.includes('casino') ? ['gambling'] : []),
    l4Apps: (proto, port) => (proto === 'udp' && port === 4500 ? ['ipsec'] : []),
  };
  it('application categories through knowledge; unknown apps wait for the application', () => {
    const c = one({ content: { type: 'selected', applicationCategories: ['p2p'] } }, knowledge);
    expect(c({ app: 'winny' })).toBe('rule');
    expect(c({ app: 'line' })).toBe('default');
    expect(c({})).toBe('undecided:application');
  });
  it('DHCP/DNS/NTP are decided at L3/L4; other port guesses (knowledge.l4Apps) name the app only once final', () => {
    const c = one({ content: { type: 'selected', applications: ['ipsec', 'dhcp'] } }, knowledge);
    expect(c({ protocol: 'udp', dstPort: 4500 })).toBe('undecided:application');
    expect(c({ protocol: 'udp', dstPort: 4500, stage: 'l7' })).toBe('rule');
    expect(c({ protocol: 'udp', dstPort: 4500, app: 'ike' })).toBe('default');
    expect(c({ protocol: 'udp', dstPort: 67 })).toBe('rule');
    const guess = one({ content: { type: 'selected', applications: ['https'] } }, { l4Apps: (p, n) => (p === 'tcp' && n === 443 ? ['https'] : []) });
    expect(guess({ dstPort: 443 })).toBe('undecided:application');
    expect(guess({ dstPort: 443, app: 'youtube' })).toBe('default');
    const builtin = one({ content: { type: 'selected', applications: ['ntp'] } });
    expect(builtin({ protocol: 'udp', dstPort: 123 })).toBe('rule');
    expect(builtin({ protocol: 'tcp', dstPort: 123 })).toBe('undecided:application');
  });
  it('application functions, written "app:function" or as a function of the app', () => {
    const c = one({ content: { type: 'selected', applicationFunctions: ['dropbox:upload'] } });
    expect(c({ app: 'dropbox', appFunction: 'upload' })).toBe('rule');
    expect(c({ app: 'dropbox', appFunction: 'dropbox:upload' })).toBe('rule');
    expect(c({ app: 'dropbox', appFunction: 'download' })).toBe('default');
    expect(c({ app: 'dropbox' })).toBe('default');
  });
  it('URL categories from the caller or from knowledge, by URL or by host', () => {
    const c = one({ content: { type: 'selected', urlCategories: ['gambling'] } }, knowledge);
    expect(c({ url: 'https://casino.example/' })).toBe('rule');
    expect(c({ dstHost: 'casino.example' })).toBe('undecided:url');
    expect(c({ dstHost: 'casino.example', stage: 'l7' })).toBe('rule');
    expect(c({ url: 'https://ok.example/', urlCategories: ['gambling'] })).toBe('rule');
    expect(c({ dstIp: '198.51.100.1', urlCategories: ['gambling'] })).toBe('rule');
    expect(c({ app: 'ssh' })).toBe('default');
  });
  it('custom categories: wildcard hosts, URL prefixes and IPs', () => {
    const c = one({ content: { type: 'selected', customCategories: ['partners'] } });
    expect(c({ dstHost: 'www.partner.example' })).toBe('rule');
    expect(c({ dstIp: '203.0.113.9' })).toBe('rule');
    expect(c({ url: 'https://files.example/share/q.pdf' })).toBe('rule');
    expect(c({ url: 'https://files.example/other' })).toBe('default');
    expect(c({ dstHost: 'files.example' })).toBe('undecided:url');
    expect(c({ dstHost: 'unrelated.example' })).toBe('default');
    expect(c({ dstIp: '198.51.100.1' })).toBe('undecided:url');
  });
  it('any content item that matches is enough', () => {
    const c = one({ content: { type: 'selected', applications: ['line'], urlCategories: ['gambling'] } }, knowledge);
    expect(c({ url: 'https://casino.example/' })).toBe('rule');
    expect(c({ app: 'line' })).toBe('rule');
    expect(c({ dstIp: '198.51.100.1' })).toBe('undecided:application+url');
  });
});

describe('flow facts schema', () => {
  it('accepts the CLI flow fields and refuses bad ones', () => {
    expect(validate(FlowFacts, { srcIp: '0.0.0.0', srcMac: 'aa:bb:cc:dd:ee:ff', user: 'u', dstIp: '255.255.255.255', dstHost: 'x.example', dstPort: 67, protocol: 'udp', url: 'http://x.example/', app: 'dhcp', gatewayGroup: 'g' }).ok).toBe(true);
    const r = validate(FlowFacts, { srcIp: '1.2.3', srcMac: 'zz', dstPort: 70000, protocol: 'sctp', url: '/relative', dstCountry: 'XX', port: 1 });
    expect(r.ok ? [] : r.problems.map((p) => `${p.path}:${p.code}`).sort()).toEqual([
      'dstCountry:policy.country.invalid',
      'dstPort:schema.too_big',
      'port:schema.unknown_key',
      'protocol:schema.invalid_value',
      'srcIp:policy.address.invalid',
      'srcMac:policy.mac.invalid',
      'url:policy.url.invalid',
    ]);
    const missing = validate(FlowFacts, {});
    expect(missing.ok ? [] : missing.problems.map((p) => `${p.path}:${p.code}`)).toEqual(['srcIp:schema.required', 'dstPort:schema.required', 'protocol:schema.required']);
  });
});
