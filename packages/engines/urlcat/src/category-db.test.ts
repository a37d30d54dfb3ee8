import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CategoryDbBuilder } from './db-builder.js';
import { loadCategoryDb, loadCategoryDbFile } from './category-db.js';
import { CategoryDbError, FORMAT_VERSION } from './db-format.js';
import { parseListLine } from './list-entry.js';
import { URL_CATEGORIES } from './taxonomy.js';

function sampleDb() {
  const b = new CategoryDbBuilder('test');
  const add = (line: string, cat: string) => {
    const e = parseListLine(line, 'auto');
    if (!b.addEntry(e, cat)) throw new Error(`bad fixture line ${line}`);
  };
  add('example.co.jp', 'shopping');
  add('evil.example.co.jp', 'malware');
  add('example.co.jp', 'business');
  add('mail.example.com', 'webmail');
  add('example.com', 'search-engines');
  add('pages.example.org/awards', 'phishing');
  add('pages.example.org/a/b/', 'malware');
  add('www.blog.example.net/u/alice', 'adult');
  add('blog.example.net', 'blogs');
  add('198.51.100.7', 'cnc');
  add('203.0.113.0/24', 'malware');
  add('203.0.113.128/25', 'phishing');
  add('2001:db8::/32', 'proxy-avoidance');
  add('2001:db8:1::5', 'cnc');
  add('custom.example', 'my-team-list');
  return b.build();
}

describe('category database', () => {
  const db = loadCategoryDb(sampleDb());

  it('finds the longest listed suffix of a host', () => {
    expect(db.lookupHost('a.b.example.co.jp')).toEqual({ categories: ['shopping', 'business'], matched: 'example.co.jp' });
    expect(db.lookupHost('x.evil.example.co.jp').categories).toEqual(['malware']);
    expect(db.lookupHost('EVIL.Example.CO.JP.').matched).toBe('evil.example.co.jp');
    expect(db.lookupHost('mail.example.com').categories).toEqual(['webmail']);
    expect(db.lookupHost('www.example.com').categories).toEqual(['search-engines']);
    expect(db.lookupHost('notexample.co.jp').categories).toEqual([]);
    expect(db.lookupHost('co.jp').categories).toEqual([]);
    expect(db.lookupHost('').categories).toEqual([]);
    expect(db.lookupHost('custom.example').categories).toEqual(['my-team-list']);
    expect(db.categoryIds).toContain('my-team-list');
  });

  it('looks up internationalized names by their punycode form', () => {
    const b = new CategoryDbBuilder();
    b.addEntry(parseListLine('例え.jp', 'auto'), 'news');
    const idn = loadCategoryDb(b.build());
    expect(idn.lookupHost('www.例え.jp').categories).toEqual(['news']);
    expect(idn.lookupHost('www.xn--r8jz45g.jp').categories).toEqual(['news']);
  });

  it('matches URL path prefixes on boundaries and merges host categories', () => {
    expect(db.lookupUrl('http://pages.example.org/awards').categories).toEqual(['phishing']);
    expect(db.lookupUrl('https://x.pages.example.org/awards/2024?y=1').matched).toBe('pages.example.org/awards');
    expect(db.lookupUrl('pages.example.org/Awards?x').categories).toEqual(['phishing']);
    expect(db.lookupUrl('pages.example.org/awardsx').categories).toEqual([]);
    expect(db.lookupUrl('pages.example.org/a/b/c').categories).toEqual(['malware']);
    expect(db.lookupUrl('pages.example.org/a/bc').categories).toEqual([]);
    expect(db.lookupUrl('http://blog.example.net/u/alice/post').categories).toEqual(['adult', 'blogs']);
    expect(db.lookupUrl('http://blog.example.net/u/bob').categories).toEqual(['blogs']);
    expect(db.lookupUrl('http://mail.example.com/').categories).toEqual(['webmail']);
  });

  it('does longest-prefix IP matches, also for IP-literal hosts and URLs', () => {
    expect(db.lookupIp('198.51.100.7')).toEqual({ categories: ['cnc'], matched: '198.51.100.7/32' });
    expect(db.lookupIp('198.51.100.8').categories).toEqual([]);
    expect(db.lookupIp('203.0.113.5')).toEqual({ categories: ['malware'], matched: '203.0.113.0/24' });
    expect(db.lookupIp('203.0.113.200')).toEqual({ categories: ['phishing'], matched: '203.0.113.128/25' });
    expect(db.lookupHost('203.0.113.9').categories).toEqual(['malware']);
    expect(db.lookupUrl('http://198.51.100.7:8080/x').categories).toEqual(['cnc']);
    expect(db.lookupIp('2001:db8:ffff::1')).toEqual({ categories: ['proxy-avoidance'], matched: '2001:db8::/32' });
    expect(db.lookupIp('2001:db8:1::5').categories).toEqual(['cnc']);
    expect(db.lookupHost('[2001:db8:1::5]').categories).toEqual(['cnc']);
    expect(db.lookupIp('2001:db9::1').categories).toEqual([]);
    expect(db.lookupIp('not-an-ip').categories).toEqual([]);
  });

  it('returns frozen shared category arrays', () => {
    const r = db.lookupHost('example.com');
    expect(Object.isFrozen(r.categories)).toBe(true);
    expect(() => r.categories.push('x')).toThrow(TypeError);
  });

  it('loads from an unaligned Buffer', () => {
    const buf = sampleDb();
    const big = Buffer.alloc(buf.length + 3);
    buf.copy(big, 3);
    expect(loadCategoryDb(big.subarray(3)).lookupHost('www.example.com').categories).toEqual(['search-engines']);
  });

  it('rejects truncated, damaged and foreign files with a clear error', () => {
    const buf = sampleDb();
    const err = (b: Buffer) => {
      try {
        loadCategoryDb(b);
      } catch (e) {
        expect(e).toBeInstanceOf(CategoryDbError);
        return `${(e as CategoryDbError).code}: ${(e as Error).message}`;
      }
      return 'loaded';
    };
    expect(err(buf.subarray(0, buf.length - 10))).toMatch(/^truncated: category database truncated: \d+ of \d+ bytes$/);
    expect(err(buf.subarray(0, 20))).toMatch(/^truncated/);
    const flipped = Buffer.from(buf);
    flipped[flipped.length - 100] = (flipped[flipped.length - 100] ?? 0) ^ 0xff;
    expect(err(flipped)).toMatch(/^checksum/);
    expect(err(Buffer.from('hello world, this is not a database at all, nope, not at all.....'))).toMatch(/^bad-magic/);
    const v2 = Buffer.from(buf);
    v2.writeUInt32LE(FORMAT_VERSION + 1, 8);
    expect(err(v2)).toMatch(/^unsupported-version/);
  });

  it('builds the same bytes from the same input', () => {
    expect(sampleDb().equals(sampleDb())).toBe(true);
  });
});

describe('host lookups against a plain reference', () => {
  it('agree with a longest-suffix search over a Map for random keys and queries', () => {
    // deterministic generator so a failure reproduces
    let x = 2463534242;
    const rnd = (n: number) => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x % n;
    };
    const labels = ['a', 'b', 'www', 'mail', 'cdn', 'example', 'shop', 'x1', 'co', 'deep'];
    const tlds = ['com', 'jp', 'co.jp', 'net'];
    const host = (min: number) => {
      const parts: string[] = [];
      const n = min + rnd(4);
      for (let i = 0; i < n; i++) parts.push(labels[rnd(labels.length)] as string);
      return `${parts.join('.')}.${tlds[rnd(tlds.length)] as string}`;
    };
    const cats = ['news', 'malware', 'shopping', 'games'];
    const b = new CategoryDbBuilder('ref');
    const ref = new Map<string, Set<string>>();
    for (let i = 0; i < 3000; i++) {
      const h = host(1);
      const c = cats[rnd(cats.length)] as string;
      b.addHost(h, c);
      const set = ref.get(h) ?? new Set<string>();
      set.add(c);
      ref.set(h, set);
    }
    const db = loadCategoryDb(b.build());
    const order = new Map(cats.map((c) => [c, URL_CATEGORIES.findIndex((u) => u.id === c)]));
    const queries: string[] = [];
    const answers: string[][] = [];
    for (let i = 0; i < 20000; i++) {
      const q = host(1);
      const labelsOf = q.split('.');
      let expected: { categories: string[]; matched?: string } = { categories: [] };
      for (let k = 0; k < labelsOf.length - 1; k++) {
        const suffix = labelsOf.slice(k).join('.');
        const hit = ref.get(suffix);
        if (hit) {
          expected = { categories: [...hit].sort((p, r) => (order.get(p) ?? 0) - (order.get(r) ?? 0)), matched: suffix };
          break;
        }
      }
      expect(db.lookupHost(q), q).toEqual(expected);
      expect(db.lookupHost(q.toUpperCase()), q).toEqual(expected);
      queries.push(i % 3 === 0 ? q.toUpperCase() : q);
      answers.push(expected.categories);
    }
    // the batch API answers the same, in groups and across a group boundary
    const out: Array<readonly string[]> = [];
    db.lookupHosts(queries, out);
    expect(out.length).toBe(queries.length);
    for (let i = 0; i < queries.length; i++) expect(out[i], queries[i]).toEqual(answers[i]);
  });
});

describe('host keys: verification, enumeration, file loading', () => {
  const build = () => {
    const b = new CategoryDbBuilder('keys');
    b.addHost('bank.example.jp', 'finance');
    b.addHost('clinic.example.jp', 'health');
    b.addHost('news.example.jp', 'news');
    b.addHost('deep.a.b.c.d.e.f.g.h.i.j.example.com', 'games');
    for (let i = 0; i < 500; i++) b.addHost(`host${i}.example.net`, i % 2 === 0 ? 'finance' : 'shopping');
    return b.build();
  };

  it('answers byte-verified (smart bypass) keys and the others alike, also in batches and past 8 levels', () => {
    const db = loadCategoryDb(build());
    expect(db.lookupHost('www.Bank.example.jp')).toEqual({ categories: ['finance'], matched: 'bank.example.jp' });
    expect(db.lookupHost('clinic.example.jp.').categories).toEqual(['health']);
    expect(db.lookupHost('bank.example.jpx').categories).toEqual([]);
    expect(db.lookupHost('x.y.deep.a.b.c.d.e.f.g.h.i.j.example.com').matched).toBe('deep.a.b.c.d.e.f.g.h.i.j.example.com');
    const hosts = Array.from({ length: 600 }, (_, i) => `u${i}.host${i}.example.net`);
    hosts.push('x.y.deep.a.b.c.d.e.f.g.h.i.j.example.com', '198.51.100.1', 'bücher.example.jp', 'news.example.jp');
    const out: Array<readonly string[]> = [];
    db.lookupHosts(hosts, out);
    hosts.forEach((h, i) => expect(out[i], h).toEqual(db.lookupHost(h).categories));
    expect(out[1]).toEqual(['shopping']);
    expect(out[599]).toEqual([]);
  });

  it('enumerates its keys; a file load reads them only when enumerated and still checks them', () => {
    const buf = build();
    const all = [...loadCategoryDb(buf).hostEntries()];
    expect(all.length).toBe(504);
    expect(all[0]).toEqual({ host: 'bank.example.jp', categories: ['finance'] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-keys-'));
    try {
      const file = path.join(dir, 'db.mdb');
      fs.writeFileSync(file, buf);
      const db = loadCategoryDbFile(file);
      expect(db.lookupHost('news.example.jp').categories).toEqual(['news']);
      expect([...db.hostEntries()]).toEqual(all);
      // damage the last bytes (the host keys): lookups still load, enumeration refuses
      const damaged = Buffer.from(buf);
      damaged[damaged.length - 80] = (damaged[damaged.length - 80] ?? 0) ^ 0xff;
      fs.writeFileSync(file, damaged);
      const lazy = loadCategoryDbFile(file);
      expect(lazy.lookupHost('news.example.jp').categories).toEqual(['news']);
      expect(() => [...lazy.hostEntries()]).toThrow(/checksum mismatch \(host keys damaged\)/);
      expect(() => loadCategoryDb(damaged)).toThrow(/checksum mismatch/);
      // damage in what lookups read is refused at load
      const early = Buffer.from(buf);
      early[300] = (early[300] ?? 0) ^ 0xff;
      fs.writeFileSync(file, early);
      expect(() => loadCategoryDbFile(file)).toThrow(/checksum mismatch/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
