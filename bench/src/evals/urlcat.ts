/**
 * URL categorization and web reputation against the real corpora:
 *  - a database built from all of UT1 agrees with the UT1 lists it imported (every entry looks up
 *    to its mapped categories); build time, size and load time;
 *  - web reputation false positives on the OpenDNS benign sets (target < 0.5% dangerous);
 *  - heuristic-only detection of UT1 malware/phishing and ET C&C domains with those lists NOT
 *    loaded (only the starter database).
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CategoryDbBuilder,
  ImportReport,
  importListFiles,
  isDangerous,
  loadCategoryDb,
  loadStarterDb,
  parseListLine,
  planUt1,
  reputation,
  type CategoryDb,
  type Sensitivity,
} from '@mamori/urlcat';
import type { Evaluation } from '../eval.js';

const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(2)}%`);

function readLines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

/** Hosts of a threat list in any of the supported list syntaxes. */
function hostsOf(file: string): string[] {
  const out: string[] = [];
  for (const l of readLines(file)) {
    const e = parseListLine(l, 'auto');
    if (e.kind === 'host') out.push(e.host);
  }
  return out;
}

function agreement(dir: string, db: CategoryDb, files: ReturnType<typeof planUt1>['files']): void {
  let checked = 0;
  let agree = 0;
  let hostLookups = 0;
  let hostCpu = 0;
  const misses: string[] = [];
  const check = (f: (typeof files)[number], line: string, categories: readonly string[]) => {
    checked++;
    if (f.categories.every((c) => categories.includes(c))) agree++;
    else if (misses.length < 5) misses.push(`${path.relative(dir, f.file)}: ${line} -> [${categories.join(',')}]`);
  };
  for (const f of files) {
    if (f.unsupported || f.expressions) continue;
    // a list's hosts are looked up in one batch (the allocation-free form); URLs and IPs one by one
    const hosts: string[] = [];
    const hostLines: string[] = [];
    for (const line of readLines(f.file)) {
      const e = parseListLine(line, f.mode);
      if (e.kind === 'error' || e.kind === 'ignore') continue;
      if (e.kind === 'host') {
        hosts.push(e.host);
        hostLines.push(line);
      } else check(f, line, (e.kind === 'url' ? db.lookupUrl(`${e.host}${e.path}`) : db.lookupIp(line)).categories);
    }
    const ids = new Uint32Array(hosts.length);
    const cpu0 = process.cpuUsage();
    db.lookupHostsCatsets(hosts, ids);
    const cpu = process.cpuUsage(cpu0);
    hostCpu += (cpu.user + cpu.system) / 1e6;
    hostLookups += hosts.length;
    for (let i = 0; i < hosts.length; i++) check(f, hostLines[i] as string, db.catsetCategories(ids[i] as number));
  }
  process.stdout.write(`UT1 agreement: ${agree}/${checked} entries look up to their mapped categories (${pct(agree, checked)}); ${hostLookups} host entries in list batches (lookupHostsCatsets) at ${(hostLookups / Math.max(1e-9, hostCpu) / 1e6).toFixed(2)} M per CPU-second\n`);
  for (const m of misses) process.stdout.write(`  miss: ${m}\n`);
}

function flagged(hosts: string[], db: CategoryDb, sensitivity: Sensitivity): { n: number; examples: string[] } {
  let n = 0;
  const examples: string[] = [];
  for (const h of hosts) {
    const r = reputation(h, db);
    if (isDangerous(r.score, sensitivity)) {
      n++;
      if (examples.length < 6) examples.push(`${h} (${r.score}: ${r.reasons.join('; ')})`);
    }
  }
  return { n, examples };
}

export const urlcatEvaluation: Evaluation = {
  name: 'urlcat: UT1 agreement, web reputation false positives and heuristic detection',
  async run(dataDir: string): Promise<void> {
    const ut1 = path.join(dataDir, 'ut1');
    const threat = path.join(dataDir, 'threat');

    // 1. full UT1 database
    let t = performance.now();
    const plan = planUt1(ut1);
    const builder = new CategoryDbBuilder('ut1-eval');
    const report = new ImportReport();
    importListFiles(plan.files, builder, report);
    const buf = builder.build();
    const buildMs = performance.now() - t;
    t = performance.now();
    const ut1Db = loadCategoryDb(buf);
    const loadMs = performance.now() - t;
    const c = builder.counts;
    process.stdout.write(
      `UT1 build: ${report.lines} lines, ${report.added} entries, ${report.skippedTotal} skipped, ${c.hosts} hosts, ${c.urls} URL prefixes, ${c.ipv4} IPv4; ` +
        `${(buf.length / 1048576).toFixed(1)} MiB in ${(buildMs / 1000).toFixed(1)} s; load ${loadMs.toFixed(1)} ms\n`,
    );
    for (const [reason, r] of report.skipped) process.stdout.write(`  skipped ${r.count}: ${reason}\n`);
    agreement(ut1, ut1Db, plan.files);

    // 2. false positives on benign sets
    const starter = loadStarterDb();
    const benign: Array<[string, string[]]> = [
      ['opendns-top', hostsOf(path.join(threat, 'opendns-top-domains.txt'))],
      ['opendns-random', hostsOf(path.join(threat, 'opendns-random-domains.txt'))],
    ];
    for (const [name, hosts] of benign) {
      for (const [dbName, db] of [['starter db (heuristics)', starter], ['UT1 db', ut1Db]] as const) {
        const parts: string[] = [];
        for (const s of ['low', 'medium', 'high'] as const) {
          const f = flagged(hosts, db, s);
          parts.push(`${s} ${f.n} (${pct(f.n, hosts.length)})`);
          if (s === 'medium') for (const ex of f.examples) process.stdout.write(`    FP ${name}/${dbName}: ${ex}\n`);
        }
        process.stdout.write(`false positives ${name} [${hosts.length}] with ${dbName}: dangerous at sensitivity ${parts.join(', ')} (target < 0.5% at medium)\n`);
      }
    }

    // 3. heuristic-only detection (threat lists NOT loaded: starter db only)
    const threats: Array<[string, string[]]> = [
      ['UT1 malware', hostsOf(path.join(ut1, 'malware', 'domains'))],
      ['UT1 phishing', hostsOf(path.join(ut1, 'phishing', 'domains'))],
      ['ET C&C', hostsOf(path.join(threat, 'et-c2-domains.txt'))],
    ];
    for (const [name, hosts] of threats) {
      const parts: string[] = [];
      for (const s of ['low', 'medium', 'high'] as const) parts.push(`${s} ${pct(flagged(hosts, starter, s).n, hosts.length)}`);
      let atLeastMedium = 0;
      for (const h of hosts) if (reputation(h, starter).score >= 40) atLeastMedium++;
      process.stdout.write(`heuristic detection ${name} [${hosts.length}]: dangerous at sensitivity ${parts.join(', ')}; level >= medium ${pct(atLeastMedium, hosts.length)}\n`);
    }
  },
};
