/**
 * The manual's DHCP note (§6-3) with a real DHCP server (dnsmasq) and client (busybox udhcpc),
 * and DoS protection triggering in the kernel and coming back as internet-security events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecurityEvent, type PolicyRuleInput, type SecurityEvent as SecurityEventT } from '@mamori/policy';
import { DosEventReader, routerMode, runCommand, type Firewall } from '../../../packages/gateway/src/firewall/index.js';
import { BLOCK_ALL, DHCP_ALLOW, policyOf } from '../../../packages/gateway/src/firewall/compile/fixtures.js';
import { createTopology, type Topology } from './topology.js';

let topo: Topology;
let fw: Firewall;
let dnsmasq: ChildProcess | undefined;
let tmp: string;

beforeAll(async () => {
  topo = await createTopology('d');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-router-'));
  const r = await routerMode({ lan: 'lan0', wan: 'wan0', policy: policyOf([]), runner: topo.gw });
  if (!r.ok || r.mode !== 'router') throw new Error(r.message);
  fw = r.firewall;
  dnsmasq = spawn('ip', [
    'netns', 'exec', topo.gateway, 'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--user=root', '--group=root', '--no-ping',
    '--interface=lan0', '--bind-interfaces', '--dhcp-range=10.99.1.100,10.99.1.150,255.255.255.0,2m',
    `--dhcp-leasefile=${path.join(tmp, 'leases')}`, `--pid-file=${path.join(tmp, 'pid')}`, '--log-facility=-', '--log-dhcp',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  dnsmasq.stderr?.on('data', (b: Buffer) => log.push(b.toString()));
  for (let i = 0; i < 50 && !log.join('').includes('DHCP, IP range'); i++) await new Promise((res) => setTimeout(res, 100));
  expect(log.join('')).toContain('DHCP, IP range 10.99.1.100 -- 10.99.1.150');
  for (const port of [8080, 9000]) expect((await topo.agents.server.call('listenTcp', { port })).ok).toBe(true);
  expect((await topo.agents.server.call('listenUdp', { port: 5000 })).ok).toBe(true);
}, 60_000);

afterAll(async () => {
  dnsmasq?.kill('SIGKILL');
  await topo?.destroy();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** busybox udhcpc from 0.0.0.0: exit 0 and "lease of … obtained" only when the server answered */
async function dhcpLease(): Promise<string | null> {
  const r = await runCommand('ip', ['netns', 'exec', topo.client, 'busybox', 'udhcpc', '-i', 'c0', '-n', '-q', '-f', '-t', '3', '-T', '1', '-s', '/bin/true']);
  const m = /lease of (\d+\.\d+\.\d+\.\d+) obtained/.exec(r.stdout + r.stderr);
  return r.code === 0 && m ? m[1]! : null;
}

describe('DHCP with the firewall on (§6-3)', () => {
  it('works with the firewall off', async () => {
    expect(await dhcpLease()).toMatch(/^10\.99\.1\.(1[0-4]\d|150)$/);
  });

  it('is blocked by the block-all rule alone', async () => {
    expect((await fw.deploy(policyOf([BLOCK_ALL]))).ok).toBe(true);
    expect(await dhcpLease()).toBeNull();
    const c = (await fw.readCounters()).find((x) => x.ruleId === 'firewall');
    expect(c?.packets).toBeGreaterThanOrEqual(3);
  });

  it('works again with the DHCP application rule above the block-all rule', async () => {
    expect((await fw.deploy(policyOf([DHCP_ALLOW, BLOCK_ALL]))).ok).toBe(true);
    expect(await dhcpLease()).toMatch(/^10\.99\.1\.\d+$/);
    expect((await fw.readCounters()).find((x) => x.ruleId === 'dhcp')?.packets).toBeGreaterThan(0);
    // and nothing else passes
    expect((await topo.agents.client.call('tcp', { host: '10.99.2.2', port: 8080, timeoutMs: 1000 })).ok).toBe(false);
  });

  it('does not help below the block-all rule', async () => {
    expect((await fw.deploy(policyOf([BLOCK_ALL, DHCP_ALLOW]))).ok).toBe(true);
    expect(await dhcpLease()).toBeNull();
  });
});

describe('DoS protection', () => {
  const dosPolicy = (dos: Record<string, unknown>) => {
    const rules: PolicyRuleInput[] = [{ id: 'lan', name: 'allow LAN', action: 'allow', profileId: 'dos' }];
    // no inspection switches: this test is about the kernel's limits, not the proxies
    return policyOf(rules, { profiles: [{ id: 'dos', name: 'dos', ips: { enabled: false }, antiMalware: { enabled: false }, webReputation: { enabled: false }, botProtection: { enabled: false }, dos: { enabled: true, ...dos } }] });
  };
  const events = async (reader: DosEventReader): Promise<SecurityEventT[]> => {
    const evs = await reader.poll(fw.current!);
    for (const e of evs) expect(SecurityEvent.parse(e)).toEqual(e);
    return evs;
  };

  it('limits new connections per source and reports the source', async () => {
    const r = await fw.deploy(dosPolicy({ newConnectionsPerSourcePerSecond: 5, portScanDetection: false }));
    expect(r).toMatchObject({ ok: true, dosEnabled: true });
    const reader = new DosEventReader(topo.gw, 'gw-test');
    expect(await events(reader)).toEqual([]);
    const b = await topo.agents.client.call('burst', { host: '10.99.2.2', port: 8080, count: 40 });
    expect(b['failed']).toBeGreaterThan(0);
    expect(b['succeeded']).toBeGreaterThanOrEqual(5);
    const evs = await events(reader);
    expect(evs).toContainEqual(expect.objectContaining({ type: 'security', threatType: 'dos', action: 'block', srcIp: '10.99.1.2', protocol: 'tcp' }));
    expect(evs.find((e) => e.signature.startsWith('new-connection-rate'))).toBeDefined();
    // polled again without new triggers: nothing new
    expect(await events(reader)).toEqual([]);
  });

  it('is a profile switch: only flows allowed under a profile with DoS protection on are limited', async () => {
    const policy = policyOf(
      [
        { id: 'guarded', name: 'guarded PC', action: 'allow', source: { type: 'selected', addresses: ['pc2'] }, profileId: 'dos' },
        { id: 'free', name: 'unguarded PC', action: 'allow', source: { type: 'selected', addresses: ['pc3'] }, profileId: 'plain' },
      ],
      {
        objects: { addresses: [{ id: 'pc2', name: 'pc2', type: 'ipv4', addresses: '10.99.1.2' }, { id: 'pc3', name: 'pc3', type: 'ipv4', addresses: '10.99.1.3' }] },
        profiles: [
          { id: 'plain', name: 'plain', ips: { enabled: false }, antiMalware: { enabled: false }, webReputation: { enabled: false }, botProtection: { enabled: false } },
          { id: 'dos', name: 'dos', ips: { enabled: false }, antiMalware: { enabled: false }, webReputation: { enabled: false }, botProtection: { enabled: false }, dos: { enabled: true, newConnectionsPerSourcePerSecond: 5, portScanDetection: false } },
        ],
      },
    );
    expect(await fw.deploy(policy)).toMatchObject({ ok: true, dosEnabled: true });
    const reader = new DosEventReader(topo.gw, 'gw-test');
    const free = await topo.agents.client.call('burst', { host: '10.99.2.2', port: 8080, count: 40, src: '10.99.1.3', timeoutMs: 3000 });
    expect(free).toMatchObject({ succeeded: 40, failed: 0 });
    const guarded = await topo.agents.client.call('burst', { host: '10.99.2.2', port: 8080, count: 40, src: '10.99.1.2' });
    expect(guarded['failed']).toBeGreaterThan(0);
    const evs = await events(reader);
    expect(evs.map((e) => [e.srcIp, e.signature])).toEqual([['10.99.1.2', expect.stringMatching(/^new-connection-rate \(limit 5 new connections\/s per source; profile dos\)$/)]]);
  });

  it('limits concurrent connections per source (ct count)', async () => {
    expect((await fw.deploy(dosPolicy({ concurrentConnectionsPerSource: 3, portScanDetection: false }))).ok).toBe(true);
    const reader = new DosEventReader(topo.gw, 'gw-test');
    await topo.agents.client.call('streamStart', { host: '10.99.2.2', port: 9000 });
    const held = await Promise.all([0, 1, 2, 3, 4].map(() => topo.agents.client.call('tcp', { host: '10.99.2.2', port: 8080, timeoutMs: 1000 })));
    await topo.agents.client.call('streamStop');
    expect(held.some((h) => h.ok)).toBe(true);
    const evs = await events(reader);
    expect(evs).toContainEqual(expect.objectContaining({ threatType: 'dos', srcIp: '10.99.1.2', signature: expect.stringMatching(/^concurrent-connections/) }));
  });

  it('limits ICMP and UDP floods', async () => {
    expect((await fw.deploy(dosPolicy({ icmpPerSecond: 5, udpPerSourcePerSecond: 20, portScanDetection: false }))).ok).toBe(true);
    const reader = new DosEventReader(topo.gw, 'gw-test');
    const p = await runCommand('ip', ['netns', 'exec', topo.client, 'busybox', 'ping', '-c', '40', '-A', '-W', '1', '-w', '4', '10.99.2.2']);
    const received = Number(/(\d+) packets received/.exec(p.stdout)?.[1] ?? -1);
    expect(received).toBeGreaterThanOrEqual(1);
    expect(received).toBeLessThan(40);
    const u = await topo.agents.client.call('udpBurst', { host: '10.99.2.2', port: 5000, count: 200 });
    expect(u['answers']).toBeLessThan(200);
    const evs = await events(reader);
    expect(evs).toContainEqual(expect.objectContaining({ threatType: 'dos', srcIp: '10.99.1.2', protocol: 'icmp', signature: expect.stringMatching(/^icmp-flood/) }));
    expect(evs).toContainEqual(expect.objectContaining({ threatType: 'dos', srcIp: '10.99.1.2', protocol: 'udp', signature: expect.stringMatching(/^udp-flood/) }));
  });

  it('detects a port scan', async () => {
    expect((await fw.deploy(dosPolicy({ newConnectionsPerSourcePerSecond: 10_000, portScanDetection: true }))).ok).toBe(true);
    const reader = new DosEventReader(topo.gw, 'gw-test');
    // many connections to one port are not a scan
    await topo.agents.client.call('burst', { host: '10.99.2.2', port: 8080, count: 30 });
    expect((await events(reader)).filter((e) => e.threatType === 'portScan')).toEqual([]);
    const ports = Array.from({ length: 60 }, (_, i) => 20_000 + i);
    await topo.agents.client.call('burst', { host: '10.99.2.2', ports, timeoutMs: 500 });
    const evs = await events(reader);
    expect(evs).toContainEqual(expect.objectContaining({ threatType: 'portScan', srcIp: '10.99.1.2', severity: 'medium' }));
    const c = (await fw.readCounters()).find((x) => x.name === 'dos_portscan');
    expect(c?.packets).toBeGreaterThan(0);
  });
});
