/**
 * Firewall benchmark (run as root: `npx tsx bench/src/firewall-bench.ts`):
 * - compile and apply time of the nftables ruleset for 1k and 10k rules and for 100k set elements,
 *   applied in a fresh network namespace;
 * - forwarding throughput client → gateway → server between namespaces with iperf3, without our
 *   table and with the 10k-rule ruleset (the flow matches the last allow rule), as a ratio.
 */
import type { PolicyRuleInput } from '@mamori/policy';
import { applyRuleset, compileRuleset, runCommand } from '../../packages/gateway/src/firewall/index.js';
import { policyOf } from '../../packages/gateway/src/firewall/compile/fixtures.js';
import { createTopology, sh } from '../../tests/e2e/router/topology.js';

const OPTS = { lan: 'lan0', wan: 'wan0' };

/** n rules, each blocking its own source (a /32 and a range, or one address) on its own port. */
function rulesPolicy(n: number, single = false, dos = false) {
  const addresses = [];
  const services = [];
  const rules: PolicyRuleInput[] = [];
  for (let i = 0; i < n; i++) {
    const a = 16 + (i >> 8);
    const b = i & 255;
    addresses.push({ id: `a${i}`, name: `a${i}`, type: 'ipv4' as const, addresses: single ? `10.${a}.${b}.1` : `10.${a}.${b}.1, 10.${a}.${b}.10-10.${a}.${b}.20` });
    services.push({ id: `s${i}`, name: `s${i}`, entries: [{ protocol: 'tcp' as const, ports: String(1024 + (i % 60000)) }] });
    rules.push({ id: `r${i}`, name: `rule ${i}`, action: 'block', source: { type: 'selected', addresses: [`a${i}`] }, service: { type: 'selected', services: [`s${i}`] } });
  }
  rules.push({ id: 'last', name: 'allow the rest', action: 'allow', ...(dos ? { profileId: 'dos' } : {}) });
  // DoS on (default limits, not reached by iperf3): every packet also passes the DoS chain
  const profiles = dos ? [{ id: 'dos', name: 'dos', ips: { enabled: false }, antiMalware: { enabled: false }, webReputation: { enabled: false }, botProtection: { enabled: false }, dos: { enabled: true } }] : [];
  return policyOf(rules, { objects: { addresses, services }, profiles });
}

/** one rule whose address object has n non-adjacent addresses */
function elementsPolicy(n: number) {
  const ips: string[] = [];
  for (let i = 0; i < n; i++) ips.push(`10.${100 + (i >> 15)}.${(i >> 7) & 255}.${(i & 127) * 2}`);
  return policyOf([{ id: 'big', name: 'big', action: 'block', destination: { type: 'addresses', addresses: ['big'] } }], {
    objects: { addresses: [{ id: 'big', name: 'big', type: 'ipv4', addresses: ips.join(',') }] },
  });
}

async function timeCompileApply(label: string, make: () => ReturnType<typeof policyOf>) {
  const ns = `mrb${process.pid}`;
  await sh('ip', ['netns', 'add', ns]);
  try {
    const policy = make();
    const t0 = performance.now();
    const compiled = compileRuleset(policy, OPTS);
    const compileMs = performance.now() - t0;
    const runner = { run: (cmd: string, args: string[], stdin?: string) => runCommand('ip', ['netns', 'exec', ns, cmd, ...args], stdin) };
    const first = await applyRuleset(runner, compiled);
    if (!first.ok) throw new Error(first.error);
    const again = await applyRuleset(runner, compiled); // replace an existing table of the same size
    if (!again.ok) throw new Error(again.error);
    console.log(`${label}: compile ${compileMs.toFixed(0)} ms, apply (check + load) ${first.durationMs.toFixed(0)} ms, re-apply ${again.durationMs.toFixed(0)} ms, ${compiled.elementCount} set elements, ${(compiled.text.length / 1024).toFixed(0)} KiB`);
  } finally {
    await runCommand('ip', ['netns', 'del', ns]);
  }
}

async function iperf(clientNs: string, seconds: number): Promise<number> {
  const r = await sh('ip', ['netns', 'exec', clientNs, 'iperf3', '-c', '10.99.2.2', '-t', String(seconds), '-J']);
  const j = JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number } } };
  return j.end.sum_received.bits_per_second / 1e9;
}

async function throughput() {
  const topo = await createTopology('b');
  const server = (await import('node:child_process')).spawn('ip', ['netns', 'exec', topo.server, 'iperf3', '-s'], { stdio: 'ignore' });
  try {
    await sh('ip', ['netns', 'exec', topo.gateway, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
    await sh('ip', ['-n', topo.server, 'route', 'add', '10.99.1.0/24', 'via', '10.99.2.1']);
    await new Promise((r) => setTimeout(r, 500));
    const runs = 5;
    const plain: number[] = [];
    const filtered: number[] = [];
    const compiled = compileRuleset(rulesPolicy(10_000, true, true), OPTS);
    for (let i = 0; i < runs; i++) {
      await runCommand('ip', ['netns', 'exec', topo.gateway, 'nft', 'delete', 'table', 'inet', 'mamori']);
      plain.push(await iperf(topo.client, 3));
      const a = await applyRuleset(topo.gw, compiled);
      if (!a.ok) throw new Error(a.error);
      filtered.push(await iperf(topo.client, 3));
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    console.log(`forwarding throughput (iperf3 TCP, ${runs}×3 s, median): without ruleset ${med(plain).toFixed(2)} Gbit/s, with 10k-rule ruleset + NAT + DoS limits ${med(filtered).toFixed(2)} Gbit/s, ratio ${(med(filtered) / med(plain)).toFixed(3)}`);
    console.log(`  runs without: ${plain.map((x) => x.toFixed(2)).join(', ')}; with: ${filtered.map((x) => x.toFixed(2)).join(', ')}`);
  } finally {
    server.kill('SIGKILL');
    await topo.destroy();
  }
}

// `--only=times` or `--only=throughput` runs one part
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
if (only !== 'throughput') {
  await timeCompileApply('1k rules (2-entry address objects: named sets)', () => rulesPolicy(1_000));
  await timeCompileApply('1k rules (1-address objects: inline)', () => rulesPolicy(1_000, true));
  await timeCompileApply('10k rules (2-entry address objects: named sets)', () => rulesPolicy(10_000));
  await timeCompileApply('10k rules (1-address objects: inline)', () => rulesPolicy(10_000, true));
  await timeCompileApply('100k set elements', () => elementsPolicy(100_000));
}
if (only !== 'times') await throughput();
