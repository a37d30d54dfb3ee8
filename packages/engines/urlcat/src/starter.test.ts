import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CategoryDbBuilder } from './db-builder.js';
import { addSectionedList, buildStarterDb, loadIntelDb, loadStarterDb, starterDbPath, starterListPath } from './starter.js';
import { URL_CATEGORIES } from './taxonomy.js';

/** Categories assigned at run time (by the reputation engine), never from a list. */
const DYNAMIC = new Set(['newly-registered']);

describe('starter database', () => {
  it('is up to date with data/starter-domains.txt (run `npm run -w @mamori/urlcat build:starter`)', () => {
    expect(fs.readFileSync(starterDbPath()).equals(buildStarterDb())).toBe(true);
    expect(fs.statSync(starterDbPath()).size).toBeLessThan(1024 * 1024);
  });

  it('represents every list-based category and has no malformed lines', () => {
    const builder = new CategoryDbBuilder();
    expect(addSectionedList(fs.readFileSync(starterListPath(), 'utf8'), builder)).toEqual([]);
    const db = loadStarterDb();
    const text = fs.readFileSync(starterListPath(), 'utf8');
    for (const c of URL_CATEGORIES) {
      if (DYNAMIC.has(c.id)) continue;
      expect(text.includes(`[${c.id}]`), c.id).toBe(true);
    }
    expect(db.meta.counts.hosts).toBeGreaterThan(1500);
  });

  it('categorizes popular Japanese and global sites', () => {
    const db = loadStarterDb();
    const cases: Array<[string, string]> = [
      ['www.yahoo.co.jp', 'search-engines'],
      ['mail.google.com', 'webmail'],
      ['www.google.com', 'search-engines'],
      ['www.nikkei.com', 'news'],
      ['direct.smbc.co.jp', 'finance'],
      ['www.mhlw.go.jp', 'health'],
      ['www.city.yokohama.lg.jp', 'government'],
      ['www.u-tokyo.ac.jp', 'education'],
      ['item.rakuten.co.jp', 'shopping'],
      ['jp.mercari.com', 'auctions'],
      ['www.youtube.com', 'video-sharing'],
      ['abema.tv', 'streaming-media'],
      ['www.dropbox.com', 'file-sharing'],
      ['line.me', 'instant-messaging'],
      ['www.chatwork.com', 'collaboration'],
      ['coinhive.com', 'cryptomining'],
      ['www.windowsupdate.com', 'software-updates'],
    ];
    for (const [host, cat] of cases) expect(db.lookupHost(host).categories, host).toContain(cat);
    expect(db.lookupUrl('https://testsafebrowsing.appspot.com/s/phishing.html').categories).toEqual(['phishing']);
    expect(db.lookupUrl('https://www.nhk.or.jp/radio/').categories).toEqual(['internet-radio-tv', 'news']);
  });

  it('reports problems in a sectioned list', () => {
    const problems = addSectionedList('orphan.example\n[no-such-category]\nx.example\n[news]\nok.example bad..example\n', new CategoryDbBuilder());
    expect(problems.map((p) => `${p.line}:${p.reason}`)).toEqual(['1:entry before the first [category] header', '2:unknown category "no-such-category"', '5:empty label']);
  });
});

describe('loadIntelDb', () => {
  const saved = process.env['MAMORI_INTEL_DB'];
  afterEach(() => {
    if (saved === undefined) delete process.env['MAMORI_INTEL_DB'];
    else process.env['MAMORI_INTEL_DB'] = saved;
  });

  it('uses the given file, else $MAMORI_INTEL_DB, else the starter database', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-intel-'));
    try {
      const b = new CategoryDbBuilder('custom');
      b.addHost('only-here.example', 'gambling');
      const file = path.join(dir, 'custom.mdb');
      fs.writeFileSync(file, b.build());
      delete process.env['MAMORI_INTEL_DB'];
      expect(loadIntelDb().meta.name).toBe('mamori-starter');
      process.env['MAMORI_INTEL_DB'] = file;
      expect(loadIntelDb().lookupHost('only-here.example').categories).toEqual(['gambling']);
      expect(loadIntelDb(starterDbPath()).meta.name).toBe('mamori-starter');
      expect(() => loadIntelDb(path.join(dir, 'missing.mdb'))).toThrow(/cannot read category database .*missing\.mdb: ENOENT/);
      fs.writeFileSync(path.join(dir, 'cut.mdb'), fs.readFileSync(file).subarray(0, 100));
      expect(() => loadIntelDb(path.join(dir, 'cut.mdb'))).toThrow(/cut\.mdb: category database truncated: 100 of \d+ bytes/);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});
