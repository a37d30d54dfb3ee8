/** Bench: the Mamori web proxy with full inspection, in its own process. argv: certDir blocklistFile [hostsFile] */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { Policy, defaultPolicyInput } from '@mamori/policy';
import { loadStarterDb } from '@mamori/urlcat';
import { hostsLookup } from './hosts.js';
import { GatewayRuntime, WebProxy, LeafCache, Spool, compileEngine, engineIntel } from '@mamori/gateway';

const [dir = '', listFile = '', hostsFile = ''] = process.argv.slice(2);
const p = defaultPolicyInput(10);
p.profiles = [{ id: 'default-profile', name: 'bench', httpsDecryption: { enabled: true, smartBypass: true } }];
p.blockList = fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean).map((value) => ({ value }));
const policy = Policy.parse(p);
const intel = engineIntel(loadStarterDb());
const leaves = await LeafCache.create({ certificatePem: fs.readFileSync(path.join(dir, 'tenant-ca.pem'), 'utf8'), privateKeyPem: fs.readFileSync(path.join(dir, 'tenant-ca.key'), 'utf8') });
const spool = Spool.open(path.join(dir, 'mamori-spool'));
const rt = new GatewayRuntime({ engine: compileEngine(policy, 1, intel), leaves }, intel, { emit: (e) => void spool.append(e) }, pino({ level: 'warn' }));
// MAMORI_DATA_PATH=node: the node:http + undici path, for comparison with the default data path
const dataPath = process.env['MAMORI_DATA_PATH'] === 'node' ? 'node' : 'h1';
const proxy = new WebProxy(rt, { dataPath, upstream: { extraCaPem: [fs.readFileSync(path.join(dir, 'upstream-ca.pem'), 'utf8')], ...(hostsFile ? { lookup: hostsLookup(hostsFile) } : {}) } });
const addr = await proxy.listen(0, '127.0.0.1');
process.stdout.write(JSON.stringify({ port: addr.port }) + '\n');
process.on('SIGTERM', () => {
  if (process.env['BENCH_STATS']) process.stderr.write(JSON.stringify({ counters: rt.counters, decisions: { hits: rt.decisions.hits, misses: rt.decisions.misses }, leaves: leaves.minted, pool: proxy.pool.stats }) + '\n');
  process.exit(0);
});
