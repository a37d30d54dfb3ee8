/**
 * `mamori intel build` — compile UT1 and other lists into a category database;
 * `mamori intel lookup` — categories and reputation of hosts/URLs, one JSON object per line.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { CategoryDbBuilder, ImportReport, importListFiles, isUrlCategoryId, loadIntelDb, planUt1, reputation, splitUrl, type ListFile } from '@mamori/urlcat';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseListOption(spec: string): { category: string; file: string } {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) throw new Error(`--list expects <category>=<file>, got "${spec}"`);
  return { category: spec.slice(0, eq), file: spec.slice(eq + 1) };
}

export interface BuildOptions {
  ut1?: string;
  list: string[];
  out: string;
  name?: string;
  progress?: boolean;
  verbose?: boolean;
}

/** Builds the database; writes progress to stderr and the summary to `log`. */
export function runIntelBuild(opts: BuildOptions, log: (line: string) => void): { report: ImportReport; bytes: number } {
  const files: ListFile[] = [];
  const report = new ImportReport();
  const builder = new CategoryDbBuilder(opts.name ?? 'mamori-intel', new Date());
  if (opts.ut1) {
    const plan = planUt1(opts.ut1);
    files.push(...plan.files);
    report.notes.push(...plan.notes);
    builder.addSource(`UT1 ${path.resolve(opts.ut1)}`);
  }
  for (const spec of opts.list) {
    const { category, file } = parseListOption(spec);
    if (!fs.existsSync(file)) throw new Error(`list file not found: ${file}`);
    if (!isUrlCategoryId(category)) report.notes.push(`${file}: "${category}" is not in the Mamori taxonomy; imported as a custom category`);
    files.push({ file, mode: 'auto', categories: [category], bytes: fs.statSync(file).size });
    builder.addSource(`${category}=${path.resolve(file)}`);
  }
  if (files.length === 0) throw new Error('nothing to build: give --ut1 <dir> and/or --list <category>=<file>');

  const bar = opts.progress === false ? undefined : new SingleBar({ format: 'importing [{bar}] {percentage}% | {value}/{total} KiB | {file}', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  const totalKiB = Math.max(1, Math.ceil(files.reduce((n, f) => n + f.bytes, 0) / 1024));
  bar?.start(totalKiB, 0, { file: '' });
  importListFiles(files, builder, report, (done, _total, file) => bar?.update(Math.ceil(done / 1024), { file: path.relative(opts.ut1 ?? '.', file) || file }));
  bar?.stop();

  const buf = builder.build();
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  const tmp = `${opts.out}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, buf);
  fs.renameSync(tmp, opts.out);

  for (const note of report.notes) log(`note: ${note}`);
  const c = builder.counts;
  log(`read ${report.lines} lines from ${files.length} files: ${report.added} entries added, ${report.skippedTotal} skipped`);
  for (const [reason, r] of [...report.skipped].sort((a, b) => b[1].count - a[1].count)) {
    log(`skipped ${r.count}: ${reason}`);
    for (const ex of opts.verbose ? r.examples : r.examples.slice(0, 2)) log(`    e.g. ${ex}`);
  }
  log(`wrote ${opts.out}: ${buf.length} bytes, ${c.hosts} hosts, ${c.urls} URL prefixes, ${c.ipv4} IPv4 and ${c.ipv6} IPv6 entries`);
  return { report, bytes: buf.length };
}

export function registerIntel(program: Command): void {
  const intel = program.command('intel').description('URL category databases: build from lists, look up hosts and URLs');
  intel
    .command('build')
    .description('compile UT1 and other lists into a Mamori category database')
    .option('--ut1 <dir>', 'a UT1 blacklists directory (one folder per category with domains/urls files)')
    .option('--list <category=file>', 'a list file (hosts, URLs, IPs/CIDRs, hosts-file or Adblock lines) for a category; repeatable', collect, [])
    .requiredOption('--out <file>', 'the database file to write')
    .option('--name <name>', 'database name recorded in its metadata')
    .option('--no-progress', 'no progress bar')
    .option('--verbose', 'more examples of skipped lines')
    .action((opts: BuildOptions) => {
      try {
        runIntelBuild(opts, (line) => process.stdout.write(`${line}\n`));
      } catch (err) {
        process.stderr.write(`mamori intel build: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
  intel
    .command('lookup')
    .description('print {host, categories, reputation} as one JSON object per line')
    .option('--db <file>', 'category database (default: $MAMORI_INTEL_DB or the starter database)')
    .argument('<host-or-url...>')
    .action((items: string[], opts: { db?: string }) => {
      try {
        const db = loadIntelDb(opts.db);
        for (const item of items) process.stdout.write(`${JSON.stringify(lookupLine(db, item))}\n`);
      } catch (err) {
        process.stderr.write(`mamori intel lookup: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}

export function lookupLine(db: ReturnType<typeof loadIntelDb>, item: string): { host: string; url?: string; categories: string[]; matched?: string; reputation: ReturnType<typeof reputation> } {
  const isUrl = item.includes('/') || item.includes('?');
  const r = isUrl ? db.lookupUrl(item) : db.lookupHost(item);
  const host = (isUrl ? (splitUrl(item)?.host ?? item) : item).toLowerCase();
  return {
    host,
    ...(isUrl ? { url: item } : {}),
    categories: [...r.categories],
    ...(r.matched !== undefined ? { matched: r.matched } : {}),
    reputation: reputation(item, db, { categories: r.categories }),
  };
}
