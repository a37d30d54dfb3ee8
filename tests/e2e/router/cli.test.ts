/**
 * `mamori gateway --router` end to end: the real CLI runs as a child process inside the gateway
 * namespace, a LAN client namespace uses it as its router and DNS server, a WAN namespace holds
 * the upstream resolver (dnsmasq) and HTTP/HTTPS servers. Without root it runs as an explicit
 * proxy and says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicyInput, Policy } from '@mamori/policy';
import { generateCa, issueWithNewKey, loadCa, type PemPair } from '../../../packages/gateway/src/tls/x509.js';
import { createTopology, type Topology } from './topology.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'packages/cli/src/main.ts');

let topo: Topology;
let tmp: string;
let tenantCa: PemPair;
let upstreamCa: PemPair;
const children: ChildProcess[] = [];

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
}

/** the CLI as a child process (inside `netns` when given), started once `ready` shows in its output */
async function startCli(args: string[], opts: { netns?: string; env?: Record<string, string>; asUser?: number; ready: RegExp }): Promise<Running> {
  const node = [process.execPath, '--import', 'tsx', MAIN, ...args];
  const user = opts.asUser !== undefined ? ['setpriv', `--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, '--clear-groups'] : [];
  const argv = [...(opts.netns ? ['ip', 'netns', 'exec', opts.netns] : []), ...user, ...node];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env: { ...process.env, MAMORI_LOG_LEVEL: 'warn', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      if (opts.ready.test(out)) done(null);
    }, 100);
    const timeout = setTimeout(() => done(new Error(`the gateway did not start: ${out}\n${err}`)), 100_000);
    const onExit = (code: number | null) => done(new Error(`the gateway exited (${code}): ${out}\n${err}`));
    child.once('exit', onExit);
    function done(e: Error | null) {
      clearInterval(t);
      clearTimeout(timeout);
      child.off('exit', onExit);
      if (e) reject(e);
      else resolve();
    }
  });
  return { child, out: () => out, err: () => err };
}

async function stop(r: Running): Promise<number | null> {
  if (r.child.exitCode !== null) return r.child.exitCode;
  const exited = new Promise<number | null>((res) => r.child.once('exit', (c) => res(c)));
  r.child.kill('SIGTERM');
  return exited;
}

/** events the gateway wrote to its spool that match, once at least `min` are there */
async function spoolEvents(match: (e: Record<string, unknown>) => boolean, min: number): Promise<Array<Record<string, unknown>>> {
  const dir = path.join(tmp, 'gw', 'spool');
  let found: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 50; i++) {
    found = [];
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
      for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const e = JSON.parse(line) as Record<string, unknown>;
          if (match(e)) found.push(e);
        } catch {
          // a line being written
        }
      }
    }
    if (found.length >= min) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  return found;
}

let gw: Running;
let dnsmasq: ChildProcess;

beforeAll(async () => {
  topo = await createTopology('c');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-router-cli-'));
  fs.chmodSync(tmp, 0o755);
  upstreamCa = await generateCa('Mamori Router Test Upstream CA');
  tenantCa = await generateCa('Mamori Router Test Tenant CA');
  const origin = await issueWithNewKey(await loadCa(upstreamCa), ['site.test', 'bad.test']);
  const s = topo.agents.server;
  expect((await s.call('listenHttp', { port: 80 })).ok).toBe(true);
  expect((await s.call('listenHttps', { port: 443, key: origin.privateKeyPem, cert: origin.certificatePem })).ok).toBe(true);
  expect((await s.call('listenTcp', { port: 8080 })).ok).toBe(true);
  expect((await s.call('listenHttp', { port: 80, host: 'fd99:2::2' })).ok).toBe(true);
  expect((await s.call('listenHttps', { port: 443, host: 'fd99:2::2', key: origin.privateKeyPem, cert: origin.certificatePem })).ok).toBe(true);
  // the upstream resolver the gateway's DNS filter forwards to
  dnsmasq = spawn('ip', [
    'netns', 'exec', topo.server, 'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--user=root', '--group=root',
    '--listen-address=10.99.2.2', '--bind-interfaces', '--address=/site.test/10.99.2.2', '--address=/bad.test/10.99.2.3', `--pid-file=${path.join(tmp, 'dnsmasq.pid')}`, '--log-facility=-',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(dnsmasq);

  // a saved deployment: the default policy with HTTPS decryption on, and the tenant CA
  const data = path.join(tmp, 'gw');
  fs.mkdirSync(data, { mode: 0o700 });
  const input = defaultPolicyInput(10);
  // DoS protection on in the profile: it guards the default allow (and the steered flows)
  input.profiles = input.profiles?.map((p) => ({ ...p, httpsDecryption: { enabled: true }, dos: { enabled: true, newConnectionsPerSourcePerSecond: 20, portScanDetection: false } }));
  const deployment = { version: 7, policy: Policy.parse(input), decryptionCa: tenantCa, gatewayGroups: [] };
  fs.writeFileSync(path.join(data, 'deployment.json'), JSON.stringify(deployment), { mode: 0o600 });
  fs.writeFileSync(path.join(tmp, 'intel.json'), JSON.stringify({ categories: { 'bad.test': ['malware'], 'site.test': ['news'] } }));
  fs.writeFileSync(path.join(tmp, 'upstream-ca.pem'), upstreamCa.certificatePem);
  gw = await startCli(
    ['gateway', '--router', '--lan', 'lan0', '--wan', 'wan0', '--listen', '10.99.1.1:3128', '--dns-upstream', '10.99.2.2:53', '--intel', path.join(tmp, 'intel.json'), '--data-dir', data, '--dos-poll', '300'],
    { netns: topo.gateway, env: { NODE_EXTRA_CA_CERTS: path.join(tmp, 'upstream-ca.pem') }, ready: /Mamori gateway: .*DNS filter on port 53/ },
  );
}, 150_000);

afterAll(async () => {
  if (gw) await stop(gw);
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await topo?.destroy();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, 30_000);

describe('mamori gateway --router (the real CLI in the gateway namespace)', { timeout: 150_000 }, () => {
  it('says it is in router mode with its interfaces, NAT and firewall state', () => {
    expect(gw.err()).toMatch(/router mode on \(nftables v1\.[\d.]+.*\): LAN lan0, WAN wan0 with NAT; firewall off \(default allow\)/);
    expect(gw.out()).toMatch(/mode: router \(LAN lan0, WAN wan0\)/);
  });

  it('answers the LAN client\'s DNS with its DNS filter: allowed names resolve, a blocked name gets the sinkhole', async () => {
    const c = topo.agents.client;
    expect(await c.call('dns', { server: '10.99.1.1', name: 'site.test' })).toMatchObject({ ok: true, addresses: ['10.99.2.2'] });
    expect(await c.call('dns', { server: '10.99.1.1', name: 'bad.test' })).toMatchObject({ ok: true, addresses: ['0.0.0.0'] });
    // a query sent straight to the upstream resolver is steered to the filter too
    expect(await c.call('dns', { server: '10.99.2.2', name: 'bad.test' })).toMatchObject({ ok: true, addresses: ['0.0.0.0'] });
    expect(await c.call('dns', { server: '10.99.2.2', name: 'site.test' })).toMatchObject({ ok: true, addresses: ['10.99.2.2'] });
  });

  it('forwards other traffic with NAT on the WAN', async () => {
    expect(await topo.agents.client.call('tcp', { host: '10.99.2.2', port: 8080 })).toMatchObject({ ok: true, data: 'hello 10.99.2.2:8080 from 10.99.2.1' });
  });

  it('sends HTTP through the transparent proxy: allowed sites load, a blocked category gets the block page', async () => {
    const c = topo.agents.client;
    const ok = await c.call('http', { url: 'http://10.99.2.2/hello?x=1', headers: { host: 'site.test' }, timeoutMs: 20_000 });
    expect(ok).toMatchObject({ ok: true, status: 200, body: 'web site.test /hello?x=1 from 10.99.2.1' });
    const blocked = await c.call('http', { url: 'http://10.99.2.3/payload', headers: { host: 'bad.test', 'accept-language': 'en' }, timeoutMs: 20_000 });
    expect(blocked).toMatchObject({ ok: true, status: 403 });
    expect(String(blocked['body'])).toMatch(/malware/i);
    expect((blocked['headers'] as Record<string, string>)['x-mamori-block-reason']).toBeDefined();
  });

  it('decrypts HTTPS through the transparent proxy with the tenant CA: allowed content, blocked category gets the block page', async () => {
    const c = topo.agents.client;
    const ok = await c.call('https', { host: '10.99.2.2', servername: 'site.test', path: '/secure', ca: tenantCa.certificatePem, timeoutMs: 20_000 });
    expect(ok).toMatchObject({ ok: true, status: 200, body: 'secure site.test /secure from 10.99.2.1', issuer: 'Mamori Router Test Tenant CA' });
    const blocked = await c.call('https', { host: '10.99.2.3', servername: 'bad.test', path: '/x', ca: tenantCa.certificatePem, timeoutMs: 20_000 });
    expect(blocked).toMatchObject({ ok: true, status: 403, issuer: 'Mamori Router Test Tenant CA' });
    expect(String(blocked['body'])).toMatch(/malware/i);
  });

  it('intercepts IPv6 HTTP and HTTPS too; the original destination comes from the socket (IP6T_SO_ORIGINAL_DST)', async () => {
    const c = topo.agents.client;
    const ok = await c.call('http', { url: 'http://[fd99:2::2]/v6-plain', headers: { host: 'site.test' }, timeoutMs: 20_000 });
    expect(ok).toMatchObject({ ok: true, status: 200 });
    expect(String(ok['body'])).toMatch(/^web site\.test \/v6-plain from /);
    const blocked = await c.call('http', { url: 'http://[fd99:2::2]/v6-bad', headers: { host: 'bad.test' }, timeoutMs: 20_000 });
    expect(blocked).toMatchObject({ ok: true, status: 403 });
    const tls = await c.call('https', { host: 'fd99:2::2', servername: 'site.test', path: '/v6-tls', ca: tenantCa.certificatePem, timeoutMs: 20_000 });
    expect(tls).toMatchObject({ ok: true, status: 200, issuer: 'Mamori Router Test Tenant CA' });
    expect(String(tls['body'])).toMatch(/^secure site\.test \/v6-tls from /);
    // the access log has the IPv6 client and the original IPv6 destination of each flow
    const evs = await spoolEvents((e) => e['type'] === 'access' && /\/v6-/.test(String(e['url'] ?? '')), 3);
    for (const path of ['/v6-plain', '/v6-bad', '/v6-tls']) {
      expect(evs.find((e) => String(e['url']).endsWith(path))).toMatchObject({ srcIp: 'fd99:1::2', dstIp: 'fd99:2::2' });
    }
  });

  it('a client without the tenant CA refuses the intercepted certificate', async () => {
    // last: the gateway may then bypass decryption for this host (auto-bypass of failed handshakes)
    const r = await topo.agents.client.call('https', { host: '10.99.2.2', servername: 'site.test', path: '/', ca: upstreamCa.certificatePem, timeoutMs: 20_000 });
    expect(r).toMatchObject({ ok: false });
    expect(String(r.error)).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/);
  });

  it('logs the IPv4 flows with their original destination (SO_ORIGINAL_DST)', async () => {
    const evs = await spoolEvents((e) => e['type'] === 'access' && String(e['url'] ?? '').endsWith('/payload'), 1);
    expect(evs[0]).toMatchObject({ srcIp: '10.99.1.2', dstIp: '10.99.2.3', dstPort: 80, action: 'block', categories: ['malware'] });
  });

  it('logs DoS triggers of the profile as internet-security events with the source address', async () => {
    const b = await topo.agents.client.call('burst', { host: '10.99.2.2', port: 8080, count: 80, timeoutMs: 3000 });
    expect(b['failed']).toBeGreaterThan(0);
    const evs = await spoolEvents((e) => e['type'] === 'security' && e['threatType'] === 'dos', 1);
    expect(evs[0]).toMatchObject({ type: 'security', threatType: 'dos', action: 'block', srcIp: '10.99.1.2', protocol: 'tcp', severity: 'high' });
    expect(String(evs[0]!['signature'])).toMatch(/^new-connection-rate \(limit 20 new connections\/s per source; profile \[10-1\]/);
  });

  it('touches no nftables table but its own', async () => {
    const tables = await topo.gw.run('nft', ['list', 'tables']);
    expect(tables.stdout.trim()).toBe('table inet mamori');
  });
});

describe('mamori gateway --router without root', { timeout: 150_000 }, () => {
  it('falls back to explicit-proxy mode and says so', async () => {
    const data = path.join(tmp, 'nobody');
    fs.mkdirSync(data, { mode: 0o700 });
    fs.chownSync(data, 65534, 65534);
    const r = await startCli(['gateway', '--router', '--lan', 'lan0', '--wan', 'wan0', '--listen', '127.0.0.1:0', '--intel', path.join(tmp, 'intel.json'), '--data-dir', data], {
      netns: topo.gateway,
      asUser: 65534,
      env: { HOME: data },
      ready: /Mamori gateway: explicit proxy on 127\.0\.0\.1:\d+/,
    });
    expect(r.err()).toMatch(/router mode unavailable \(not root and no CAP_NET_ADMIN\): running in explicit-proxy mode/);
    expect(r.out()).toMatch(/mode: explicit-proxy \(router mode unavailable/);
    expect(await stop(r)).toBe(0);
  });
});
