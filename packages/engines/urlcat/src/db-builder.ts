/** Builds a category database file (db-format.ts) from list entries. */
import { crc32 } from 'node:zlib';
import { CATEGORY_ID_PATTERN, URL_CATEGORIES } from './taxonomy.js';
import { bucketOf, deeperBit, filterBits, hashKey, hostFingerprint } from './key-hash.js';
import type { Cidr } from './ip.js';
import type { ListEntry } from './list-entry.js';
import {
  BUCKET_SLOTS,
  BUCKET_WORDS,
  BUCKETS_HEADER_WORDS,
  FORMAT_VERSION,
  HEADER_BYTES,
  MAGIC,
  SECTION,
  SECTION_ENTRY_BYTES,
  LOAD,
  FILTER_BITS,
  NEAR_GROUP,
  REACH_MASK,
  SLOT_KEY,
  SLOT_SPLIT,
  SLOT_PAYLOAD_SHIFT,
  SLOT_VERIFY,
  VERIFIED_CATEGORIES,
  type DbMeta,
} from './db-format.js';

function addSorted(list: number[], v: number): void {
  let i = list.length;
  while (i > 0 && (list[i - 1] ?? 0) > v) i--;
  if (list[i - 1] === v) return;
  list.splice(i, 0, v);
}

export class CategoryDbBuilder {
  private readonly categoryIds: string[] = URL_CATEGORIES.map((c) => c.id);
  private readonly categoryIndex = new Map(this.categoryIds.map((id, i) => [id, i]));
  private readonly hosts = new Map<string, number[]>();
  private readonly urls = new Map<string, Map<string, number[]>>();
  private readonly ipv4 = new Map<string, { addr: number; prefix: number; cats: number[] }>();
  private readonly ipv6 = new Map<string, { addr: Uint8Array; prefix: number; cats: number[] }>();
  private readonly sources: string[] = [];
  private readonly expressions = new Map<string, number[]>();
  private urlCount = 0;

  constructor(
    private readonly name = 'mamori-intel',
    /** recorded in the metadata (the console's intel version includes it); omit for reproducible bytes */
    private readonly builtAt?: Date,
  ) {}

  addSource(description: string): void {
    this.sources.push(description);
  }

  /** Category number; custom ids (kebab case) are appended after the taxonomy. */
  private category(id: string): number {
    const known = this.categoryIndex.get(id);
    if (known !== undefined) return known;
    if (!CATEGORY_ID_PATTERN.test(id) || id.length > 64) throw new Error(`invalid category id "${id}" (lowercase kebab case, at most 64 characters)`);
    const n = this.categoryIds.length;
    if (n >= 0xffff) throw new Error('too many categories');
    this.categoryIds.push(id);
    this.categoryIndex.set(id, n);
    return n;
  }

  /** `host` must be canonical (list-entry.ts canonicalHost): lowercase ASCII, no trailing dot. */
  addHost(host: string, categoryId: string): void {
    const cat = this.category(categoryId);
    const cats = this.hosts.get(host);
    if (cats) addSorted(cats, cat);
    else this.hosts.set(host, [cat]);
  }

  addUrl(host: string, path: string, categoryId: string): void {
    const cat = this.category(categoryId);
    let paths = this.urls.get(host);
    if (!paths) {
      paths = new Map();
      this.urls.set(host, paths);
    }
    const cats = paths.get(path);
    if (cats) addSorted(cats, cat);
    else {
      paths.set(path, [cat]);
      this.urlCount++;
    }
  }

  addCidr(cidr: Cidr, categoryId: string): void {
    const cat = this.category(categoryId);
    if (cidr.family === 4) {
      const key = `${cidr.addr}/${cidr.prefix}`;
      const e = this.ipv4.get(key);
      if (e) addSorted(e.cats, cat);
      else this.ipv4.set(key, { addr: cidr.addr, prefix: cidr.prefix, cats: [cat] });
    } else {
      const key = `${Buffer.from(cidr.addr).toString('hex')}/${cidr.prefix}`;
      const e = this.ipv6.get(key);
      if (e) addSorted(e.cats, cat);
      else this.ipv6.set(key, { addr: cidr.addr, prefix: cidr.prefix, cats: [cat] });
    }
  }

  /** A regular expression (JavaScript syntax, matched case-insensitively against host + path of URLs). */
  addExpression(pattern: string, categoryId: string): void {
    new RegExp(pattern, 'i');
    const cat = this.category(categoryId);
    const cats = this.expressions.get(pattern);
    if (cats) addSorted(cats, cat);
    else this.expressions.set(pattern, [cat]);
  }

  /** Adds a parsed list line; returns false for lines that carry no entry (comments, errors). */
  addEntry(entry: ListEntry, categoryId: string): boolean {
    switch (entry.kind) {
      case 'host':
        this.addHost(entry.host, categoryId);
        return true;
      case 'url':
        this.addUrl(entry.host, entry.path, categoryId);
        return true;
      case 'ip':
        this.addCidr(entry.cidr, categoryId);
        return true;
      default:
        return false;
    }
  }

  get counts(): DbMeta['counts'] {
    return { hosts: this.hosts.size, urls: this.urlCount, ipv4: this.ipv4.size, ipv6: this.ipv6.size };
  }

  /**
   * Host keys: one HOST_KEYS record per key (u32 catset << 8 | length, key bytes, padding to 4),
   * and the bucket table (db-format.ts HOST_BUCKETS) of the keys and of the parents with more
   * than NEAR_GROUP keys under them, at a load of at most LOAD.
   */
  private buildHostTable(catset: (cats: number[]) => number): { buckets: Int32Array; keys: Buffer; verify: Buffer; filter: Int32Array } {
    let keyBytes = 0;
    for (const h of this.hosts.keys()) {
      if (h.length === 0 || h.length > 255) throw new Error(`host key of length ${h.length}`);
      keyBytes += 4 + ((h.length + 3) & ~3);
    }
    if (keyBytes / 4 >= 2 ** 29) throw new Error('host keys over 2 GiB');
    const keys = Buffer.alloc(keyBytes);
    const verified = new Set(VERIFIED_CATEGORIES.map((id) => this.categoryIndex.get(id)).filter((n): n is number => n !== undefined));
    let verifyBytes = 0;
    for (const [h, cats] of this.hosts) if (cats.some((c) => verified.has(c))) verifyBytes += 4 + ((h.length + 3) & ~3);
    const verify = Buffer.alloc(verifyBytes);
    /** slot values of the keys */
    const values = new Map<string, number>();
    let at = 0;
    let vat = 0;
    for (const [key, cats] of this.hosts) {
      const cs = catset(cats);
      if (cs > 0xffffff) throw new Error('more than 16M distinct category sets');
      keys.writeUInt32LE(((cs << 8) | key.length) >>> 0, at);
      keys.write(key, at + 4, 'latin1');
      at += 4 + ((key.length + 3) & ~3);
      if (cats.some((c) => verified.has(c))) {
        verify.writeUInt32LE(((cs << 8) | key.length) >>> 0, vat);
        verify.write(key, vat + 4, 'latin1');
        values.set(key, ((vat / 4) << SLOT_PAYLOAD_SHIFT) | SLOT_KEY | SLOT_VERIFY);
        vat += 4 + ((key.length + 3) & ~3);
      } else values.set(key, (cs << SLOT_PAYLOAD_SHIFT) | SLOT_KEY);
    }
    /** the suffixes of two labels or more of a name, shortest first, the name itself last */
    const chain = (name: string): string[] => {
      const out: string[] = [];
      let dot = name.lastIndexOf('.');
      if (dot > 0) dot = name.lastIndexOf('.', dot - 1);
      while (dot >= 0) {
        out.push(name.slice(dot + 1));
        dot = dot === 0 ? -1 : name.lastIndexOf('.', dot - 1);
      }
      out.push(name);
      return out;
    };
    // keys under every suffix from the registrable level (the suffix itself included)
    const under = new Map<string, number>();
    for (const key of this.hosts.keys()) for (const s of chain(key)) under.set(s, (under.get(s) ?? 0) + 1);
    // a suffix with more than NEAR_GROUP keys under it gets a SPLIT slot of its own; every key
    // goes to the bucket of the shortest suffix above it with at most NEAR_GROUP keys under it
    const groups = new Map<string, Array<[string, number]>>();
    const place = (anchor: string, name: string, value: number) => {
      const g = groups.get(anchor);
      if (g) g.push([name, value]);
      else groups.set(anchor, [[name, value]]);
    };
    for (const [name, n] of under) {
      if (n > NEAR_GROUP && name.includes('.')) place(name, name, (values.get(name) ?? 0) | SLOT_SPLIT);
    }
    for (const [key, value] of values) {
      if ((under.get(key) as number) > NEAR_GROUP && key.includes('.')) continue;
      const anchor = chain(key).find((s) => (under.get(s) as number) <= NEAR_GROUP) ?? key;
      place(anchor, key, value);
    }
    const entries = [...groups.values()].reduce((n, g) => n + g.length, 0);
    // B home buckets at a load of at most LOAD, filled in home order: the entries of a home go to
    // the first free slots from the start of their bucket (after what earlier homes left there),
    // so a home's entries are contiguous and mostly in one bucket; the tail takes what the last
    // homes spill past bucket B - 1
    const count = Math.max(1, Math.ceil(entries / (BUCKET_SLOTS * LOAD)));
    const homes: Array<Array<[string, number]>> = Array.from({ length: count }, () => []);
    for (const [anchor, members] of groups) {
      const home = homes[bucketOf(hostFingerprint(anchor)[0], count)] as Array<[string, number]>;
      for (const m of members) home.push(m);
    }
    let cursor = 0;
    const slots: Array<[string, number]> = [];
    const reach = new Int32Array(count);
    for (let h = 0; h < count; h++) {
      const home = homes[h] as Array<[string, number]>;
      cursor = Math.max(cursor, h * BUCKET_SLOTS);
      for (const m of home) slots[cursor++] = m;
      if (home.length > 0) reach[h] = Math.floor((cursor - 1) / BUCKET_SLOTS) - h;
    }
    const total = Math.max(count, Math.ceil(cursor / BUCKET_SLOTS));
    const buckets = new Int32Array(BUCKETS_HEADER_WORDS + total * BUCKET_WORDS);
    buckets[0] = count;
    buckets[1] = total;
    slots.forEach(([name, value], i) => {
      const [f1, f2] = hostFingerprint(name);
      const at = BUCKETS_HEADER_WORDS + Math.floor(i / BUCKET_SLOTS) * BUCKET_WORDS + (i % BUCKET_SLOTS) * 3;
      buckets[at] = f1;
      buckets[at + 1] = f2;
      buckets[at + 2] = value;
    });
    // the home word: reach, and a bit for every anchor homed here with keys below it
    const deeper = new Int32Array(count);
    for (const [anchor, members] of groups) {
      if (!members.some(([name]) => name !== anchor)) continue;
      const [f1, f2] = hostFingerprint(anchor);
      const h = bucketOf(f1, count);
      deeper[h] = (deeper[h] as number) | deeperBit(f2);
    }
    for (let h = 0; h < count; h++) {
      if ((reach[h] as number) > REACH_MASK) throw new Error('host bucket table too crowded');
      buckets[BUCKETS_HEADER_WORDS + h * BUCKET_WORDS + BUCKET_WORDS - 1] = (reach[h] as number) | (deeper[h] as number);
    }
    // the filter: every anchor (the suffixes that have a home), FILTER_BITS bits each
    const filterWords = Math.max(16, Math.ceil((groups.size * FILTER_BITS) / 32 / 16) * 16);
    const filter = new Int32Array(filterWords);
    for (const anchor of groups.keys()) {
      const f2 = hostFingerprint(anchor)[1];
      const w = Math.floor(((f2 >>> 0) * filterWords) / 4294967296);
      filter[w] = (filter[w] as number) | filterBits(f2);
    }
    return { buckets, keys, verify, filter };
  }

  build(): Buffer {
    // category sets
    const catsetIds = new Map<string, number>();
    const catsets: number[][] = [];
    const catset = (cats: number[]): number => {
      const key = cats.join(',');
      let id = catsetIds.get(key);
      if (id === undefined) {
        id = catsets.length;
        catsets.push(cats);
        catsetIds.set(key, id);
      }
      return id;
    };

    // string pool (URL table)
    let poolBytes = 0;
    for (const [h, paths] of this.urls) {
      poolBytes += h.length;
      for (const p of paths.keys()) poolBytes += p.length;
    }
    if (poolBytes > 0xffffffff) throw new Error('string pool over 4 GiB');
    const pool = Buffer.alloc(poolBytes);
    let poolPos = 0;
    const intern = (s: string): number => {
      const at = poolPos;
      poolPos += pool.write(s, at, 'latin1');
      return at;
    };

    const buildTable = (keys: string[], stride: 2 | 4, values: (i: number, keyOff: number) => number[]) => {
      const n = keys.length;
      // load factor at most 0.6: a miss (the common case) ends at an empty slot after ~3 probes
      let size = 16;
      while (size * 0.6 < n) size *= 2;
      const slots = new Uint32Array(size * 2);
      const entries = new Uint32Array(n * stride);
      const mask = size - 1;
      for (let i = 0; i < n; i++) {
        const key = keys[i] ?? '';
        const h = hashKey(key);
        let idx = h & mask;
        while (slots[idx * 2 + 1] !== 0) idx = (idx + 1) & mask;
        slots[idx * 2] = h;
        slots[idx * 2 + 1] = i + 1;
        const v = values(i, intern(key));
        entries.set(v, i * stride);
      }
      return { slots, entries };
    };

    // host table: fingerprint buckets + key records
    const hostTable = this.buildHostTable(catset);

    const urlHosts = [...this.urls.keys()];
    const pathRows: number[] = [];
    let pathIndex = 0;
    const urlTable = buildTable(urlHosts, 4, (i, off) => {
      const paths = [...(this.urls.get(urlHosts[i] ?? '') ?? new Map<string, number[]>())];
      paths.sort((a, b) => b[0].length - a[0].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const first = pathIndex;
      for (const [p, cats] of paths) {
        pathRows.push(intern(p), p.length, catset(cats), 0);
        pathIndex++;
      }
      return [off, (urlHosts[i] ?? '').length, first, paths.length];
    });
    const urlPaths = Uint32Array.from(pathRows);

    // IPv4: grouped by prefix length, sorted by network
    const v4 = [...this.ipv4.values()].sort((a, b) => b.prefix - a.prefix || a.addr - b.addr);
    const ipv4 = new Uint32Array(33 * 2 + v4.length * 2);
    {
      let row = 0;
      for (let prefix = 0; prefix <= 32; prefix++) {
        const group = v4.filter((e) => e.prefix === prefix);
        ipv4[prefix * 2] = row;
        ipv4[prefix * 2 + 1] = group.length;
        for (const e of group) {
          ipv4[66 + row * 2] = e.addr;
          ipv4[66 + row * 2 + 1] = catset(e.cats);
          row++;
        }
      }
    }
    const v6words = (b: Uint8Array): number[] => [0, 4, 8, 12].map((o) => (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0);
    const v6 = [...this.ipv6.values()].map((e) => ({ ...e, words: v6words(e.addr) }));
    v6.sort((a, b) => {
      for (let i = 0; i < 4; i++) {
        const d = (a.words[i] ?? 0) - (b.words[i] ?? 0);
        if (d !== 0) return d;
      }
      return 0;
    });
    const ipv6 = new Uint32Array(129 * 2 + v6.length * 6);
    {
      let row = 0;
      for (let prefix = 0; prefix <= 128; prefix++) {
        const group = v6.filter((e) => e.prefix === prefix);
        ipv6[prefix * 2] = row;
        ipv6[prefix * 2 + 1] = group.length;
        for (const e of group) {
          ipv6.set([...e.words, catset(e.cats), 0], 258 + row * 6);
          row++;
        }
      }
    }

    // catsets section
    let catItems = 0;
    for (const cs of catsets) catItems += cs.length;
    const catBuf = Buffer.alloc(4 + (catsets.length + 1) * 4 + catItems * 2);
    catBuf.writeUInt32LE(catsets.length, 0);
    {
      let item = 0;
      const dataAt = 4 + (catsets.length + 1) * 4;
      catsets.forEach((cs, i) => {
        catBuf.writeUInt32LE(item, 4 + i * 4);
        for (const cat of cs) catBuf.writeUInt16LE(cat, dataAt + (item++) * 2);
      });
      catBuf.writeUInt32LE(item, 4 + catsets.length * 4);
    }

    const expressions = [...this.expressions].map(([pattern, cats]) => ({ pattern, categories: cats.map((c) => this.categoryIds[c] ?? 'unknown') }));
    const meta: DbMeta = {
      name: this.name,
      categories: this.categoryIds,
      sources: this.sources,
      ...(this.builtAt ? { builtAt: this.builtAt.toISOString() } : {}),
      ...(expressions.length > 0 ? { expressions } : {}),
      counts: this.counts,
    };
    const u8 = (a: Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const sections: Array<[number, Buffer, number]> = [
      [SECTION.META, Buffer.from(JSON.stringify(meta), 'utf8'), 1],
      [SECTION.CATSETS, catBuf, catsets.length],
      [SECTION.HOST_BUCKETS, Buffer.from(hostTable.buckets.buffer, hostTable.buckets.byteOffset, hostTable.buckets.byteLength), hostTable.buckets[0] ?? 0],
      [SECTION.HOST_VERIFY, hostTable.verify, 0],
      [SECTION.HOST_FILTER, Buffer.from(hostTable.filter.buffer, hostTable.filter.byteOffset, hostTable.filter.byteLength), hostTable.filter.length],
      [SECTION.URL_SLOTS, u8(urlTable.slots), urlTable.slots.length / 2],
      [SECTION.URL_ENTRIES, u8(urlTable.entries), urlHosts.length],
      [SECTION.URL_PATHS, u8(urlPaths), pathIndex],
      [SECTION.POOL, pool, poolBytes],
      [SECTION.IPV4, u8(ipv4), v4.length],
      [SECTION.IPV6, u8(ipv6), v6.length],
      // last: loaders may leave it out (db-format.ts)
      [SECTION.HOST_KEYS, hostTable.keys, this.hosts.size],
    ];
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('building a category database needs a little-endian machine');

    // 64-aligned sections: a host bucket is one cache line when the buffer itself is 64-aligned
    const align = (n: number) => (n + 63) & ~63;
    let offset = align(HEADER_BYTES + sections.length * SECTION_ENTRY_BYTES);
    const layout = sections.map(([id, data, count]) => {
      const at = offset;
      offset = align(offset + data.length);
      return { id, data, count, at };
    });
    const total = offset;
    if (total > 0xffffffff) throw new Error('database over 4 GiB');
    const out = Buffer.alloc(total);
    out.write(MAGIC, 0, 'latin1');
    out.writeUInt32LE(FORMAT_VERSION, 8);
    out.writeUInt32LE(HEADER_BYTES, 12);
    out.writeUInt32LE(total, 16);
    out.writeUInt32LE(sections.length, 24);
    layout.forEach((s, i) => {
      const p = HEADER_BYTES + i * SECTION_ENTRY_BYTES;
      out.writeUInt32LE(s.id, p);
      out.writeUInt32LE(s.at, p + 4);
      out.writeUInt32LE(s.data.length, p + 8);
      out.writeUInt32LE(s.count, p + 12);
      out.writeUInt32LE(crc32(s.data), p + 16);
      s.data.copy(out, s.at);
    });
    out.writeUInt32LE(crc32(out.subarray(HEADER_BYTES, HEADER_BYTES + sections.length * SECTION_ENTRY_BYTES)), 20);
    return out;
  }
}
