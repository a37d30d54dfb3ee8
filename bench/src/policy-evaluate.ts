/**
 * Policy evaluator throughput: `npx tsx bench/src/policy-evaluate.ts`.
 * No anchor exists for this (it is our own function); the figures show the per-flow cost of
 * compile-once/evaluate-many on the default policy and on a large one, at L3/L4 and at L7.
 */
import { compilePolicy, defaultPolicyInput, evaluate, Policy, type FlowFacts, type Knowledge, type PolicyInput } from '@mamori/policy';

const knowledge: Knowledge = {
  urlCategories: (s) => (s.includes('bad') ? ['malware'] : ['news']),
  appCategory: (a) => (a === 'bittorrent' ? 'p2p' : 'web'),
  country: () => 'JP',
};

function large(): Policy {
  const p: PolicyInput = structuredClone(defaultPolicyInput(100));
  const addresses = p.objects!.addresses!;
  for (let i = 0; i < 200; i++) addresses.push({ id: `net${i}`, name: `net${i}`, type: 'ipv4', addresses: `10.${i}.0.0/24, 172.16.${i}.1-172.16.${i}.99` });
  for (let i = 0; i < 100; i++) {
    p.rules!.splice(2, 0, {
      id: `r${i}`,
      name: `rule ${i}`,
      source: { type: 'selected', addresses: [`net${i}`, `net${i + 100}`] },
      destination: { type: 'geo', countries: ['CN'] },
      content: { type: 'selected', urlCategories: ['gambling'], applications: ['line'] },
      action: 'block',
    });
  }
  for (let i = 0; i < 1000; i++) p.blockList!.push({ value: i % 3 === 0 ? `*.blocked${i}.example` : i % 3 === 1 ? `host${i}.example/path` : `198.18.${i % 250}.${i % 200}` });
  return Policy.parse(p);
}

const l4: FlowFacts = { srcIp: '10.150.0.7', dstIp: '203.0.113.10', dstPort: 443, protocol: 'tcp' };
const l7: FlowFacts = { ...l4, dstHost: 'www.news.example', url: 'https://www.news.example/articles/1?x=2', app: 'https' };
const dhcp: FlowFacts = { srcIp: '0.0.0.0', dstIp: '255.255.255.255', dstPort: 67, protocol: 'udp' };

function bench(name: string, policy: Policy, flow: FlowFacts): void {
  const c = compilePolicy(policy, knowledge);
  for (let i = 0; i < 20_000; i++) evaluate(c, flow);
  const n = 200_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) evaluate(c, flow);
  const ns = Number(process.hrtime.bigint() - t0) / n;
  const d = evaluate(c, flow);
  const outcome = d.decision === 'undecided' ? `undecided(${d.needs.join('+')})` : `${d.decision}/${d.reason.kind}`;
  console.log(`${name.padEnd(34)} ${(1e9 / ns / 1e6).toFixed(2).padStart(6)} M evals/s  ${ns.toFixed(0).padStart(6)} ns/eval  ${outcome}`);
}

const t0 = performance.now();
const big = large();
const parsed = performance.now() - t0;
const t1 = performance.now();
compilePolicy(big, knowledge);
console.log(`large policy: ${big.rules.length} rules, ${big.objects.addresses.length} address objects, ${big.blockList.length} block-list entries; validate ${parsed.toFixed(0)} ms, compile ${(performance.now() - t1).toFixed(1)} ms`);
const def = Policy.parse(defaultPolicyInput(50));
bench('default policy, L3/L4', def, l4);
bench('default policy, L7 (URL + app)', def, l7);
bench('default policy, DHCP (final at L4)', def, dhcp);
bench('large policy, L3/L4', big, l4);
bench('large policy, L7 (URL + app)', big, l7);
