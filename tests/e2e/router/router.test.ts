/**
 * Router mode with real traffic between network namespaces: policy matching in the kernel,
 * NAT, the default drop, HTTP through a transparent proxy, FQDN sets fed by DNS answers, atomic
 * re-apply under traffic and a broken ruleset rejected with the old one kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyInput, PolicyRuleInput } from '@mamori/policy';
import { PolicyEvent } from '@mamori/policy';
import { RangeTable } from '@mamori/geoip';
import { Firewall, geoRanges, routerMode, RuleLogReader } from '../../../packages/gateway/src/firewall/index.js';
import { BLOCK_ALL, policyOf } from '../../../packages/gateway/src/firewall/compile/fixtures.js';
import { createTopology, MAC_CLIENT, ping, type Topology } from './topology.js';

let topo: Topology;
let fw: Firewall;
// the real @mamori/geoip range table, with test addresses
const GEO = geoRanges(() =>
  RangeTable.fromRanges([
    { start: '10.99.200.0', end: '10.99.200.255', country: 'JP' },
    { start: '10.99.201.0', end: '10.99.201.255', country: 'US' },
    { start: 'fd99:2::', end: 'fd99:2::ffff', country: 'JP' },
  ]),
);
const OPTS = { lan: 'lan0', wan: 'wan0', geo: GEO, proxyPorts: { http: 3128 }, fqdnMinTtl: 30 };

const OBJECTS: PolicyInput['objects'] = {
  addresses: [
    { id: 'second', name: 'second client address', type: 'ipv4', addresses: '10.99.1.3' },
    { id: 'range', name: 'server range', type: 'ipv4', addresses: '10.99.2.3-10.99.2.4' },
    { id: 'cidr', name: 'JP net', type: 'ipv4', addresses: '10.99.200.0/24' },
    { id: 'files', name: 'files', type: 'fqdn', fqdn: 'files.example.test' },
  ],
  macs: [
    { id: 'pc', name: 'client PC', macs: [MAC_CLIENT] },
    { id: 'other', name: 'other PC', macs: ['02:99:00:00:09:09'] },
  ],
  services: [{ id: 'alt', name: 'alt 9000', entries: [{ protocol: 'tcp', ports: '9000' }] }],
};
const deploy = async (rules: PolicyRuleInput[]) => {
  const r = await fw.deploy(policyOf(rules, { objects: OBJECTS }));
  expect(r.error).toBeUndefined();
  expect(r.ok).toBe(true);
  return r;
};
const tcp = (host: string, port: number, src?: string) => topo.agents.client.call('tcp', { host, port, ...(src ? { src } : {}), timeoutMs: 1200 });
const udp = (host: string, port: number) => topo.agents.client.call('udp', { host, port, timeoutMs: 1200 });

beforeAll(async () => {
  topo = await createTopology('r');
  const s = topo.agents.server;
  for (const port of [8080, 9000]) expect((await s.call('listenTcp', { port })).ok).toBe(true);
  expect((await s.call('listenTcp', { port: 8080, host: 'fd99:2::2' })).ok).toBe(true);
  expect((await s.call('listenUdp', { port: 5000 })).ok).toBe(true);
  expect((await s.call('listenUdp', { port: 123 })).ok).toBe(true);
  expect((await s.call('listenHttp', { port: 80 })).ok).toBe(true);
  expect((await topo.agents.gateway.call('transparentProxy', { port: 3128 })).ok).toBe(true);
}, 60_000);

afterAll(async () => {
  await topo?.destroy();
});

describe('router mode in namespaces', () => {
  it('forwards with NAT once router mode is on', async () => {
    expect((await tcp('10.99.2.2', 8080)).ok).toBe(false); // no forwarding yet
    const r = await routerMode({ ...OPTS, policy: policyOf([]), runner: topo.gw });
    expect(r.message).toMatch(/router mode on .*LAN lan0, WAN wan0.*firewall off/);
    expect(r.ok).toBe(true);
    if (!r.ok || r.mode !== 'router') throw new Error(r.message);
    fw = r.firewall;
    const t = await tcp('10.99.2.2', 8080);
    // the server has no route to 10.99.1.0/24: it sees the gateway's WAN address
    expect(t).toMatchObject({ ok: true, data: 'hello 10.99.2.2:8080 from 10.99.2.1' });
    expect(await udp('10.99.2.2', 5000)).toMatchObject({ ok: true, data: 'udp 5000 from 10.99.2.1' });
    expect(await ping(topo.client, '10.99.2.2')).toBe(true);
  });

  it('blocks by source address, destination range, CIDR and service', async () => {
    await deploy([
      { id: 'src', name: 'block second address', action: 'block', source: { type: 'selected', addresses: ['second'] } },
      { id: 'rng', name: 'block range on 9000', action: 'block', destination: { type: 'addresses', addresses: ['range'] }, service: { type: 'selected', services: ['alt'] } },
      { id: 'cidr', name: 'block JP net', action: 'block', destination: { type: 'addresses', addresses: ['cidr'] } },
    ]);
    expect((await tcp('10.99.2.2', 8080, '10.99.1.2')).ok).toBe(true);
    expect((await tcp('10.99.2.2', 8080, '10.99.1.3')).ok).toBe(false);
    expect((await tcp('10.99.2.3', 9000)).ok).toBe(false);
    expect((await tcp('10.99.2.3', 8080)).ok).toBe(true);
    expect((await tcp('10.99.2.2', 9000)).ok).toBe(true);
    expect((await tcp('10.99.200.5', 8080)).ok).toBe(false);
    expect(await ping(topo.client, '10.99.200.5')).toBe(false);
    expect((await tcp('10.99.201.5', 8080)).ok).toBe(true);
    const counts = await fw.readCounters();
    const byRule = Object.fromEntries(counts.filter((c) => c.ruleId).map((c) => [c.ruleId, c.packets]));
    expect(byRule['src']).toBeGreaterThan(0);
    expect(byRule['rng']).toBeGreaterThan(0);
    expect(byRule['cidr']).toBeGreaterThan(0);
  });

  it('drops everything by default with the firewall rule on, except what a MAC rule allows', async () => {
    const r = await deploy([BLOCK_ALL]);
    expect(r.firewallOn).toBe(true);
    expect((await tcp('10.99.2.2', 8080)).ok).toBe(false);
    expect((await udp('10.99.2.2', 5000)).ok).toBe(false);
    expect(await ping(topo.client, '10.99.2.2')).toBe(false);
    const fwCount = (await fw.readCounters()).find((c) => c.ruleId === 'firewall');
    expect(fwCount?.packets).toBeGreaterThanOrEqual(3);

    await deploy([{ id: 'mac', name: 'allow PC', action: 'allow', source: { type: 'selected', macs: ['pc'] } }, BLOCK_ALL]);
    expect((await tcp('10.99.2.2', 8080)).ok).toBe(true);
    expect(await ping(topo.client, '10.99.2.2')).toBe(true);
    await deploy([{ id: 'mac', name: 'allow other PC', action: 'allow', source: { type: 'selected', macs: ['other'] } }, BLOCK_ALL]);
    expect((await tcp('10.99.2.2', 8080)).ok).toBe(false);
  });

  it('blocks a destination country from the GeoIP table (IPv4 and IPv6)', async () => {
    await deploy([{ id: 'geo', name: 'block JP', action: 'block', destination: { type: 'geo', countries: ['JP'] } }]);
    expect((await tcp('10.99.200.5', 8080)).ok).toBe(false);
    expect((await udp('10.99.200.5', 5000)).ok).toBe(false);
    expect((await tcp('fd99:2::2', 8080)).ok).toBe(false);
    expect((await tcp('10.99.201.5', 8080)).ok).toBe(true);
    await deploy([{ id: 'geo', name: 'block US', action: 'block', destination: { type: 'geo', countries: ['US'] } }]);
    expect((await tcp('fd99:2::2', 8080)).ok).toBe(true);
    expect((await tcp('10.99.201.5', 8080)).ok).toBe(false);
  });

  it('feeds the policy-enforcement log from the rules with "log" on, with source and destination', async () => {
    await deploy([
      { id: 'logged', name: 'block JP net (logged)', action: 'block', log: true, destination: { type: 'addresses', addresses: ['cidr'] } },
      { id: 'quiet', name: 'block 9000 (not logged)', action: 'block', log: false, service: { type: 'selected', services: ['alt'] } },
      { id: 'allowed', name: 'allow the rest (logged)', action: 'allow', log: true },
    ]);
    const reader = new RuleLogReader(topo.gw, 'gw-test', Date.now, () => 12);
    expect(await reader.poll(fw.current!)).toEqual([]);
    expect((await tcp('10.99.200.5', 8080)).ok).toBe(false);
    expect((await tcp('10.99.2.2', 9000)).ok).toBe(false);
    expect((await tcp('10.99.2.2', 8080)).ok).toBe(true);
    expect(await ping(topo.client, 'fd99:2::2')).toBe(true);
    const evs = await reader.poll(fw.current!);
    for (const e of evs) expect(PolicyEvent.parse(e)).toEqual(e);
    const brief = evs.map((e) => [e.ruleId, e.action, e.srcIp, e.dstIp, e.protocol]);
    expect(brief).toContainEqual(['logged', 'block', '10.99.1.2', '10.99.200.5', 'tcp']);
    expect(brief).toContainEqual(['allowed', 'allow', '10.99.1.2', '10.99.2.2', 'tcp']);
    expect(brief).toContainEqual(['allowed', 'allow', 'fd99:1::2', 'fd99:2::2', 'icmpv6']);
    expect(brief.filter((b) => b[0] === 'quiet')).toEqual([]);
    expect(evs[0]).toMatchObject({ type: 'policy', reasonKind: 'rule', policyVersion: 12 });
    // nothing new: nothing logged again; the same flow again: logged again
    expect(await reader.poll(fw.current!)).toEqual([]);
    expect((await tcp('10.99.200.5', 8080)).ok).toBe(false);
    expect((await reader.poll(fw.current!)).map((e) => e.ruleId)).toEqual(['logged']);
  });

  it('blocks an FQDN object after the DNS filter reports its answer, also across a re-deploy', async () => {
    const rules: PolicyRuleInput[] = [{ id: 'fq', name: 'block files', action: 'block', destination: { type: 'addresses', addresses: ['files'] } }];
    await deploy(rules);
    expect((await tcp('10.99.2.3', 8080)).ok).toBe(true);
    expect(await fw.addFqdnAnswer('FILES.example.test.', ['10.99.2.3'], 5)).toBe(1);
    expect(await fw.addFqdnAnswer('other.example.test', ['10.99.2.2'], 300)).toBe(0);
    expect((await tcp('10.99.2.3', 8080)).ok).toBe(false);
    expect((await tcp('10.99.2.2', 8080)).ok).toBe(true);
    await deploy(rules);
    expect((await tcp('10.99.2.3', 8080)).ok).toBe(false);
    const listed = await topo.gw.run('nft', ['list', 'set', 'inet', 'mamori', 'fqdn_3_4']);
    expect(listed.stdout).toMatch(/10\.99\.2\.3 timeout (2\d|30)s/);
  });

  it('steers HTTP whose outcome needs the URL to the transparent proxy, which finds the original destination', async () => {
    await deploy([{ id: 'url', name: 'URL filtering', action: 'block', content: { type: 'selected', urlCategories: ['malware'] } }]);
    const r = await topo.agents.client.call('http', { url: 'http://10.99.2.2/page?q=1' });
    expect(r.ok).toBe(true);
    const headers = r['headers'] as Record<string, string>;
    expect(headers['x-mamori-proxy']).toBe('transparent');
    expect(headers['x-proxy-local']).toBe('10.99.1.1:3128');
    expect(r['body']).toBe('web 10.99.2.2 /page?q=1 from 10.99.2.1');
    const [ip, port] = headers['x-proxy-client']!.replace('::ffff:', '').split(':');
    expect(await fw.originalDestination(ip!, Number(port))).toEqual({ ip: '10.99.2.2', port: 80 });
    // not steered: a port that has no proxy is decided in the kernel (the rule needs L7: passes)
    expect((await tcp('10.99.2.2', 8080)).ok).toBe(true);
    const steered = (await fw.readCounters()).find((c) => c.name === 'steer_http');
    expect(steered?.packets).toBe(1);
  });

  it('decides flows that cannot be steered (UDP other than DNS, ICMP) by L4 application, else as not matching the L7 rule', async () => {
    // NTP is known by its port (l4Apps): decided in the kernel. "line" and URL categories need
    // L7: a UDP or ICMP flow cannot reach a proxy, so for it such a rule does not match.
    await deploy([
      { id: 'apps', name: 'block NTP and LINE', action: 'block', content: { type: 'selected', applications: ['ntp', 'line'] } },
      { id: 'urls', name: 'block malware URLs', action: 'block', content: { type: 'selected', urlCategories: ['malware'] } },
    ]);
    expect((await udp('10.99.2.2', 123)).ok).toBe(false);
    expect(await udp('10.99.2.2', 5000)).toMatchObject({ ok: true, data: 'udp 5000 from 10.99.2.1' });
    expect(await ping(topo.client, '10.99.2.2')).toBe(true);
    expect((await fw.readCounters()).find((c) => c.ruleId === 'apps')?.packets).toBeGreaterThan(0);
    // the same with an application category: network-protocols holds ntp (and dhcp, dns)
    await deploy([{ id: 'cat', name: 'block network protocols', action: 'block', content: { type: 'selected', applicationCategories: ['network-protocols'] } }]);
    expect((await udp('10.99.2.2', 123)).ok).toBe(false);
    expect((await udp('10.99.2.2', 5000)).ok).toBe(true);
    // with the firewall on, such a flow falls through to the default drop: allow it explicitly by L4
    await deploy([{ id: 'web', name: 'allow web (URL rule)', action: 'allow', content: { type: 'selected', urlCategories: ['news'] } }, BLOCK_ALL]);
    expect((await udp('10.99.2.2', 5000)).ok).toBe(false);
    expect(await ping(topo.client, '10.99.2.2')).toBe(false);
  });

  it('re-applies atomically under traffic: no window opens or closes anything', async () => {
    const rules: PolicyRuleInput[] = [{ id: 'alt', name: 'block 9000', action: 'block', service: { type: 'selected', services: ['alt'] } }];
    await deploy(rules);
    expect((await topo.agents.client.call('streamStart', { host: '10.99.2.2', port: 8080 })).ok).toBe(true);
    const probes: Array<Promise<{ port: number; ok: boolean }>> = [];
    let applying = true;
    const prober = (async () => {
      while (applying) {
        const [a, b] = await Promise.all([tcp('10.99.2.2', 9000), tcp('10.99.2.2', 8080)]);
        probes.push(Promise.resolve({ port: 9000, ok: a.ok }), Promise.resolve({ port: 8080, ok: b.ok }));
      }
    })();
    const before = (await topo.agents.client.call('streamStatus'))['written'] as number;
    for (let i = 0; i < 8; i++) expect((await fw.deploy(policyOf(rules, { objects: OBJECTS }))).ok).toBe(true);
    applying = false;
    await prober;
    const results = await Promise.all(probes);
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(results.filter((r) => r.port === 9000 && r.ok)).toEqual([]);
    expect(results.filter((r) => r.port === 8080 && !r.ok)).toEqual([]);
    const st = await topo.agents.client.call('streamStatus');
    expect(st['error']).toBeNull();
    expect(st['written'] as number).toBeGreaterThan(before);
    await topo.agents.client.call('streamStop');
  });

  it('rejects a broken ruleset and keeps the previous one', async () => {
    const current = fw.current!;
    const broken = { ...current, text: current.text.replace('chain policy_rules {', 'chain policy_rules {\n\t\tip saddr @no_such_set drop') };
    const r = await fw.applyCompiled(broken);
    expect(r).toMatchObject({ ok: false, stage: 'check' });
    expect(r.error).toMatch(/no_such_set/);
    expect(fw.current).toBe(current);
    expect((await tcp('10.99.2.2', 9000)).ok).toBe(false);
    expect((await tcp('10.99.2.2', 8080)).ok).toBe(true);
    // a policy the compiler refuses is a failed deployment too
    const bad = await new Firewall(topo.gw, { lan: 'lan0', wan: 'wan0' }).deploy(policyOf([{ id: 'g', name: 'g', action: 'block', destination: { type: 'geo', countries: ['JP'] } }]));
    expect(bad).toMatchObject({ ok: false, stage: 'compile' });
    expect((await tcp('10.99.2.2', 9000)).ok).toBe(false);
    // and only our table exists: nothing else was touched
    const tables = await topo.gw.run('nft', ['list', 'tables']);
    expect(tables.stdout.trim()).toBe('table inet mamori');
  });
});
