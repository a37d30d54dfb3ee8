/**
 * `npm run bench`: every benchmark under bench/, one after the other, each side by side with its
 * anchor as the benchmark itself arranges. `--quick` runs each with smaller sizes (what CI runs);
 * `--only a,b` picks some. A benchmark that fails or overruns its time is reported, and the
 * others still run; the exit code is non-zero only with `--strict`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Bench {
  name: string;
  file: string;
  full: string[];
  quick: string[];
  /** seconds before the run is stopped */
  limit: number;
}

const BENCHES: Bench[] = [
  { name: 'policy', file: 'policy-evaluate.ts', full: [], quick: [], limit: 300 },
  { name: 'urlcat', file: 'urlcat-bench.ts', full: [], quick: ['--queries', '500000', '--sg-queries', '50000', '--synthetic', '1000000'], limit: 900 },
  { name: 'appid', file: 'appid-bench.ts', full: [], quick: [], limit: 600 },
  { name: 'proxy', file: 'proxy-bench.ts', full: [], quick: ['--seconds', '4', '--concurrency', '32'], limit: 900 },
  { name: 'firewall', file: 'firewall-bench.ts', full: [], quick: [], limit: 900 },
  { name: 'events', file: 'events-bench.ts', full: ['--stores', 'duckdb,duckdb-worker,sqlite,postgres', '--ingest', '1000000', '--sizes', '10000000,50000000'], quick: ['--stores', 'duckdb,duckdb-worker,sqlite', '--ingest', '200000', '--sizes', '1000000', '--reps', '5'], limit: 5400 },
  // the embedded default under a paced stream of 200k events/s (open loop): whether the loader keeps up, and its backlog per second
  { name: 'events-sustained', file: 'events-bench.ts', full: ['--stores', 'duckdb', '--ingest', '1000000', '--span-hours', '1', '--rate', '200000', '--repeat', '16'], quick: ['--stores', 'duckdb', '--ingest', '200000', '--span-hours', '1', '--rate', '200000', '--repeat', '5'], limit: 900 },
  { name: 'dashboard', file: 'dashboard-bench.ts', full: ['--events', '100000,1000000', '--loads', '10'], quick: ['--events', '20000', '--loads', '5'], limit: 1800 },
];

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const strict = argv.includes('--strict');
const onlyArg = argv.find((a) => a.startsWith('--only'));
const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1]! : argv[argv.indexOf(onlyArg) + 1]!).split(',') : null;
const here = path.dirname(fileURLToPath(import.meta.url));

function run(b: Bench): Promise<{ code: number | null; timedOut: boolean; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, b.file), ...(quick ? b.quick : b.full)], { stdio: 'inherit' });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, b.limit * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const summary: string[] = [];
let failed = 0;
for (const b of BENCHES) {
  if (only && !only.includes(b.name)) continue;
  process.stdout.write(`\n== bench ${b.name}${quick ? ' (quick)' : ''}\n`);
  const r = await run(b);
  const ok = r.code === 0 && !r.timedOut;
  if (!ok) failed++;
  summary.push(`${b.name}: ${ok ? 'ok' : r.timedOut ? `stopped after ${b.limit}s` : `failed (exit ${r.code})`} in ${r.seconds.toFixed(0)}s`);
}
process.stdout.write(`\n== bench summary\n${summary.join('\n')}\n`);
if (strict && failed > 0) process.exit(1);
