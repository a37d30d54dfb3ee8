/**
 * Profiling harness for the proxy alone (no anchors): starts the bench origin and the Mamori proxy
 * (optionally under `node --cpu-prof`), drives load through it and prints requests/s.
 *
 * Same request mix as the bench: random over `--hosts` site names x `--paths` paths.
 *
 *   npx tsx bench/src/proxy/load.ts [--seconds 6] [--concurrency 32] [--hosts 100] [--paths 200] [--https] [--prof <dir>] [--data-path h1|node]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { ProxyAgent, request } from 'undici';
import { generateCa, issueWithNewKey, loadCa } from '@mamori/gateway';
import { siteNames, urlMix, writeHostsFile } from './hosts.js';

const args = process.argv.slice(2);
const arg = (n: string, d: string) => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : d;
};
const SECONDS = Number(arg('seconds', '6'));
const CONC = Number(arg('concurrency', '32'));
const HTTPS = args.includes('--https');
const names = siteNames(Number(arg('hosts', '100')));
const PATHS = Number(arg('paths', '200'));
const PROF = arg('prof', '');
const DATA_PATH = arg('data-path', 'h1');
const HERE = path.dirname(new URL(import.meta.url).pathname);
const kids: ChildProcess[] = [];
process.env['MAMORI_DATA_PATH'] = DATA_PATH;
process.on('exit', () => kids.forEach((c) => c.kill('SIGKILL')));

function start(script: string, a: string[], node: string[] = []): Promise<{ child: ChildProcess; info: Record<string, number> }> {
  const c = spawn(process.execPath, [...node, '--import', 'tsx', path.join(HERE, script), ...a], { stdio: ['ignore', 'pipe', 'inherit'] });
  kids.push(c);
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: c.stdout! }).once('line', (l) => resolve({ child: c, info: JSON.parse(l) as Record<string, number> }));
    c.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-proxy-load-'));
const upstreamCa = await generateCa('Load Upstream CA');
const origin = await issueWithNewKey(await loadCa(upstreamCa), ['localhost', '127.0.0.1', ...names]);
writeHostsFile(path.join(dir, 'hosts'), names);
const tenant = await generateCa('Load Tenant CA');
const w = (f: string, s: string) => fs.writeFileSync(path.join(dir, f), s);
w('upstream-ca.pem', upstreamCa.certificatePem);
w('origin.pem', origin.certificatePem);
w('origin.key', origin.privateKeyPem);
w('tenant-ca.pem', tenant.certificatePem);
w('tenant-ca.key', tenant.privateKeyPem);
w('blocklist.txt', Array.from({ length: 1000 }, (_, i) => `blocked-${i}.example.net`).join('\n') + '\n');
const o = await start('origin-server.ts', [dir]);
const m = await start('mamori-server.ts', [dir, path.join(dir, 'blocklist.txt'), path.join(dir, 'hosts')], PROF ? ['--cpu-prof', `--cpu-prof-dir=${PROF}`] : []);
const nextUrl = urlMix((h) => (HTTPS ? `https://${h}:${o.info['https']}` : `http://${h}:${o.info['http']}`), names, PATHS, 3);
const d = new ProxyAgent({ uri: `http://127.0.0.1:${m.info['port']}`, proxyTunnel: HTTPS, connections: CONC, ...(HTTPS ? { requestTls: { ca: tenant.certificatePem } } : {}) });
async function run(seconds: number): Promise<{ n: number; errors: number }> {
  let n = 0;
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (performance.now() < end) {
        try {
          const r = await request(nextUrl(), { dispatcher: d });
          await r.body.dump();
          if (r.statusCode === 200) n++;
          else errors++;
        } catch {
          errors++;
        }
      }
    }),
  );
  return { n, errors };
}
/** user+system CPU time of a process, ms (Linux /proc) */
function cpuMs(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}
await run(1.5);
const c0 = cpuMs(m.child.pid!);
const r = await run(SECONDS);
const c1 = cpuMs(m.child.pid!);
// CPU per request is what the proxy costs, independent of what else runs on the machine
console.log(JSON.stringify({ mode: HTTPS ? 'https' : 'http', dataPath: DATA_PATH, rps: Math.round(r.n / SECONDS), errors: r.errors, proxyCpuUsPerReq: Math.round(((c1 - c0) * 1000) / Math.max(1, r.n)) }));
await d.close();
m.child.kill('SIGTERM');
await new Promise((res) => m.child.once('exit', res));
process.exit(0);
