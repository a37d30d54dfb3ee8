import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CategoryDbBuilder } from './db-builder.js';
import { loadCategoryDb } from './category-db.js';
import { ImportReport, importListFiles, planUt1 } from './list-import.js';
import { UT1_CATEGORY_MAP } from './ut1-map.js';

/** A small UT1-shaped directory generated at run time (never a copy of UT1 itself). */
function makeUt1(dir: string): Record<string, { domains: string[]; urls: string[] }> {
  const lists: Record<string, { domains: string[]; urls: string[] }> = {};
  const rnd = (i: number, salt: number) => ((i * 2654435761 + salt * 40503) >>> 0).toString(36);
  const cats = ['malware', 'phishing', 'gambling', 'bank', 'shopping', 'cryptojacking', 'social_networks'];
  cats.forEach((cat, ci) => {
    const domains: string[] = [];
    const urls: string[] = [];
    for (let i = 0; i < 300; i++) domains.push(`${rnd(i, ci)}-${cat.replace('_', '')}.example${i % 3 === 0 ? '.co.jp' : '.com'}`);
    domains.push(`shared-${ci % 2}.example.net`); // the same domain in several categories
    domains.push(`192.0.2.${10 + ci}`);
    for (let i = 0; i < 40; i++) urls.push(`host${i % 7}.example.org/${cat}/${rnd(i, ci + 99)}`);
    lists[cat] = { domains, urls };
    fs.mkdirSync(path.join(dir, cat));
    fs.writeFileSync(path.join(dir, cat, 'domains'), [...domains, '', 'bad..example', 'w-w-i-s-.com'].join('\n') + '\n');
    fs.writeFileSync(path.join(dir, cat, 'urls'), urls.join('\n') + '\n');
  });
  fs.writeFileSync(path.join(dir, 'malware', 'expressions'), '^[0-9]+\\.evil/x$\n(/banner/|/ads/)\n# a comment\n([unclosed\n');
  fs.writeFileSync(path.join(dir, 'porn'), 'adult\n'); // upstream symlink flattened into a file
  fs.mkdirSync(path.join(dir, 'liste_blanche'));
  fs.writeFileSync(path.join(dir, 'liste_blanche', 'domains'), 'fine.example\n');
  fs.mkdirSync(path.join(dir, 'brand_new_folder'));
  fs.writeFileSync(path.join(dir, 'brand_new_folder', 'domains'), 'x.example\n');
  return lists;
}

describe('UT1 import', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-ut1-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const lists = makeUt1(dir);
  const plan = planUt1(dir);
  const builder = new CategoryDbBuilder();
  const report = new ImportReport();
  const progress: number[] = [];
  importListFiles(plan.files, builder, report, (done) => progress.push(done));
  const db = loadCategoryDb(builder.build());

  it('agrees with the lists for every imported entry', () => {
    const expected = new Map<string, Set<string>>();
    for (const [cat, l] of Object.entries(lists)) {
      for (const d of l.domains) for (const c of UT1_CATEGORY_MAP[cat] ?? []) expected.set(d, (expected.get(d) ?? new Set()).add(c));
    }
    for (const [host, cats] of expected) expect(new Set(db.lookupHost(host).categories), host).toEqual(cats);
    for (const [cat, l] of Object.entries(lists)) {
      for (const u of l.urls) expect(db.lookupUrl(`http://${u}`).categories, u).toEqual(UT1_CATEGORY_MAP[cat]);
    }
    expect(db.lookupHost('sub.shared-0.example.net').matched).toBe('shared-0.example.net');
    expect(new Set(db.lookupHost('shared-0.example.net').categories)).toEqual(new Set(['malware', 'gambling', 'shopping', 'social-networking']));
    expect(db.lookupHost('192.0.2.10').categories).toEqual(['malware']);
    expect(db.lookupHost('fine.example').categories).toEqual([]);
  });

  it('counts every skipped line with its reason', () => {
    expect(report.skipped.get('empty label')?.count).toBe(7);
    expect(report.skipped.get('label starts or ends with a hyphen')?.count).toBe(7);
    expect([...report.skipped.keys()].filter((k) => k.startsWith('invalid regular expression'))).toHaveLength(1);
    expect(report.skippedTotal).toBe(15);
    expect(report.skipped.get('empty label')?.examples[0]).toMatch(/\/bank\/domains:304: bad\.\.example$/);
    expect(report.added).toBe(7 * (302 + 40) + 2);
  });

  it('applies UT1 expressions (regular expressions) to URLs, compiled once at load', () => {
    expect(db.lookupUrl('http://cdn.example.org/banner/x.gif')).toEqual({ categories: ['malware'], matched: '~(/banner/|/ads/)' });
    expect(db.lookupUrl('http://123.evil/x').categories).toEqual(['malware']);
    expect(db.lookupUrl('http://123.evil/xy').categories).toEqual([]);
    expect(db.lookupUrl('http://cdn.example.org/bannerx').categories).toEqual([]);
    // the expressions add to what the lists say
    const u = lists['gambling']?.urls[0] ?? '';
    expect(new Set(db.lookupUrl(`http://${u}/ads/1`).categories)).toEqual(new Set(['gambling', 'malware']));
    expect(db.meta.expressions).toEqual([
      { pattern: '^[0-9]+\\.evil/x$', categories: ['malware'] },
      { pattern: '(/banner/|/ads/)', categories: ['malware'] },
    ]);
  });

  it('notes aliases, skipped and unknown folders', () => {
    expect(plan.notes).toContain('porn: alias of adult, not imported twice');
    expect(plan.notes).toContain('liste_blanche: not imported (UT1 whitelist, not a content category)');
    expect(plan.notes).toContain('brand_new_folder: not imported (no mapping onto the Mamori taxonomy)');
  });

  it('reports progress up to the total', () => {
    const total = plan.files.reduce((n, f) => n + f.bytes, 0);
    expect(progress[progress.length - 1]).toBe(total);
    expect(progress.every((v, i) => i === 0 || v >= (progress[i - 1] ?? 0))).toBe(true);
  });

  it('refuses a directory that is not UT1', () => {
    expect(() => planUt1(path.join(dir, 'nope'))).toThrow(/UT1 directory not found/);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-ut1-empty-'));
    try {
      expect(() => planUt1(empty)).toThrow(/no UT1 category folders/);
    } finally {
      fs.rmSync(empty, { recursive: true });
    }
  });
});
