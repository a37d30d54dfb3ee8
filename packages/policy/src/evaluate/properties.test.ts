/**
 * The evaluator's invariants, checked with fast-check over small random policies and flows
 * drawn from one little universe of addresses, hosts, apps and categories (so that matches are
 * frequent).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Policy, type PolicyInput } from '../policy.js';
import type { PolicyRuleInput } from '../rule.js';
import { builtinL4Apps } from './builtin.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import { evaluate } from './evaluate.js';
import type { Decision, FlowFacts, Knowledge } from './types.js';

const HOSTS = ['a.test', 'x.b.test', 'b.test', 'c.test', 'd.test'] as const;
const PATHS = ['/', '/x', '/p/q'] as const;
const IPS = ['10.0.0.1', '10.0.0.2', '10.0.0.4', '10.0.0.6', '203.0.113.1', '2001:db8::1'] as const;
const APPS = ['dhcp', 'dns', 'line', 'bittorrent', 'web'] as const;
const LIST_POOL = ['a.test', '*.b.test', 'c.test/p', '10.0.0.4', '10.0.0.0/30', '*.c.test', 'd.test/', '2001:db8::/64', 'x.b.test/x'] as const;

const PORT_TABLE: Record<string, string[]> = { 'tcp/443': ['https'], 'tcp/80': ['web'], 'udp/67': ['dhcp'], 'udp/53': ['dns'], 'tcp/53': ['dns'] };
const knowledge: Knowledge = {
  urlCategories: (s) => [...(s.includes('a.test') ? ['malware'] : []), ...(s.includes('/x') ? ['phishing'] : []), ...(s.includes('c.test') ? ['news'] : [])],
  appCategory: (a) => ({ bittorrent: 'p2p', line: 'messaging', web: 'browsing' })[a],
  country: (ip) => (ip.startsWith('203.') ? 'KP' : ip.includes(':') ? 'US' : 'JP'),
  // like the appid engine: a port table that also guesses for ports where L7 may know better
  l4Apps: (proto, port) => PORT_TABLE[`${proto}/${port}`] ?? [],
};

const objects: PolicyInput['objects'] = {
  addresses: [
    { id: 'lan-low', name: 'lan-low', type: 'ipv4', addresses: '10.0.0.0-10.0.0.3' },
    { id: 'lan-6', name: 'lan-6', type: 'ipv4', addresses: '10.0.0.6, 10.0.0.7' },
    { id: 'v6', name: 'v6', type: 'ipv6', addresses: '2001:db8::/32' },
    { id: 'fq-b', name: 'fq-b', type: 'fqdn', fqdn: '*.b.test' },
    { id: 'fq-d', name: 'fq-d', type: 'fqdn', fqdn: 'd.test' },
  ],
  macs: [{ id: 'm1', name: 'm1', macs: ['02:00:00:00:00:01'] }],
  services: [
    { id: 'web', name: 'web', entries: [{ protocol: 'tcp', ports: '80, 443' }] },
    { id: 'udp-lo', name: 'udp-lo', entries: [{ protocol: 'udp', ports: '1-100' }] },
  ],
  users: [{ id: 'u1', name: 'u1', addresses: '10.0.0.2' }, { id: 'u2', name: 'u2', macs: ['02:00:00:00:00:02'] }],
  userGroups: [{ id: 'g1', name: 'g1', members: ['u1', 'u2'] }],
  customCategories: [{ id: 'cc', name: 'cc', entries: ['c.test/p', '*.b.test', '10.0.0.6'] }],
};

const sub = <T>(xs: readonly T[]) => fc.subarray([...xs]);

const source = fc.oneof(
  fc.constant({ type: 'any' as const }),
  fc
    .record({ users: sub(['u1', 'u2']), groups: sub(['g1']), addresses: sub(['lan-low', 'lan-6', 'v6', 'fq-b']), macs: sub(['m1']) })
    .filter((s) => s.users.length + s.groups.length + s.addresses.length + s.macs.length > 0)
    .map((s) => ({ type: 'selected' as const, ...s })),
);
const destination = fc.oneof(
  fc.constant({ type: 'any' as const }),
  fc.subarray(['lan-low', 'lan-6', 'v6', 'fq-b', 'fq-d'], { minLength: 1 }).map((addresses) => ({ type: 'addresses' as const, addresses })),
  fc.subarray(['KP', 'JP'], { minLength: 1 }).map((countries) => ({ type: 'geo' as const, countries })),
);
const service = fc.oneof(
  fc.constant({ type: 'any' as const }),
  fc.subarray(['web', 'udp-lo'], { minLength: 1 }).map((services) => ({ type: 'selected' as const, services })),
);
const content = fc.oneof(
  fc.constant({ type: 'any' as const }),
  fc
    .record({
      applications: sub(['dhcp', 'line', 'web', 'https']),
      applicationFunctions: sub(['line:call', 'web:upload']),
      applicationCategories: sub(['p2p', 'network-protocols']),
      urlCategories: sub(['malware', 'phishing', 'news']),
      customCategories: sub(['cc']),
    })
    .filter((c) => Object.values(c).some((v) => v.length > 0))
    .map((c) => ({ type: 'selected' as const, ...c })),
);
const ruleBody = fc.record({
  enabled: fc.boolean(),
  gatewayGroups: sub(['gA', 'gB']),
  source,
  destination,
  service,
  content,
  action: fc.constantFrom('allow' as const, 'block' as const),
  log: fc.boolean(),
  profileId: fc.constantFrom('p1', 'p2', null),
});
type RuleBody = fc.Arbitrary<Omit<PolicyRuleInput, 'id' | 'name'>> extends never ? never : Omit<PolicyRuleInput, 'id' | 'name'>;

function makePolicy(bodies: RuleBody[], allowList: string[], blockList: string[]): Policy {
  return Policy.parse({
    schemaVersion: 1,
    model: 50,
    objects,
    gatewayGroups: [{ id: 'gA', name: 'A' }, { id: 'gB', name: 'B' }],
    profiles: [{ id: 'p1', name: 'profile 1' }, { id: 'p2', name: 'profile 2' }],
    rules: bodies.map((b, i) => ({ ...b, id: `r${i}`, name: `rule ${i}` })),
    allowList: allowList.map((value) => ({ value })),
    blockList: blockList.map((value) => ({ value })),
  } satisfies PolicyInput);
}

const policyArb = fc
  .record({ rules: fc.array(ruleBody, { maxLength: 7 }), allow: fc.subarray([...LIST_POOL], { maxLength: 3 }), block: fc.subarray([...LIST_POOL], { maxLength: 3 }) })
  .map((x) => ({ ...x, policy: makePolicy(x.rules, x.allow, x.block) }));

/** Full (L7) facts of a realistic flow; a port-defined flow (DHCP, DNS) gets no URL and at most its own app. */
const flowArb: fc.Arbitrary<FlowFacts> = fc
  .record({
    srcIp: fc.constantFrom(...IPS),
    srcMac: fc.option(fc.constantFrom('02:00:00:00:00:01', '02:00:00:00:00:02'), { nil: undefined }),
    user: fc.option(fc.constantFrom('u1', 'u2', 'nobody'), { nil: undefined }),
    dstIp: fc.option(fc.constantFrom(...IPS), { nil: undefined }),
    protocol: fc.constantFrom('tcp' as const, 'udp' as const),
    dstPort: fc.constantFrom(53, 67, 80, 443, 5000),
    dstHost: fc.option(fc.constantFrom(...HOSTS), { nil: undefined }),
    urlHost: fc.constantFrom(...HOSTS),
    path: fc.option(fc.constantFrom(...PATHS), { nil: undefined }),
    app: fc.option(fc.constantFrom(...APPS), { nil: undefined }),
    fn: fc.option(fc.constantFrom('call', 'upload', 'chat'), { nil: undefined }),
    gatewayGroup: fc.option(fc.constantFrom('gA', 'gB'), { nil: undefined }),
  })
  .map((r) => {
    const f: FlowFacts = { srcIp: r.srcIp, protocol: r.protocol, dstPort: r.dstPort };
    if (r.srcMac !== undefined) f.srcMac = r.srcMac;
    if (r.user !== undefined) f.user = r.user;
    if (r.dstIp !== undefined) f.dstIp = r.dstIp;
    if (r.dstHost !== undefined) f.dstHost = r.dstHost;
    if (r.gatewayGroup !== undefined) f.gatewayGroup = r.gatewayGroup;
    const l4 = builtinL4Apps(r.protocol, r.dstPort);
    if (l4.length > 0) {
      if (r.app !== undefined) f.app = l4[0]!;
      return f;
    }
    // the URL's host is the flow's host when both are known (see FlowView.host)
    if (r.path !== undefined) f.url = `https://${r.dstHost ?? r.urlHost}${r.path}`;
    if (r.app !== undefined) {
      f.app = r.app;
      if (r.fn !== undefined) f.appFunction = r.fn;
    }
    return f;
  });

const final = (f: FlowFacts): FlowFacts => ({ ...f, stage: 'l7' });
/** What is known at connection start: no URL, no application; the host sometimes (from DNS). */
const staged = (f: FlowFacts, keepHost: boolean): FlowFacts => {
  const { url: _u, app: _a, appFunction: _f, urlCategories: _c, stage: _s, ...rest } = f;
  const portDefined = builtinL4Apps(f.protocol, f.dstPort).length > 0;
  if (!keepHost && !portDefined) delete rest.dstHost;
  return rest;
};

const run = (c: CompiledPolicy, f: FlowFacts) => evaluate(c, f);
const summary = (d: Decision) => (d.decision === 'undecided' ? d : { ...d, profile: d.profile?.id ?? null });

const RUNS = { numRuns: 400 };

describe('evaluator invariants (fast-check)', () => {
  it('with L7 facts the decision is final', () => {
    fc.assert(
      fc.property(policyArb, flowArb, ({ policy }, f) => {
        expect(run(compilePolicy(policy, knowledge), final(f)).decision).not.toBe('undecided');
      }),
      RUNS,
    );
  });

  it('staged then final agrees with one-shot evaluation', () => {
    fc.assert(
      fc.property(policyArb, flowArb, fc.boolean(), ({ policy }, f, keepHost) => {
        const c = compilePolicy(policy, knowledge);
        const oneShot = run(c, final(f));
        const early = run(c, staged(f, keepHost));
        if (early.decision !== 'undecided') expect(summary(early)).toEqual(summary(oneShot));
        else expect(early.needs.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('a rule below the first match never changes the outcome', () => {
    fc.assert(
      fc.property(policyArb, flowArb, ruleBody, fc.nat(), fc.boolean(), (p, f, extra, at, early) => {
        const facts = early ? staged(f, true) : final(f);
        const before = run(compilePolicy(p.policy, knowledge), facts);
        if (before.decision === 'undecided' || before.reason.kind !== 'rule') return;
        const i = Number(before.reason.id!.slice(1));
        const bodies = [...p.rules];
        bodies.splice(i + 1 + (at % (bodies.length - i)), 0, extra);
        // ids follow positions: the deciding rule keeps its id because it stays at index i
        const after = run(compilePolicy(makePolicy(bodies, p.allow, p.block), knowledge), facts);
        expect(summary(after)).toEqual(summary(before));
      }),
      RUNS,
    );
  });

  it('the allow list always wins', () => {
    fc.assert(
      fc.property(policyArb, flowArb, fc.boolean(), (p, f0, early) => {
        const f = { ...f0, dstIp: f0.dstIp ?? '10.0.0.1' };
        const entry = f.dstIp;
        const allow = [entry, ...p.allow.filter((e) => e !== entry)];
        const block = [...new Set([...p.block, entry])];
        const c = compilePolicy(makePolicy(p.rules, allow, block), knowledge);
        const d = run(c, early ? staged(f, false) : final(f));
        expect(d).toMatchObject({ decision: 'allow', reason: { kind: 'allowList', entry } });
      }),
      RUNS,
    );
  });

  it('an allow-list host entry wins over every rule and the block list once the host is known', () => {
    fc.assert(
      fc.property(policyArb, flowArb, fc.constantFrom(...HOSTS), (p, f0, host) => {
        const f: FlowFacts = { ...f0, dstHost: host, url: `https://${host}/x` };
        const block = [...new Set([...p.block, host])];
        const c = compilePolicy(makePolicy(p.rules, [host], block), knowledge);
        expect(run(c, final(f))).toMatchObject({ decision: 'allow', reason: { kind: 'allowList', entry: host } });
      }),
      RUNS,
    );
  });

  it('disabled rules never decide, and disabling a rule is the same as removing it', () => {
    fc.assert(
      fc.property(policyArb, flowArb, fc.nat(), fc.boolean(), (p, f, k, early) => {
        const facts = early ? staged(f, true) : final(f);
        const d = run(compilePolicy(p.policy, knowledge), facts);
        if (d.decision !== 'undecided' && d.reason.kind === 'rule') {
          expect(p.policy.rules.find((r) => r.id === d.reason.id)!.enabled).toBe(true);
        }
        if (p.rules.length === 0) return;
        const j = k % p.rules.length;
        const disabled = compilePolicy(makePolicy(p.rules.map((r, i) => (i === j ? { ...r, enabled: false } : r)), p.allow, p.block), knowledge);
        const withoutRules = { ...p.policy, rules: p.policy.rules.filter((_, i) => i !== j) };
        const removed = compilePolicy(withoutRules, knowledge);
        expect(summary(run(disabled, facts))).toEqual(summary(run(removed, facts)));
      }),
      RUNS,
    );
  });
});
