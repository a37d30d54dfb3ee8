/**
 * URL categorization benchmark, side by side with squidGuard (Debian `squidguard`) on the same
 * UT1 lists plus 1M synthetic hosts, in one run:
 *   npx tsx bench/src/urlcat-bench.ts [--queries N] [--sg-queries N] [--synthetic N]
 * Reports database build time, size and load time, lookups per CPU-second on one core (this
 * process is single-threaded; squidGuard is a single-threaded redirector): single lookups on
 * uniformly random queries (the worst case: every lookup a cold cache line), the same through the
 * two batch forms (lookupHosts: category arrays; lookupHostsCatsets: category-set ids into a
 * Uint32Array, allocation-free; both run the WebAssembly kernel, host-kernel.wat, whose memory
 * holds copies of the filter and buckets: reported), and a Zipf-distributed mix (real traffic repeats hosts); the same queries against a
 * tiny database (the compute-bound rate) and what one lookup reads; agreement on the block
 * decision, and the ratios. Query strings are flat, as a proxy has them from parsing a request
 * (V8 reads concatenated "cons" strings several times slower). Not part of `npm test`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { CategoryDbBuilder, ImportReport, importListFiles, loadCategoryDb, loadCategoryDbFile, planUt1, type CategoryDb, type ListFile } from '@mamori/urlcat';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const QUERIES = arg('queries', 2_000_000);
const SG_QUERIES = arg('sg-queries', 200_000);
const SYNTHETIC = arg('synthetic', 1_000_000);
const dataDir = path.resolve(process.env['MAMORI_SHARED_DATA'] ?? '../shared/data');
const ut1 = path.join(dataDir, 'ut1');
const log = (s: string) => process.stdout.write(`${s}\n`);

function ensureSquidGuard(): void {
  if (spawnSync('squidGuard', ['-v']).status === 0 || fs.existsSync('/usr/bin/squidGuard')) return;
  log('installing Debian squidguard ...');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'squidguard'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** Deterministic pseudo-random generator (xorshift32) so both engines see the same hosts. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}
const ALPHA = 'abcdefghijklmnopqrstuvwxyz0123456789';
function word(r: () => number, min: number, max: number): string {
  const n = min + (r() % (max - min + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHA[r() % 26];
  return s;
}
const TLDS = ['com', 'net', 'org', 'jp', 'co.jp', 'de', 'fr', 'info', 'io', 'xyz'];

function syntheticHosts(n: number, seed: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${word(r, 4, 10)}${i.toString(36)}.${word(r, 3, 9)}.${TLDS[r() % TLDS.length]}`);
  return out;
}

/** This process's CPU time: the per-core rate stays meaningful on a machine shared with other work. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Runs squidGuard over the lines; `cpu` is its user+system CPU time (from the shell's `times`). */
async function runSquidGuard(conf: string, lines: string[]): Promise<{ seconds: number; cpu: number; blocked: boolean[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', 'squidGuard -c "$1"; times >&2', 'sg', conf], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (err += d));
    const blocked: boolean[] = [];
    let rest = '';
    const t0 = performance.now();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) blocked.push(p.startsWith('OK'));
    });
    child.on('error', reject);
    child.on('close', () => {
      // `times`: second line is the children's "user sys", e.g. "0m1.234s 0m0.056s"
      const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(err.trim());
      const cpu = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : NaN;
      resolve({ seconds: (performance.now() - t0) / 1000, cpu, blocked });
    });
    let i = 0;
    const write = () => {
      while (i < lines.length) {
        const ok = child.stdin.write(`${lines[i++]}\n`);
        if (!ok) {
          child.stdin.once('drain', write);
          return;
        }
      }
      child.stdin.end();
    };
    write();
  });
}

async function main(): Promise<void> {
  if (!fs.existsSync(ut1)) throw new Error(`no UT1 at ${ut1}; set MAMORI_SHARED_DATA`);
  log(`urlcat benchmark: UT1 ${ut1} + ${SYNTHETIC} synthetic hosts; ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-urlcat-bench-'));
  try {
    // ---- the shared input: UT1 lists + synthetic hosts --------------------------------------
    const plan = planUt1(ut1);
    const synth = syntheticHosts(SYNTHETIC, 12345);
    const synthFile = path.join(work, 'synthetic-domains');
    fs.writeFileSync(synthFile, synth.join('\n') + '\n');
    const files: ListFile[] = [...plan.files, { file: synthFile, mode: 'domains', categories: ['synthetic'], bytes: fs.statSync(synthFile).size }];

    // ---- Mamori ------------------------------------------------------------------------------
    let t = performance.now();
    const builder = new CategoryDbBuilder('bench');
    importListFiles(files, builder, new ImportReport());
    const dbFile = path.join(work, 'intel.mdb');
    fs.writeFileSync(dbFile, builder.build());
    const buildS = (performance.now() - t) / 1000;
    const loads: number[] = [];
    const loadCpu: number[] = [];
    const fullLoads: number[] = [];
    let db: CategoryDb = loadCategoryDbFile(dbFile);
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      const cpu0 = cpuSeconds();
      db = loadCategoryDbFile(dbFile);
      loads.push(performance.now() - t);
      loadCpu.push((cpuSeconds() - cpu0) * 1000);
      t = performance.now();
      loadCategoryDb(fs.readFileSync(dbFile));
      fullLoads.push(performance.now() - t);
    }
    const size = fs.statSync(dbFile).size;
    const c = builder.counts;
    log(`mamori: ${c.hosts} hosts, ${c.urls} URL prefixes, ${c.ipv4} IPv4; build ${buildS.toFixed(1)} s; file ${(size / 1048576).toFixed(1)} MiB; load for lookups (loadCategoryDbFile: read + verify + map, host key list left for enumeration) median ${median(loads).toFixed(1)} ms wall, ${median(loadCpu).toFixed(1)} ms CPU; whole file (readFileSync + loadCategoryDb) ${median(fullLoads).toFixed(1)} ms wall`);

    // queries: half listed (UT1 or synthetic, often with an extra subdomain), half unlisted
    const r = rng(777);
    const ut1Hosts: string[] = [];
    for (const f of plan.files) if (f.mode === 'domains') for (const l of fs.readFileSync(f.file, 'utf8').split('\n')) if (l && !/^[0-9.]+$/.test(l)) ut1Hosts.push(l.trim());
    const unlisted = syntheticHosts(QUERIES, 999);
    const flat = (s: string) => Buffer.from(s, 'latin1').toString('latin1');
    const queries: string[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const k = r() % 4;
      if (k === 0) queries.push(flat(`www.${ut1Hosts[r() % ut1Hosts.length]}`));
      else if (k === 1) queries.push(flat(synth[r() % synth.length] ?? ''));
      else queries.push(flat(`www.${unlisted[i]}`));
    }
    // Zipf (s = 1) over the same hosts, the popular ones picked at random
    const cum: number[] = [];
    let acc = 0;
    for (let i = 0; i < queries.length; i++) cum.push((acc += 1 / (i + 1)));
    const zr = rng(4242);
    const zipf: string[] = [];
    for (let i = 0; i < queries.length; i++) {
      const x = ((zr() / 4294967296) * acc) as number;
      let lo = 0;
      let hi = cum.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((cum[mid] as number) < x) lo = mid + 1;
        else hi = mid;
      }
      // its own copy of the name, as each request carries one (a shared string object would make
      // every repeat a read of one scattered heap object, which a proxy never does)
      zipf.push(flat(queries[(lo * 2654435761) % queries.length] as string));
    }
    const distinctZipf = new Set(zipf).size;
    let hits = 0;
    const single = (d: CategoryDb, qs: string[]) => {
      const rates: number[] = [];
      for (let round = 0; round < 5; round++) {
        const cpu0 = cpuSeconds();
        for (let i = 0; i < qs.length; i++) if (d.lookupHost(qs[i] as string).categories.length > 0) hits++;
        rates.push(qs.length / (cpuSeconds() - cpu0));
      }
      return median(rates);
    };
    // the allocation-free call the gateway's hot path makes (no result object, no matched string)
    const bare = (d: CategoryDb, qs: string[]) => {
      const rates: number[] = [];
      for (let round = 0; round < 5; round++) {
        const cpu0 = cpuSeconds();
        for (let i = 0; i < qs.length; i++) if (d.lookupHostCategories(qs[i] as string).length > 0) hits++;
        rates.push(qs.length / (cpuSeconds() - cpu0));
      }
      return median(rates);
    };
    // filled by the first round (new Array(n) of 100,000 or more elements is a slow dictionary array in V8)
    const out: Array<readonly string[]> = [];
    const batch = (d: CategoryDb, qs: string[]) => {
      const rates: number[] = [];
      for (let round = 0; round < 5; round++) {
        const cpu0 = cpuSeconds();
        d.lookupHosts(qs, out);
        rates.push(qs.length / (cpuSeconds() - cpu0));
      }
      return median(rates);
    };
    // the allocation-free batch form: category-set ids into a Uint32Array
    const ids = new Uint32Array(queries.length);
    const batchIds = (d: CategoryDb, qs: string[]) => {
      const rates: number[] = [];
      for (let round = 0; round < 5; round++) {
        const cpu0 = cpuSeconds();
        d.lookupHostsCatsets(qs, ids);
        rates.push(qs.length / (cpuSeconds() - cpu0));
      }
      return median(rates);
    };
    const tinyBuilder = new CategoryDbBuilder('tiny');
    for (let i = 0; i < 2000; i++) tinyBuilder.addHost(synth[i] ?? '', 'news');
    const tiny = loadCategoryDb(tinyBuilder.build());
    const tinyRate = single(tiny, queries);
    const tinyBareRate = bare(tiny, queries);
    const tinyIdsRate = batchIds(tiny, queries);
    const hostRate = single(db, queries);
    const bareRate = bare(db, queries);
    const batchRate = batch(db, queries);
    const idsRate = batchIds(db, queries);
    log(`mamori: batch kernel (WebAssembly) memory ${(db.batchKernelBytes / 1048576).toFixed(1)} MiB, made on the first batch`);
    let agreeBatch = 0;
    for (let i = 0; i < queries.length; i++) {
      const cats = db.lookupHost(queries[i] as string).categories;
      if (out[i] === cats && db.catsetCategories(ids[i] as number) === cats) agreeBatch++;
    }
    const zipfRate = single(db, zipf);
    const zipfBareRate = bare(db, zipf);
    const zipfBatchRate = batch(db, zipf);
    const zipfIdsRate = batchIds(db, zipf);
    const cost = { filterWords: 0, lines: 0, sharedLines: 0, keyReads: 0 };
    for (const q of queries) {
      const k = db.lookupCost(q);
      cost.filterWords += k.filterWords;
      cost.lines += k.lines;
      cost.sharedLines += k.sharedLines;
      cost.keyReads += k.keyReads;
    }
    const n = queries.length;
    log(`mamori: what one lookup reads (uniform queries, mean): ${(cost.filterWords / n).toFixed(2)} filter words (filter ${(db.filterBytes / 1048576).toFixed(1)} MiB) + ${(cost.lines / n).toFixed(2)} buckets (64-byte lines; ${(cost.sharedLines / n).toFixed(2)} of them of SPLIT parents shared by many hosts; bucket table ${(db.bucketBytes / 1048576).toFixed(1)} MiB of the ${(db.byteLength / 1048576).toFixed(0)} MiB file) + ${(cost.keyReads / n).toFixed(3)} key records; both batch forms agree with single lookups on ${agreeBatch}/${n}`);
    log(`mamori: lookupHost single, uniform random queries ${(hostRate / 1e6).toFixed(2)} M lookups per CPU-second (lookupHostCategories, no result object: ${(bareRate / 1e6).toFixed(2)} M); the same against a 2,000-host database (compute-bound) ${(tinyRate / 1e6).toFixed(2)} M (${(tinyBareRate / 1e6).toFixed(2)} M; batch lookupHostsCatsets ${(tinyIdsRate / 1e6).toFixed(2)} M); batch lookupHosts ${(batchRate / 1e6).toFixed(2)} M, lookupHostsCatsets ${(idsRate / 1e6).toFixed(2)} M; Zipf mix (${distinctZipf} distinct of ${n}) single ${(zipfRate / 1e6).toFixed(2)} M (${(zipfBareRate / 1e6).toFixed(2)} M), batch ${(zipfBatchRate / 1e6).toFixed(2)} M (lookupHostsCatsets ${(zipfIdsRate / 1e6).toFixed(2)} M) (${n} queries, 5 rounds, median)`);
    const urlQueries = queries.slice(0, Math.min(queries.length, 500_000)).map((h, i) => `http://${h}/path/${i % 97}/index.html?q=${i}`);
    const urlRates: number[] = [];
    for (let round = 0; round < 3; round++) {
      const cpu0 = cpuSeconds();
      for (const u of urlQueries) if (db.lookupUrl(u).categories.length > 0) hits++;
      urlRates.push(urlQueries.length / (cpuSeconds() - cpu0));
    }
    const urlRate = median(urlRates);
    log(`mamori: lookupUrl ${(urlRate / 1e6).toFixed(2)} M per CPU-second; hits counted ${hits}`);

    // ---- squidGuard on the same lists ----------------------------------------------------------
    ensureSquidGuard();
    const sgDb = path.join(work, 'sg-db');
    const dests: string[] = [];
    for (const f of files) {
      const dest = f.file === synthFile ? 'synthetic' : path.basename(path.dirname(f.file)).replace(/[^a-z0-9_]/gi, '_');
      // host lookups are compared: the (few) UT1 regular-expression files are left out of both sides' query path
      if (f.unsupported || f.expressions) continue;
      fs.mkdirSync(path.join(sgDb, dest), { recursive: true });
      fs.copyFileSync(f.file, path.join(sgDb, dest, f.mode === 'urls' ? 'urls' : 'domains'));
      if (!dests.includes(dest)) dests.push(dest);
    }
    const conf = path.join(work, 'squidGuard.conf');
    const destBlocks = dests
      .map((d) => {
        const lines = [`dest ${d} {`];
        if (fs.existsSync(path.join(sgDb, d, 'domains'))) lines.push(`\tdomainlist ${d}/domains`);
        if (fs.existsSync(path.join(sgDb, d, 'urls'))) lines.push(`\turllist ${d}/urls`);
        lines.push('}');
        return lines.join('\n');
      })
      .join('\n');
    fs.mkdirSync(path.join(work, 'sg-log'));
    fs.writeFileSync(conf, `dbhome ${sgDb}\nlogdir ${path.join(work, 'sg-log')}\n${destBlocks}\nacl {\n\tdefault {\n\t\tpass ${dests.map((d) => `!${d}`).join(' ')} all\n\t\tredirect http://blocked.invalid/?c=%t\n\t}\n}\n`);
    t = performance.now();
    execFileSync('squidGuard', ['-c', conf, '-C', 'all'], { stdio: 'inherit' });
    const sgBuildS = (performance.now() - t) / 1000;
    let sgSize = 0;
    for (const d of dests) for (const f of fs.readdirSync(path.join(sgDb, d))) if (f.endsWith('.db')) sgSize += fs.statSync(path.join(sgDb, d, f)).size;
    const sgLines = queries.slice(0, SG_QUERIES).map((h) => `http://${h}/ 10.0.0.1/- - GET`);
    // startup (opening every .db) is timed separately with a one-line run
    const startup = await runSquidGuard(conf, [sgLines[0] ?? '']);
    const sg = await runSquidGuard(conf, sgLines);
    const sgRate = sgLines.length / Math.max(1e-9, sg.cpu - startup.cpu);
    const sgWall = sgLines.length / Math.max(1e-9, sg.seconds - startup.seconds);
    log(`squidGuard: build (-C all) ${sgBuildS.toFixed(1)} s; .db files ${(sgSize / 1048576).toFixed(1)} MiB; startup ${(startup.seconds * 1000).toFixed(0)} ms; ${(sgRate / 1e3).toFixed(1)} k lookups per CPU-second (wall-clock ${(sgWall / 1e3).toFixed(1)} k/s; ${sgLines.length} queries through the redirector protocol, startup subtracted)`);
    let agree = 0;
    for (let i = 0; i < sg.blocked.length; i++) if (sg.blocked[i] === db.lookupHost(queries[i] as string).categories.length > 0) agree++;
    log(`agreement on listed/not listed: ${agree}/${sg.blocked.length} (${((100 * agree) / Math.max(1, sg.blocked.length)).toFixed(2)}%)`);
    const met = (x: number) => (x >= 5e6 ? 'met' : 'not met');
    log(`ratios: lookups per CPU-second mamori/squidGuard: single uniform ${(hostRate / sgRate).toFixed(0)}x, batch ${(batchRate / sgRate).toFixed(0)}x (lookupHostsCatsets ${(idsRate / sgRate).toFixed(0)}x), Zipf single ${(zipfRate / sgRate).toFixed(0)}x (target >= 20x; >= 5M/s/core: single uniform ${met(hostRate)}, lookupHostCategories uniform ${met(bareRate)}, batch lookupHosts uniform ${met(batchRate)}, lookupHostsCatsets uniform ${met(idsRate)}, Zipf ${met(zipfRate)}, lookupHostCategories Zipf ${met(zipfBareRate)}, lookupHosts Zipf ${met(zipfBatchRate)}, lookupHostsCatsets Zipf ${met(zipfIdsRate)}); build time mamori/squidGuard ${(buildS / sgBuildS).toFixed(2)}x; size mamori/squidGuard ${(size / sgSize).toFixed(2)}x; load (loadCategoryDbFile) mamori/squidGuard startup ${(median(loads) / (startup.seconds * 1000)).toFixed(2)}x (each below 1: Mamori builds faster, is smaller, loads faster)`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
