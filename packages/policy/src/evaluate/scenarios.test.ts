/**
 * The manual's scenarios as table tests: input flow + policy → expected decision and reason.
 */
import { describe, expect, it } from 'vitest';
import { defaultPolicyInput, DEFAULT_IDS } from '../defaults.js';
import { Policy, type PolicyInput } from '../policy.js';
import type { PolicyRuleInput } from '../rule.js';
import { compilePolicy } from './compile.js';
import { evaluate } from './evaluate.js';
import type { Decision, FlowFacts, Knowledge } from './types.js';

type Edit = (p: PolicyInput) => void;

function policy(...edits: Edit[]): Policy {
  const p = defaultPolicyInput(50);
  for (const e of edits) e(p);
  return Policy.parse(p);
}
const rules = (p: PolicyInput) => p.rules as PolicyRuleInput[];
const rule = (p: PolicyInput, id: string) => rules(p).find((r) => r.id === id)!;
const firewallOn: Edit = (p) => {
  rule(p, DEFAULT_IDS.firewall).enabled = true;
};
const individualAllow =
  (addresses: string): Edit =>
  (p) => {
    p.objects!.addresses![0] = { ...p.objects!.addresses![0]!, type: 'ipv4', addresses };
    rule(p, DEFAULT_IDS.firewallAllow).enabled = true;
  };
/** 「アプリケーションコントロール DHCP許可」 placed below the URL filter, above the firewall rules */
const dhcpAllowRule: Edit = (p) => {
  const r: PolicyRuleInput = {
    id: 'dhcp-allow',
    name: 'アプリケーションコントロール DHCP許可',
    content: { type: 'selected', applications: ['dhcp'] },
    action: 'allow',
    profileId: DEFAULT_IDS.profile,
  };
  rules(p).splice(2, 0, r);
};

const knowledge: Knowledge = {
  appCategory: (a) => ({ bittorrent: 'p2p', tor: 'anonymizer', line: 'messaging', dhcp: 'network-protocols' })[a],
  urlCategories: (h) => (h.includes('phish.example') ? ['phishing'] : h.includes('bank.example') ? ['finance'] : []),
  country: (ip) => (ip.startsWith('203.0.113.') ? 'KP' : 'JP'),
};

const LAN = '192.168.10.20';
const dhcpDiscover: FlowFacts = { srcIp: '0.0.0.0', srcMac: '02:00:00:00:00:01', dstIp: '255.255.255.255', dstPort: 67, protocol: 'udp' };

interface Case {
  name: string;
  edits: Edit[];
  flow: FlowFacts;
  expect: { decision: Decision['decision']; kind?: string; id?: string; entry?: string; needs?: string[] };
}

const cases: Case[] = [
  // §6-3 <参考> ファイアウォール有効時のDHCP許可
  { name: 'DHCP with the firewall off: default allow', edits: [], flow: dhcpDiscover, expect: { decision: 'allow', kind: 'default' } },
  { name: 'DHCP with the firewall on: blocked by the block-all rule', edits: [firewallOn], flow: dhcpDiscover, expect: { decision: 'block', kind: 'rule', id: DEFAULT_IDS.firewall } },
  {
    name: 'DHCP with the firewall on and individual allow of the LAN: 0.0.0.0 is still blocked',
    edits: [firewallOn, individualAllow('192.168.10.0/24')],
    flow: dhcpDiscover,
    expect: { decision: 'block', kind: 'rule', id: DEFAULT_IDS.firewall },
  },
  { name: 'DHCP with the firewall on and a DHCP allow rule above it', edits: [firewallOn, dhcpAllowRule], flow: dhcpDiscover, expect: { decision: 'allow', kind: 'rule', id: 'dhcp-allow' } },
  {
    name: 'DHCP allow rule below the firewall rule does not help',
    edits: [firewallOn, (p) => { dhcpAllowRule(p); rules(p).push(rules(p).splice(2, 1)[0]!); }],
    flow: dhcpDiscover,
    expect: { decision: 'block', kind: 'rule', id: DEFAULT_IDS.firewall },
  },
  // §6-3 individual allow by an address list
  {
    name: 'individual allow: a listed single address passes the firewall',
    edits: [firewallOn, individualAllow('192.168.0.1, 10.0.0.1-10.0.0.4, 10.0.0.8/24')],
    flow: { srcIp: '10.0.0.3', dstIp: '198.51.100.7', dstPort: 22, protocol: 'tcp', stage: 'l7' },
    expect: { decision: 'allow', kind: 'rule', id: DEFAULT_IDS.firewallAllow },
  },
  {
    name: 'individual allow: the CIDR written with host bits covers the whole /24',
    edits: [firewallOn, individualAllow('192.168.0.1, 10.0.0.1-10.0.0.4, 10.0.0.8/24')],
    flow: { srcIp: '10.0.0.200', dstIp: '198.51.100.7', dstPort: 22, protocol: 'tcp', stage: 'l7' },
    expect: { decision: 'allow', kind: 'rule', id: DEFAULT_IDS.firewallAllow },
  },
  {
    name: 'individual allow: an address outside the list is blocked',
    edits: [firewallOn, individualAllow('192.168.0.1, 10.0.0.1-10.0.0.4, 10.0.0.8/24')],
    flow: { srcIp: '10.0.1.1', dstIp: '198.51.100.7', dstPort: 22, protocol: 'tcp', stage: 'l7' },
    expect: { decision: 'block', kind: 'rule', id: DEFAULT_IDS.firewall },
  },
  // §6-1 application control
  { name: 'p2p application is blocked by the default application control', edits: [], flow: { srcIp: LAN, dstIp: '198.51.100.9', dstPort: 6881, protocol: 'tcp', app: 'bittorrent' }, expect: { decision: 'block', kind: 'rule', id: DEFAULT_IDS.appControl } },
  { name: 'anonymizer (Tor) is blocked', edits: [], flow: { srcIp: LAN, dstIp: '198.51.100.9', dstPort: 9001, protocol: 'tcp', app: 'tor' }, expect: { decision: 'block', kind: 'rule', id: DEFAULT_IDS.appControl } },
  { name: 'a messaging app is allowed by default', edits: [], flow: { srcIp: LAN, dstIp: '198.51.100.9', dstPort: 443, protocol: 'tcp', app: 'line' }, expect: { decision: 'allow', kind: 'default' } },
  {
    name: 'an application function rule (line:call) blocks the call but not the chat',
    edits: [(p) => rules(p).unshift({ id: 'no-line-call', name: 'LINE通話禁止', content: { type: 'selected', applicationFunctions: ['line:call'] }, action: 'block' })],
    flow: { srcIp: LAN, dstIp: '198.51.100.9', dstPort: 443, protocol: 'tcp', app: 'line', appFunction: 'call' },
    expect: { decision: 'block', kind: 'rule', id: 'no-line-call' },
  },
  {
    name: 'an application function rule does not match another function',
    edits: [(p) => rules(p).unshift({ id: 'no-line-call', name: 'LINE通話禁止', content: { type: 'selected', applicationFunctions: ['line:call'] }, action: 'block' })],
    flow: { srcIp: LAN, dstIp: '198.51.100.9', dstPort: 443, protocol: 'tcp', app: 'line', appFunction: 'line:chat' },
    expect: { decision: 'allow', kind: 'default' },
  },
  // §6-2 URL filtering
  { name: 'phishing URL is blocked by the default URL filtering', edits: [], flow: { srcIp: LAN, dstPort: 443, protocol: 'tcp', url: 'https://login.phish.example/x' }, expect: { decision: 'block', kind: 'rule', id: DEFAULT_IDS.urlFiltering } },
  { name: 'categories given by the caller are used', edits: [], flow: { srcIp: LAN, dstPort: 80, protocol: 'tcp', url: 'http://a.example/', urlCategories: ['cryptomining'] }, expect: { decision: 'block', kind: 'rule', id: DEFAULT_IDS.urlFiltering } },
  { name: 'a finance site is allowed', edits: [], flow: { srcIp: LAN, dstPort: 443, protocol: 'tcp', url: 'https://www.bank.example/' }, expect: { decision: 'allow', kind: 'default' } },
  { name: 'a connection start needs the application and the URL', edits: [], flow: { srcIp: LAN, dstIp: '198.51.100.9', dstPort: 443, protocol: 'tcp' }, expect: { decision: 'undecided', needs: ['application', 'url'] } },
  // §6-4 allow & block lists
  { name: 'allow list wildcard matches a subdomain', edits: [], flow: { srcIp: LAN, dstPort: 443, protocol: 'tcp', url: 'https://swcdn.apple.com/content/x.pkg', urlCategories: ['malware'] }, expect: { decision: 'allow', kind: 'allowList', entry: '*.apple.com' } },
  { name: 'allow list wildcard matches the apex', edits: [], flow: { srcIp: LAN, dstPort: 443, protocol: 'tcp', dstHost: 'apple.com' }, expect: { decision: 'allow', kind: 'allowList', entry: '*.apple.com' } },
  { name: 'allow list exact host does not match a subdomain', edits: [firewallOn], flow: { srcIp: LAN, dstPort: 443, protocol: 'tcp', dstHost: 'x.download.microsoft.com', stage: 'l7' }, expect: { decision: 'block', kind: 'rule', id: DEFAULT_IDS.firewall } },
  { name: 'allow list beats the firewall rule', edits: [firewallOn], flow: { srcIp: LAN, dstPort: 443, protocol: 'tcp', dstHost: 'download.microsoft.com' }, expect: { decision: 'allow', kind: 'allowList', entry: 'download.microsoft.com' } },
  {
    name: 'block list IP entry blocks by dstIp at L7',
    edits: [(p) => { p.blockList = [{ value: '198.51.100.0/24' }]; }],
    flow: { srcIp: LAN, dstIp: '198.51.100.9', dstPort: 443, protocol: 'tcp', app: 'ssl' },
    expect: { decision: 'block', kind: 'blockList', entry: '198.51.100.0/24' },
  },
  {
    name: 'block list IP entry at L4 waits: the host could still be on the allow list',
    edits: [(p) => { p.blockList = [{ value: '198.51.100.0/24' }]; }],
    flow: { srcIp: LAN, dstIp: '198.51.100.9', dstPort: 443, protocol: 'tcp' },
    expect: { decision: 'undecided', needs: ['url'] },
  },
  {
    name: 'block list IP entry at L4 is final when the allow list holds no host entries',
    edits: [(p) => { p.allowList = [{ value: '203.0.113.5' }]; p.blockList = [{ value: '198.51.100.0/24' }]; }],
    flow: { srcIp: LAN, dstIp: '198.51.100.9', dstPort: 443, protocol: 'tcp' },
    expect: { decision: 'block', kind: 'blockList', entry: '198.51.100.0/24' },
  },
  {
    name: 'block list URL entry matches a path prefix',
    edits: [(p) => { p.blockList = [{ value: 'files.example.net/private' }]; }],
    flow: { srcIp: LAN, dstPort: 443, protocol: 'tcp', url: 'https://files.example.net/private/a.zip' },
    expect: { decision: 'block', kind: 'blockList', entry: 'files.example.net/private' },
  },
  {
    name: 'block list URL entry does not match another path',
    edits: [(p) => { p.blockList = [{ value: 'files.example.net/private' }]; }],
    flow: { srcIp: LAN, dstPort: 443, protocol: 'tcp', url: 'https://files.example.net/public/a.zip' },
    expect: { decision: 'allow', kind: 'default' },
  },
  {
    name: 'block list URL entry with only the host known needs the URL',
    edits: [(p) => { p.blockList = [{ value: 'files.example.net/private' }]; }],
    flow: { srcIp: LAN, dstHost: 'files.example.net', dstPort: 443, protocol: 'udp', stage: 'l4' },
    expect: { decision: 'undecided', needs: ['application', 'url'] },
  },
  // destinations
  {
    name: 'geo destination via knowledge.country',
    edits: [(p) => rules(p).unshift({ id: 'geo', name: 'geo block', destination: { type: 'geo', countries: ['KP'] }, action: 'block' })],
    flow: { srcIp: LAN, dstIp: '203.0.113.7', dstPort: 443, protocol: 'tcp', stage: 'l7' },
    expect: { decision: 'block', kind: 'rule', id: 'geo' },
  },
  {
    name: 'geo destination via facts.dstCountry',
    edits: [(p) => rules(p).unshift({ id: 'geo', name: 'geo block', destination: { type: 'geo', countries: ['CN'] }, action: 'block' })],
    flow: { srcIp: LAN, dstIp: '198.51.100.1', dstCountry: 'cn', dstPort: 443, protocol: 'tcp', stage: 'l7' },
    expect: { decision: 'block', kind: 'rule', id: 'geo' },
  },
  {
    name: 'FQDN destination object with wildcard',
    edits: [
      (p) => {
        p.objects!.addresses!.push({ id: 'sns', name: 'SNS', type: 'fqdn', fqdn: '*.social.example' });
        rules(p).unshift({ id: 'fq', name: 'fqdn block', destination: { type: 'addresses', addresses: ['sns'] }, action: 'block' });
      },
    ],
    flow: { srcIp: LAN, dstPort: 443, protocol: 'tcp', dstHost: 'www.social.example', app: 'ssl' },
    expect: { decision: 'block', kind: 'rule', id: 'fq' },
  },
  {
    name: 'a rule on L3/L4 facts still waits at connection start while allow-list hosts could match',
    edits: [(p) => rules(p).unshift({ id: 'geo', name: 'geo block', destination: { type: 'geo', countries: ['KP'] }, action: 'block' })],
    flow: { srcIp: LAN, dstIp: '203.0.113.7', dstPort: 443, protocol: 'tcp' },
    expect: { decision: 'undecided', needs: ['url'] },
  },
  {
    name: 'a rule on L3/L4 facts is final at connection start when the lists cannot match',
    edits: [(p) => { p.allowList = []; rules(p).unshift({ id: 'geo', name: 'geo block', destination: { type: 'geo', countries: ['KP'] }, action: 'block' }); }],
    flow: { srcIp: LAN, dstIp: '203.0.113.7', dstPort: 443, protocol: 'tcp' },
    expect: { decision: 'block', kind: 'rule', id: 'geo' },
  },
  // services, users, gateway groups
  {
    name: 'service port range',
    edits: [
      (p) => {
        p.objects!.services = [{ id: 'web-alt', name: 'Web alt', entries: [{ protocol: 'tcp', ports: '8000-8080, 8443' }] }];
        rules(p).unshift({ id: 'svc', name: 'svc block', service: { type: 'selected', services: ['web-alt'] }, action: 'block' });
      },
    ],
    flow: { srcIp: LAN, dstIp: '198.51.100.1', dstPort: 8080, protocol: 'tcp', stage: 'l7' },
    expect: { decision: 'block', kind: 'rule', id: 'svc' },
  },
  {
    name: 'user bound to a MAC address matches a group rule',
    edits: [
      (p) => {
        p.objects!.users = [{ id: 'tanaka', name: '田中', macs: ['AA-BB-CC-00-11-22'] }];
        p.objects!.userGroups = [{ id: 'sales', name: '営業', members: ['tanaka'] }];
        rules(p).unshift({ id: 'sales-block', name: 'sales', source: { type: 'selected', groups: ['sales'] }, action: 'block' });
      },
    ],
    flow: { srcIp: LAN, srcMac: 'aa:bb:cc:00:11:22', dstIp: '198.51.100.1', dstPort: 443, protocol: 'tcp', stage: 'l7' },
    expect: { decision: 'block', kind: 'rule', id: 'sales-block' },
  },
  {
    name: 'a rule for another gateway group does not apply',
    edits: [
      (p) => {
        p.gatewayGroups = [{ id: 'tokyo', name: '東京' }, { id: 'osaka', name: '大阪' }];
        rules(p).unshift({ id: 'osaka-only', name: 'osaka', gatewayGroups: ['osaka'], action: 'block' });
      },
    ],
    flow: { srcIp: LAN, dstIp: '198.51.100.1', dstPort: 22, protocol: 'tcp', gatewayGroup: 'tokyo', stage: 'l7' },
    expect: { decision: 'allow', kind: 'default' },
  },
  {
    name: 'a rule for the flow\'s gateway group applies',
    edits: [
      (p) => {
        p.gatewayGroups = [{ id: 'tokyo', name: '東京' }, { id: 'osaka', name: '大阪' }];
        rules(p).unshift({ id: 'osaka-only', name: 'osaka', gatewayGroups: ['osaka'], action: 'block' });
      },
    ],
    flow: { srcIp: LAN, dstIp: '198.51.100.1', dstPort: 22, protocol: 'tcp', gatewayGroup: 'osaka', stage: 'l7' },
    expect: { decision: 'block', kind: 'rule', id: 'osaka-only' },
  },
];

describe('manual scenarios', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = evaluate(compilePolicy(policy(...c.edits), knowledge), c.flow);
      expect(d.decision).toBe(c.expect.decision);
      if (d.decision === 'undecided') expect(d.needs).toEqual(c.expect.needs);
      else {
        expect(d.reason.kind).toBe(c.expect.kind);
        if (c.expect.id !== undefined) expect(d.reason.id).toBe(c.expect.id);
        if (c.expect.entry !== undefined) expect(d.reason.entry).toBe(c.expect.entry);
      }
    });
  }

  it('a rule decision names the rule and carries its profile when it allows', () => {
    const d = evaluate(compilePolicy(policy(firewallOn, dhcpAllowRule), knowledge), dhcpDiscover);
    expect(d).toMatchObject({ decision: 'allow', reason: { kind: 'rule', id: 'dhcp-allow', name: 'アプリケーションコントロール DHCP許可' }, log: true });
    expect(d.decision !== 'undecided' && d.profile?.name).toBe('[50-1] 初期設定のプロファイル');
  });

  it('compile-time gateway groups select rules when the flow has none', () => {
    const p = policy((q) => {
      q.gatewayGroups = [{ id: 'osaka', name: '大阪' }];
      rules(q).unshift({ id: 'osaka-only', name: 'osaka', gatewayGroups: ['osaka'], action: 'block' });
    });
    const flow: FlowFacts = { srcIp: LAN, dstIp: '198.51.100.1', dstPort: 22, protocol: 'tcp', stage: 'l7' };
    expect(evaluate(compilePolicy(p, knowledge, { gatewayGroups: ['osaka'] }), flow).decision).toBe('block');
    expect(evaluate(compilePolicy(p, knowledge, { gatewayGroups: ['tokyo'] }), flow).decision).toBe('allow');
    expect(evaluate(compilePolicy(p, knowledge), flow).decision).toBe('allow');
  });
});
