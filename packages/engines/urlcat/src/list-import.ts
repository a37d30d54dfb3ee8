/**
 * Importers for list files on disk (UT1 directory layout, plain/hosts/Adblock lists): read,
 * parse line by line, feed a CategoryDbBuilder, and account for every skipped line.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CategoryDbBuilder } from './db-builder.js';
import { parseListLine, type ListMode } from './list-entry.js';
import { UT1_CATEGORY_MAP, UT1_SKIPPED } from './ut1-map.js';

export interface SkipRecord {
  count: number;
  /** first few `file:line: text` examples */
  examples: string[];
}

export class ImportReport {
  lines = 0;
  added = 0;
  readonly skipped = new Map<string, SkipRecord>();
  readonly notes: string[] = [];
  readonly perCategory = new Map<string, number>();

  skip(reason: string, where: string, text: string, count = 1): void {
    let r = this.skipped.get(reason);
    if (!r) {
      r = { count: 0, examples: [] };
      this.skipped.set(reason, r);
    }
    r.count += count;
    if (r.examples.length < 5) r.examples.push(`${where}: ${text.length > 120 ? `${text.slice(0, 117)}...` : text}`);
  }

  get skippedTotal(): number {
    let n = 0;
    for (const r of this.skipped.values()) n += r.count;
    return n;
  }
}

export interface ListFile {
  file: string;
  mode: ListMode;
  categories: readonly string[];
  bytes: number;
  /** lines are counted and skipped as a whole with this reason */
  unsupported?: string;
  /** one regular expression a line (UT1 `expressions`), applied to URLs (host + path) */
  expressions?: boolean;
}

export type ProgressFn = (doneBytes: number, totalBytes: number, file: string) => void;

/** Works out which files of a UT1 directory are imported, as which categories. */
export function planUt1(dir: string): { files: ListFile[]; notes: string[] } {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`UT1 directory not found: ${dir}`);
  const files: ListFile[] = [];
  const notes: string[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const st = fs.statSync(full);
    if (!st.isDirectory()) {
      // upstream symlinks (ads -> publicite) arrive as tiny files naming their target
      if (st.size < 64) {
        const target = fs.readFileSync(full, 'utf8').trim();
        if (/^[a-z0-9_-]+$/i.test(target)) notes.push(`${name}: alias of ${target}, not imported twice`);
      }
      continue;
    }
    const categories = UT1_CATEGORY_MAP[name];
    if (!categories) {
      notes.push(`${name}: not imported (${UT1_SKIPPED[name] ?? 'no mapping onto the Mamori taxonomy'})`);
      continue;
    }
    for (const [fileName, mode] of [['domains', 'domains'], ['urls', 'urls'], ['expressions', 'auto']] as const) {
      const f = path.join(full, fileName);
      if (!fs.existsSync(f)) continue;
      const entry: ListFile = { file: f, mode, categories, bytes: fs.statSync(f).size };
      if (fileName === 'expressions') entry.expressions = true;
      files.push(entry);
    }
  }
  if (files.length === 0) throw new Error(`no UT1 category folders with domains/urls files in ${dir}`);
  return { files, notes };
}

export function importListFiles(files: readonly ListFile[], builder: CategoryDbBuilder, report: ImportReport, onProgress?: ProgressFn): void {
  const total = files.reduce((n, f) => n + f.bytes, 0);
  let done = 0;
  for (const f of files) {
    const text = fs.readFileSync(f.file, 'utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const rel = f.file;
    if (f.unsupported) {
      const n = lines.filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).length;
      report.lines += lines.length;
      if (n > 0) report.skip(f.unsupported, `${rel}:1`, lines[0] ?? '', n);
      done += f.bytes;
      onProgress?.(done, total, f.file);
      continue;
    }
    if (f.expressions) {
      lines.forEach((raw, i) => {
        report.lines++;
        const line = raw.trim();
        if (line === '' || line.startsWith('#')) return;
        const problem = regexProblem(line);
        if (problem) {
          report.skip(`invalid regular expression (${problem})`, `${rel}:${i + 1}`, line);
          return;
        }
        for (const cat of f.categories) {
          builder.addExpression(line, cat);
          report.perCategory.set(cat, (report.perCategory.get(cat) ?? 0) + 1);
        }
        report.added++;
      });
      done += f.bytes;
      onProgress?.(done, total, f.file);
      continue;
    }
    let bytesAtLine = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      report.lines++;
      const entry = parseListLine(line.endsWith('\r') ? line.slice(0, -1) : line, f.mode);
      if (entry.kind === 'error') report.skip(entry.reason, `${rel}:${i + 1}`, line);
      else if (entry.kind !== 'ignore') {
        for (const cat of f.categories) {
          builder.addEntry(entry, cat);
          report.perCategory.set(cat, (report.perCategory.get(cat) ?? 0) + 1);
        }
        report.added++;
      }
      bytesAtLine += line.length + 1;
      if ((i & 0x3fff) === 0x3fff) onProgress?.(done + Math.min(bytesAtLine, f.bytes), total, f.file);
    }
    done += f.bytes;
    onProgress?.(done, total, f.file);
  }
}

/** Why a pattern cannot be used as a (case-insensitive) JavaScript regular expression, or undefined. */
export function regexProblem(pattern: string): string | undefined {
  if (pattern.length > 4096) return 'longer than 4096 characters';
  try {
    new RegExp(pattern, 'i');
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
  }
}
