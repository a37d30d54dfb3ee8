import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CategoryDbBuilder } from './db-builder.js';
import { NO_CATSET, loadCategoryDb, loadCategoryDbFile } from './category-db.js';
import { CategoryDbError, FORMAT_VERSION, NEAR_GROUP, REACH_MASK, SECTION } from './db-format.js';
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


/** deterministic xorshift32 generator, so a failure reproduces */
function xorshift(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
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
    const next = xorshift(2463534242);
    const rnd = (n: number) => next() % n;
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
    // ... and so does the allocation-free form, through category-set ids
    const ids = new Uint32Array(queries.length);
    db.lookupHostsCatsets(queries, ids);
    for (let i = 0; i < queries.length; i++) {
      expect(db.catsetCategories(ids[i] as number), queries[i]).toEqual(answers[i]);
      expect(ids[i] === NO_CATSET, queries[i]).toBe((answers[i] as string[]).length === 0);
    }
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
    const ids = new Uint32Array(hosts.length + 3).fill(7);
    db.lookupHostsCatsets(hosts, ids);
    hosts.forEach((h, i) => expect(db.catsetCategories(ids[i] as number), h).toBe(db.lookupHostCategories(h)));
    expect(ids[hosts.length]).toBe(7);
    expect(() => db.lookupHostsCatsets(hosts, new Uint32Array(3))).toThrow('lookupHostsCatsets: out holds 3 ids for 604 hosts');
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

/** The words of one section of a built database, and a copy with that section replaced (CRCs fixed). */
function section(buf: Buffer, id: number): { words: Int32Array; patch: (words: Int32Array) => Buffer } {
  const count = buf.readUInt32LE(24);
  for (let i = 0; i < count; i++) {
    const p = 64 + i * 24;
    if (buf.readUInt32LE(p) !== id) continue;
    const at = buf.readUInt32LE(p + 4);
    const len = buf.readUInt32LE(p + 8);
    const words = new Int32Array(buf.buffer.slice(buf.byteOffset + at, buf.byteOffset + at + len));
    return {
      words,
      patch(w: Int32Array) {
        const out = Buffer.from(buf);
        const bytes = Buffer.from(w.buffer, w.byteOffset, w.byteLength);
        bytes.copy(out, at);
        out.writeUInt32LE(crc32(bytes), p + 16);
        out.writeUInt32LE(crc32(out.subarray(64, 64 + count * 24)), 20);
        return out;
      },
    };
  }
  throw new Error(`no section ${id}`);
}

describe('format 4 host table: anchors, SPLIT parents, homes', () => {
  const build = () => {
    const b = new CategoryDbBuilder('format4');
    // more than NEAR_GROUP keys under a parent that is not a key: a parent-only SPLIT slot
    for (let i = 0; i < NEAR_GROUP + 6; i++) b.addHost(`s${i}.shared.example`, i % 2 === 0 ? 'news' : 'games');
    // a key that is also a parent, with few keys under it (one home) ...
    b.addHost('parent.example', 'news');
    b.addHost('child.parent.example', 'malware');
    // ... and with many (KEY and SPLIT in one slot)
    b.addHost('bigparent.example', 'shopping');
    for (let i = 0; i < NEAR_GROUP + 3; i++) b.addHost(`c${i}.bigparent.example`, 'phishing');
    b.addHost('x.c2.bigparent.example', 'cnc');
    // deep keys under a parent that is not a key
    b.addHost('a.b.c.d.small.example', 'adult');
    b.addHost('e.small.example', 'blogs');
    // under a SPLIT parent two labels long (like co.jp)
    for (let i = 0; i < NEAR_GROUP + 2; i++) b.addHost(`shop${i}.co.example`, 'shopping');
    b.addHost('bank.co.example', 'finance');
    return b.build();
  };
  const db = loadCategoryDb(build());

  it('answers keys under a parent-only SPLIT slot, and nothing for the parent itself', () => {
    expect(db.lookupHost('x.s3.shared.example')).toEqual({ categories: ['games'], matched: 's3.shared.example' });
    expect(db.lookupHost('S4.Shared.Example').categories).toEqual(['news']);
    expect(db.lookupHost('shared.example').categories).toEqual([]);
    expect(db.lookupHost('other.shared.example').categories).toEqual([]);
    expect(db.lookupHost('www.shop3.co.example').matched).toBe('shop3.co.example');
    expect(db.lookupHost('www.bank.co.example').categories).toEqual(['finance']);
    expect(db.lookupHost('co.example').categories).toEqual([]);
    expect(db.lookupHost('nobank.co.example').categories).toEqual([]);
  });

  it('takes the longest key where a key is also a parent, with few or many keys under it', () => {
    expect(db.lookupHost('parent.example').categories).toEqual(['news']);
    expect(db.lookupHost('y.parent.example')).toEqual({ categories: ['news'], matched: 'parent.example' });
    expect(db.lookupHost('z.child.parent.example')).toEqual({ categories: ['malware'], matched: 'child.parent.example' });
    expect(db.lookupHost('bigparent.example').categories).toEqual(['shopping']);
    expect(db.lookupHost('other.bigparent.example')).toEqual({ categories: ['shopping'], matched: 'bigparent.example' });
    expect(db.lookupHost('c5.bigparent.example').categories).toEqual(['phishing']);
    expect(db.lookupHost('y.x.c2.bigparent.example')).toEqual({ categories: ['cnc'], matched: 'x.c2.bigparent.example' });
  });

  it('finds deep keys in their anchor home and not their missing parents', () => {
    expect(db.lookupHost('q.a.b.c.d.small.example').matched).toBe('a.b.c.d.small.example');
    expect(db.lookupHost('b.c.d.small.example').categories).toEqual([]);
    expect(db.lookupHost('small.example').categories).toEqual([]);
    expect(db.lookupHost('www.e.small.example').categories).toEqual(['blogs']);
  });

  it('answers the same through lookupHostCategories (shared frozen arrays) and lookupHosts', () => {
    const hosts = ['x.s3.shared.example', 'shared.example', 'z.child.parent.example', 'other.bigparent.example', 'q.a.b.c.d.small.example', 'www.bank.co.example', 'nothing.example', '198.51.100.1', 'bücher.example', 'WWW.Shop1.CO.example.', '', 'localhost', '[2001:db8::1]'];
    const out: Array<readonly string[]> = [];
    db.lookupHosts(hosts, out);
    const ids = new Uint32Array(hosts.length);
    db.lookupHostsCatsets(hosts, ids);
    for (const [i, h] of hosts.entries()) {
      expect(db.lookupHostCategories(h), h).toBe(db.lookupHost(h).categories);
      expect(out[i], h).toBe(db.lookupHost(h).categories);
      expect(db.catsetCategories(ids[i] as number), h).toBe(db.lookupHost(h).categories);
    }
    expect(out[9]).toEqual(['shopping']);
    expect(ids[10]).toBe(NO_CATSET);
    // one id per distinct category set
    const again = new Uint32Array(1);
    db.lookupHostsCatsets(['y.s1.shared.example'], again);
    expect(again[0]).toBe(ids[0]);
    expect(new Set([ids[0], ids[4], ids[5], ids[9]]).size).toBe(4);
  });

  it('reports what a lookup reads', () => {
    expect(db.lookupCost('www.e.small.example')).toMatchObject({ filterWords: 1, lines: 1, sharedLines: 0, keyReads: 0 });
    // co.example is a SPLIT parent: its home, then the filter and home of bank.co.example (verified bytes)
    expect(db.lookupCost('www.bank.co.example')).toMatchObject({ filterWords: 2, lines: 2, sharedLines: 1, keyReads: 1 });
    expect(db.lookupCost('localhost')).toEqual({ filterWords: 0, lines: 0, sharedLines: 0, keyReads: 0 });
  });

  it('keeps every key of a crowded table, homes that spill into the next buckets included', () => {
    const rnd = xorshift(88172645);
    const b = new CategoryDbBuilder('crowded');
    const keys: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const parent = `p${rnd() % 3000}.example`;
      const key = rnd() % 3 === 0 ? parent : `k${i}.${parent}`;
      keys.push(key);
      b.addHost(key, 'news');
    }
    const buf = b.build();
    const words = section(buf, SECTION.HOST_BUCKETS).words;
    let spilled = 0;
    for (let h = 0; h < (words[0] as number); h++) if (((words[16 + h * 16 + 15] as number) & REACH_MASK) > 0) spilled++;
    expect(spilled).toBeGreaterThan(0);
    const crowded = loadCategoryDb(buf);
    for (const k of keys) expect(crowded.lookupHost(`www.${k}`).matched, k).toBe(k);
    expect(crowded.lookupHost('k1.p99999.example').categories).toEqual([]);
  });

  it('refuses files of an older format, and tables whose homes reach past their end, with a clear error', () => {
    const buf = build();
    const v3 = Buffer.from(buf);
    v3.writeUInt32LE(3, 8);
    expect(() => loadCategoryDb(v3)).toThrow('category database format version 3 is not supported (this build reads version 4)');
    const s = section(buf, SECTION.HOST_BUCKETS);
    const bad = new Int32Array(s.words);
    const last = (bad[0] as number) - 1;
    bad[16 + last * 16 + 15] = ((bad[16 + last * 16 + 15] as number) & ~REACH_MASK) | 200;
    expect(() => loadCategoryDb(s.patch(bad))).toThrow(/^category database host bucket \d+ reaches past the table$/);
    const short = new Int32Array(s.words);
    short[1] = (short[0] as number) - 1;
    expect(() => loadCategoryDb(s.patch(short))).toThrow('category database host bucket table has a bad size');
    // the patch helper itself yields a loadable file when nothing changed
    expect(loadCategoryDb(s.patch(s.words)).lookupHost('x.s3.shared.example').categories).toEqual(['games']);
  });
});
