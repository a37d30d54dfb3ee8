/**
 * Proxy benchmark (not part of npm test): Mamori's web proxy vs Squid (squid-openssl, ssl-bump)
 * and e2guardian (SSL MITM), all with the same block list, for plain HTTP and intercepted HTTPS.
 * Reports requests/s at a fixed concurrency and the latency added over a direct request (p50,
 * p99 at concurrency 1). Installs and configures the anchors itself (Debian, root).
 *
 * Traffic is a realistic mix, the same for every proxy: each request picks one of `--hosts` site
 * names (`site-<i>.bench.test`, all resolving to the local origin through the bench's own hosts
 * file) and one of `--paths` paths at random, so leaf certificates (one per SNI), decision caches,
 * URL lookups and upstream connection pools are exercised per host. A warm-up pass (1.5 s) runs
 * first, so leaf certificates and most per-URL caches are warm when the timed run starts.
 *
 *   npx tsx bench/src/proxy-bench.ts [--seconds 8] [--concurrency 32] [--hosts 100] [--paths 200] [--only mamori,squid,e2guardian]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import readline from 'node:readline';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import { generateCa, issueWithNewKey, loadCa } from '@mamori/gateway';
import { hostsLookup, siteNames, urlMix, writeHostsFile } from './proxy/hosts.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const SECONDS = Number(arg('seconds', '8'));
const CONC = Number(arg('concurrency', '32'));
const HOSTS = Number(arg('hosts', '100'));
const PATHS = Number(arg('paths', '200'));
const ONLY = new Set(arg('only', 'mamori,squid,e2guardian').split(','));
const HERE = path.dirname(new URL(import.meta.url).pathname);
const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function sh(cmd: string, a: string[], opts: { allowFail?: boolean } = {}): string {
  try {
    return execFileSync(cmd, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (opts.allowFail) return '';
    throw e;
  }
}

function ensurePackages(): void {
  const need = [['squid', 'squid-openssl'], ['e2guardian', 'e2guardian']].filter(([bin]) => !sh('sh', ['-c', `command -v ${bin} || true`]).trim()).map(([, pkg]) => pkg!);
  if (need.length === 0) return;
  console.log(`installing ${need.join(', ')} ...`);
  sh('apt-get', ['update', '-qq']);
  execFileSync('apt-get', ['install', '-y', '-qq', ...need], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

async function waitPort(port: number, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.destroy(), r(true)));
      c.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function startTs(script: string, a: string[]): Promise<Record<string, number>> {
  const c = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, script), ...a], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(c);
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: c.stdout! }).once('line', (l) => resolve(JSON.parse(l) as Record<string, number>));
    c.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
}

interface Result {
  rps: number;
  /** the proxy process's user+system CPU per request in the timed run, µs (NaN when not known) */
  cpuUs: number;
  errors: number;
  p50: number;
  p99: number;
}

function pct(v: number[], p: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function run(d: Dispatcher, nextUrl: () => string, conc: number, seconds: number): Promise<{ n: number; errors: number; lat: number[] }> {
  const lat: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const r = await request(nextUrl(), { dispatcher: d });
        await r.body.dump();
        if (r.statusCode !== 200) errors++;
        else lat.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: conc }, worker));
  return { n: lat.length, errors, lat };
}

/** user+system CPU time of a process, ms (Linux /proc) */
function cpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks of 10 ms
}

async function measure(mk: () => Dispatcher, mix: () => () => string, pid?: number): Promise<Result> {
  const d = mk();
  await run(d, mix(), CONC, 1.5); // warm: connections, leaf certificates, caches
  const c0 = cpuMs(pid);
  const t = await run(d, mix(), CONC, SECONDS);
  const cpuUs = ((cpuMs(pid) - c0) * 1000) / Math.max(1, t.n);
  await d.close();
  const d1 = mk();
  await run(d1, mix(), 1, 0.5);
  const l = await run(d1, mix(), 1, Math.max(3, SECONDS / 2));
  await d1.close();
  return { rps: t.n / SECONDS, cpuUs, errors: t.errors + l.errors, p50: pct(l.lat, 50), p99: pct(l.lat, 99) };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (installs and runs squid/e2guardian)');
  ensurePackages();
  const load0 = os.loadavg();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-proxy-bench-'));
  fs.chmodSync(dir, 0o755);
  // PKI: upstream CA + origin certificate; tenant CA (Mamori, ECDSA); RSA CAs made by openssl for the anchors
  const upstreamCa = await generateCa('Bench Upstream CA');
  const names = siteNames(HOSTS);
  const hostsFile = path.join(dir, 'hosts');
  writeHostsFile(hostsFile, names);
  const lookup = hostsLookup(hostsFile);
  const origin = await issueWithNewKey(await loadCa(upstreamCa), ['localhost', '127.0.0.1', ...names]);
  const tenant = await generateCa('Bench Tenant CA');
  const w = (f: string, s: string) => fs.writeFileSync(path.join(dir, f), s);
  w('upstream-ca.pem', upstreamCa.certificatePem);
  w('origin.pem', origin.certificatePem);
  w('origin.key', origin.privateKeyPem);
  w('tenant-ca.pem', tenant.certificatePem);
  w('tenant-ca.key', tenant.privateKeyPem);
  sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'anchor-ca.key'), '-out', path.join(dir, 'anchor-ca.pem'), '-days', '30', '-subj', '/CN=Bench Anchor CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  // the same block list for everyone: 1000 synthetic domains
  const blocked = Array.from({ length: 1000 }, (_, i) => `blocked-${i}.example.net`);
  w('blocklist.txt', blocked.join('\n') + '\n');

  const ports = await startTs('proxy/origin-server.ts', [dir]);
  const httpsPort = ports['https'] === 443 ? '' : `:${ports['https']}`;
  const httpMix = () => urlMix((h) => `http://${h}:${ports['http']}`, names, PATHS, 7);
  const httpsMix = () => urlMix((h) => `https://${h}${httpsPort}`, names, PATHS, 11);
  const httpsUrl = `https://${names[0]}${httpsPort}/obj/0`;
  if (ports['https'] !== 443) console.log(`note: 127.0.0.1:443 is taken, HTTPS origin on ${ports['https']}: e2guardian only intercepts CONNECTs to port 443, so its HTTPS row is a plain tunnel`);
  const upstreamCaPem = upstreamCa.certificatePem;
  const anchorCaPem = fs.readFileSync(path.join(dir, 'anchor-ca.pem'), 'utf8');

  const rows: Array<{ name: string; http: Result; https: Result }> = [];
  const direct = {
    name: 'direct',
    http: await measure(() => new Agent({ connections: CONC, connect: { lookup } }), httpMix),
    https: await measure(() => new Agent({ connections: CONC, connect: { ca: upstreamCaPem, lookup } }), httpsMix),
  };
  rows.push(direct);
  console.log('direct done');

  const viaProxy = async (name: string, port: number, caPem: string, pid?: number) => {
    const uri = `http://127.0.0.1:${port}`;
    const http = await measure(() => new ProxyAgent({ uri, proxyTunnel: false, connections: CONC }), httpMix, pid);
    const https = await measure(() => new ProxyAgent({ uri, connections: CONC, requestTls: { ca: caPem } }), httpsMix, pid);
    rows.push({ name, http, https });
    console.log(`${name} done`);
  };

  if (ONLY.has('mamori')) {
    const m = await startTs('proxy/mamori-server.ts', [dir, path.join(dir, 'blocklist.txt'), hostsFile]);
    await viaProxy('mamori', m['port']!, tenant.certificatePem, children.at(-1)?.pid);
    children.at(-1)?.kill('SIGKILL');
  }
  if (ONLY.has('squid')) {
    const port = await freePort();
    fs.mkdirSync(path.join(dir, 'squid'), { recursive: true });
    sh('/usr/lib/squid/security_file_certgen', ['-c', '-s', path.join(dir, 'squid', 'ssl_db'), '-M', '16MB']);
    w('squid/blocked.txt', blocked.map((b) => `.${b}`).join('\n') + '\n');
    w(
      'squid/squid.conf',
      `http_port 127.0.0.1:${port} ssl-bump generate-host-certificates=on dynamic_cert_mem_cache_size=16MB tls-cert=${dir}/anchor-ca.pem tls-key=${dir}/anchor-ca.key
sslcrtd_program /usr/lib/squid/security_file_certgen -s ${dir}/squid/ssl_db -M 16MB
sslcrtd_children 5
acl step1 at_step SslBump1
ssl_bump peek step1
ssl_bump bump all
tls_outgoing_options cafile=${dir}/upstream-ca.pem
hosts_file ${hostsFile}
acl blocked dstdomain "${dir}/squid/blocked.txt"
http_access deny blocked
http_access allow all
cache deny all
cache_mem 8 MB
access_log stdio:${dir}/squid/access.log
cache_log ${dir}/squid/cache.log
pid_filename ${dir}/squid/squid.pid
coredump_dir ${dir}/squid
cache_effective_user proxy
workers 1
shutdown_lifetime 0 seconds
`,
    );
    sh('chown', ['-R', 'proxy:proxy', path.join(dir, 'squid')]);
    fs.chmodSync(path.join(dir, 'anchor-ca.key'), 0o644);
    const c = spawn('squid', ['-N', '-f', path.join(dir, 'squid', 'squid.conf')], { stdio: 'inherit' });
    children.push(c);
    await waitPort(port);
    await viaProxy('squid', port, anchorCaPem, c.pid);
    c.kill('SIGKILL');
  }
  if (ONLY.has('e2guardian')) {
    try {
      const port = await freePort();
      const e = path.join(dir, 'e2g');
      sh('cp', ['-r', '/etc/e2guardian', e]);
      fs.mkdirSync(path.join(e, 'private', 'generatedcerts'), { recursive: true });
      fs.copyFileSync(path.join(dir, 'anchor-ca.pem'), path.join(e, 'private', 'ca.pem'));
      fs.copyFileSync(path.join(dir, 'anchor-ca.key'), path.join(e, 'private', 'ca.key'));
      sh('openssl', ['genrsa', '-out', path.join(e, 'private', 'cert.key'), '2048']);
      fs.mkdirSync(path.join(e, 'certs'), { recursive: true });
      fs.copyFileSync(path.join(dir, 'upstream-ca.pem'), path.join(e, 'certs', 'upstream-ca.pem'));
      for (const f of fs.readdirSync('/etc/ssl/certs')) if (f.endsWith('.pem')) fs.copyFileSync(path.join('/etc/ssl/certs', f), path.join(e, 'certs', f));
      sh('openssl', ['rehash', path.join(e, 'certs')], { allowFail: true });
      const banned = path.join(e, 'lists', 'bannedsitelist');
      fs.appendFileSync(banned, '\n' + blocked.join('\n') + '\n');
      let conf = fs.readFileSync(path.join(e, 'e2guardian.conf'), 'utf8');
      const set = (k: string, v: string) => {
        const re = new RegExp(`^#?\\s*${k}\\s*=.*$`, 'm');
        conf = re.test(conf) ? conf.replace(re, `${k} = ${v}`) : conf + `\n${k} = ${v}\n`;
      };
      conf = conf.split('/etc/e2guardian').join(e);
      set('filterip', '127.0.0.1');
      set('filterports', String(port));
      set('proxyip', '');
      set('enablessl', 'on');
      set('cacertificatepath', `'${e}/private/ca.pem'`);
      set('caprivatekeypath', `'${e}/private/ca.key'`);
      set('certprivatekeypath', `'${e}/private/cert.key'`);
      set('generatedcertpath', `'${e}/private/generatedcerts/'`);
      set('sslcertificatepath', `'${e}/certs/'`);
      set('nodaemon', 'on');
      set('pidfilename', `'${e}/e2g.pid'`);
      set('loglocation', `'${e}/access.log'`);
      set('httpworkers', '200');
      // e2guardian's forged certificates default to 2014-12-06 .. 2024-12-05 (expired): give them a current validity
      const now = Math.floor(Date.now() / 1000);
      set('generatedcertstart', String(now - 86_400));
      set('generatedcertend', String(now + 365 * 86_400));
      fs.writeFileSync(path.join(e, 'e2guardian.conf'), conf);
      let f1 = fs.readFileSync(path.join(e, 'e2guardianf1.conf'), 'utf8');
      f1 = f1.split('/etc/e2guardian').join(e).replace(/^sslmitm\s*=.*$/m, 'sslmitm = on');
      fs.writeFileSync(path.join(e, 'e2guardianf1.conf'), f1);
      sh('chown', ['-R', 'e2guardian:e2guardian', e], { allowFail: true });
      // e2guardian resolves through /etc/hosts: give it the bench's hosts file in its own mount namespace
      const c = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount --bind ${hostsFile} /etc/hosts && exec e2guardian -c ${path.join(e, 'e2guardian.conf')} -N`], { stdio: 'inherit' });
      children.push(c);
      await waitPort(port);
      if (process.env['BENCH_DEBUG']) {
        console.log(sh('sh', ['-c', `curl -sv --max-time 5 --cacert ${dir}/anchor-ca.pem -x http://127.0.0.1:${port} ${httpsUrl} 2>&1 | tail -15`], { allowFail: true }));
      }
      await viaProxy('e2guardian', port, anchorCaPem);
      c.kill('SIGKILL');
    } catch (err) {
      console.log(`e2guardian: ${(err as Error).message}`);
    }
  }

  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
  console.log(`\nconcurrency ${CONC}, ${SECONDS} s per run, 1 KiB responses, ${HOSTS} hosts x ${PATHS} paths at random, latency at concurrency 1 (ms)`);
  console.log(`load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('proxy       | HTTP req/s | +p50  | +p99  | HTTPS req/s | +p50  | +p99  | errors | CPU µs/req HTTP / HTTPS');
  for (const r of rows) {
    const add = (x: number, base: number) => (r.name === 'direct' ? x : x - base);
    console.log(
      `${r.name.padEnd(11)} | ${r.http.rps.toFixed(0).padStart(10)} | ${f(add(r.http.p50, direct.http.p50)).padStart(5)} | ${f(add(r.http.p99, direct.http.p99)).padStart(5)} | ${r.https.rps.toFixed(0).padStart(11)} | ${f(add(r.https.p50, direct.https.p50)).padStart(5)} | ${f(add(r.https.p99, direct.https.p99)).padStart(5)} | ${String(r.http.errors + r.https.errors).padStart(6)} | ${f(r.http.cpuUs)} / ${f(r.https.cpuUs)}`,
    );
  }
  const m = rows.find((r) => r.name === 'mamori');
  for (const other of rows.filter((r) => r.name !== 'mamori' && r.name !== 'direct')) {
    if (m) console.log(`mamori / ${other.name}: HTTP ${(m.http.rps / other.http.rps).toFixed(2)}x, HTTPS ${(m.https.rps / other.https.rps).toFixed(2)}x`);
  }
  process.exit(0);
}

await main();
