/**
 * The starter database shipped with Mamori: built from data/starter-domains.txt (our own curated
 * list) into data/starter.mdb, which is committed; a test checks it is up to date with the list.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CategoryDbBuilder } from './db-builder.js';
import { loadCategoryDb, loadCategoryDbFile, type CategoryDb } from './category-db.js';
import { parseListLine } from './list-entry.js';
import { isUrlCategoryId } from './taxonomy.js';

const dataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data');

export function starterListPath(): string {
  return path.join(dataDir, 'starter-domains.txt');
}

export function starterDbPath(): string {
  return path.join(dataDir, 'starter.mdb');
}

export interface SectionedListProblem {
  line: number;
  text: string;
  reason: string;
}

/** Parses the `[category]` + entries format into a builder; returns the problems found. */
export function addSectionedList(text: string, builder: CategoryDbBuilder): SectionedListProblem[] {
  const problems: SectionedListProblem[] = [];
  let category: string | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      category = header[1] ?? '';
      if (!isUrlCategoryId(category)) problems.push({ line: i + 1, text: raw, reason: `unknown category "${category}"` });
      return;
    }
    if (category === undefined) {
      problems.push({ line: i + 1, text: raw, reason: 'entry before the first [category] header' });
      return;
    }
    for (const token of line.split(/\s+/)) {
      const entry = parseListLine(token, 'auto');
      if (entry.kind === 'error') problems.push({ line: i + 1, text: token, reason: entry.reason });
      else if (isUrlCategoryId(category)) builder.addEntry(entry, category);
    }
  });
  return problems;
}

export function buildStarterDb(): Buffer {
  const builder = new CategoryDbBuilder('mamori-starter');
  builder.addSource('Mamori starter list (data/starter-domains.txt)');
  const problems = addSectionedList(fs.readFileSync(starterListPath(), 'utf8'), builder);
  if (problems.length > 0) {
    throw new Error(`starter list has ${problems.length} problems, first: line ${problems[0]?.line} "${problems[0]?.text}": ${problems[0]?.reason}`);
  }
  return builder.build();
}

let starter: CategoryDb | undefined;

export function loadStarterDb(): CategoryDb {
  starter ??= loadCategoryDb(fs.readFileSync(starterDbPath()));
  return starter;
}

/**
 * The active database: an explicit file (`--intel <file>`), else $MAMORI_INTEL_DB, else the
 * starter database. A missing or damaged file is an error, never a silent fallback.
 */
export function loadIntelDb(file?: string): CategoryDb {
  const chosen = file ?? (process.env['MAMORI_INTEL_DB'] || undefined);
  if (chosen === undefined) return loadStarterDb();
  if (!fs.existsSync(chosen)) throw new Error(`cannot read category database ${chosen}: ENOENT`);
  try {
    return loadCategoryDbFile(chosen);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) throw new Error(`cannot read category database ${chosen}: ${code}`);
    throw new Error(`${chosen}: ${(err as Error).message}`);
  }
}
