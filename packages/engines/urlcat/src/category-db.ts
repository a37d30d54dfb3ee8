/**
 * Reading a category database in place: `loadCategoryDb(buf)` checks the header, the length and
 * the checksum, then wraps the sections in typed-array views: nothing is parsed per entry. A host
 * lookup (format 4, db-format.ts HOST_BUCKETS) reads the host once, right to left, with no split,
 * slice or allocation, and keeps two 32-bit hash chains (a 64-bit fingerprint) of the suffix read
 * so far. At the registrable level (two labels) it asks the host filter whether anything is
 * anchored at that suffix — a few MiB, mostly in cache: most unlisted hosts end there — then
 * scans the suffix's home, one 64-byte bucket (one cache line) unless it spilled: the suffix's
 * own slot, and, when the home word says keys lie below it, the slots of the longer suffixes as
 * the rest of the host is read (the same line). Only a SPLIT parent (`co.jp`, `blogspot.com`)
 * sends the next level to a home of its own, through the filter again. The longest suffix found
 * as a key answers; its catset sits in the slot beside the fingerprint.
 *
 * Batches (lookupHosts, lookupHostsCatsets) take the same steps in WebAssembly (host-kernel.wat),
 * in passes over groups of hosts so that the misses of a group's hosts overlap.
 *
 * False matches: a host suffix that is not in the table matches a slot only if its 64-bit
 * fingerprint equals that slot's. A lookup compares each suffix it reaches with the slots of one
 * home (five per bucket, a few more when the home spilled), p ≈ 5 × 2^-64 ≈ 2.7e-19 per suffix,
 * or with the table's entries at worst, (entries) × 2^-64: 1.4e-13 with 2.5M entries, one false
 * match per ~7e12 suffixes. A false match on a KEY slot adds a category; on a SPLIT slot or a
 * deeper bit it only makes the lookup read further (where it needs another false match to add
 * anything). Keys whose categories relax inspection (VERIFIED_CATEGORIES, the smart bypass) are
 * compared byte by byte before they answer, so a deliberately crafted collision cannot buy a
 * bypass; any other false match can only add a category.
 */
import fs from 'node:fs';
import { crc32 } from 'node:zlib';
import { domainToASCII } from 'node:url';
import {
  BUCKET_WORDS,
  BUCKETS_HEADER_WORDS,
  CategoryDbError,
  FORMAT_VERSION,
  HEADER_BYTES,
  MAGIC,
  SECTION,
  SECTION_ENTRY_BYTES,
  REACH_MASK,
  SLOT_KEY,
  SLOT_SPLIT,
  SLOT_PAYLOAD_SHIFT,
  SLOT_VERIFY,
  type DbMeta,
} from './db-format.js';
import { HASH2_SEED, HASH_SEED, deeperBit, filterBits, hashFinish32, hashKey, hashStep, hashStep2 } from './key-hash.js';
import { formatIPv4, formatIPv6, maskV4, parseIPv4, parseIPv6, type Cidr } from './ip.js';
import { splitUrl } from './list-entry.js';
import { HostKernel, KERNEL_CHUNK } from './host-kernel.js';

export interface LookupResult {
  /** Category ids. The array is shared between lookups and frozen: copy it before changing it. */
  categories: string[];
  /** The list entry that matched: a host suffix, `host/path` prefix or CIDR. */
  matched?: string;
}

const NONE: LookupResult = Object.freeze({ categories: Object.freeze([]) as unknown as string[] });
const MAX_LABELS = 128;
/** where lookupCost keeps its candidates */
const SINGLE_AT = 0;

/** lookupHostsCatsets: the id of "not listed" */
export const NO_CATSET = 0xffffffff;

/**
 * Where a host name ends (a trailing dot left out): -1 when it is empty, -2 when it looks like an
 * IP literal (IPv4 ends in a digit, which no TLD does; IPv6 is bracketed) unless `notIp`.
 */
function nameEnd(host: string, notIp: boolean): number {
  let end = host.length;
  if (end > 0 && host.charCodeAt(end - 1) === 46) end--;
  if (end === 0) return -1;
  const last = host.charCodeAt(end - 1);
  if (((last >= 48 && last <= 57) || last === 93) && !notIp) return -2;
  return end;
}

export class CategoryDb {
  readonly meta: DbMeta;
  readonly byteLength: number;
  private readonly catStarts: Uint32Array;
  private readonly catItems: Uint16Array;
  private readonly catCache: Array<string[] | undefined>;
  /** HOST_BUCKETS (with its 16-word header) */
  private readonly buckets: Int32Array;
  /** HOST_FILTER */
  private readonly hostFilter: Int32Array;
  private readonly bucketCount: number;
  /**
   * bucketCount / 2^32 and the filter's word count / 2^32: (x * scale) >>> 0 is the
   * multiply-shift floor(x * n / 2^32) of key-hash.ts bucketOf, exactly (x * n < 2^53, and the
   * power-of-two scaling is exact), without the division and floor
   */
  private readonly bucketScale: number;
  private readonly filterScale: number;
  private hostKeys: Int32Array;
  private hostKeyBytes: Uint8Array;
  private readonly verifyKeys: Int32Array;
  private readonly verifyKeyBytes: Uint8Array;
  private readonly hashes2 = new Int32Array(SINGLE_AT + MAX_LABELS + 1);
  private readonly urlSlots: Int32Array;
  private readonly urlEntries: Uint32Array;
  private readonly urlMask: number;
  private readonly urlPaths: Uint32Array;
  private readonly pool: Uint8Array;
  private readonly ipv4: Uint32Array;
  private readonly ipv4Prefixes: number[];
  private readonly ipv6: Uint32Array;
  private readonly ipv6Prefixes: number[];
  private readonly bounds = new Int32Array(SINGLE_AT + MAX_LABELS + 1);
  private readonly hashes = new Int32Array(SINGLE_AT + MAX_LABELS + 1);
  private readonly expressions: Array<{ re: RegExp; categories: string[]; pattern: string }>;
  /** the WebAssembly batch lookup (host-kernel.ts), made on the first batch; null: not usable */
  private kernel: HostKernel | null | undefined;
  /** set by ipCatset(): the network that matched */
  private ipMatched = '';
  /** set by suffixes(): the host had an upper-case letter */
  private upper = false;
  /** set by lookupCatset(): where the matched suffix starts, and whether the part read had upper case */
  private matchStart = 0;
  private matchUpper = false;

  /** where the HOST_KEYS section is read from when the loaded buffer stops before it (loadCategoryDbFile) */
  private readonly keysSource: { file: string; at: number; len: number; crc: number } | undefined;
  private keysChecked = false;

  constructor(input: Buffer | Uint8Array, file?: string) {
    if (input.byteLength < HEADER_BYTES) throw new CategoryDbError('truncated', `category database truncated: ${input.byteLength} bytes, the header alone is ${HEADER_BYTES}`);
    let buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (buf.toString('latin1', 0, 8) !== MAGIC) throw new CategoryDbError('bad-magic', 'not a Mamori category database (bad magic; build one with `mamori intel build`)');
    const version = buf.readUInt32LE(8);
    if (version !== FORMAT_VERSION) throw new CategoryDbError('unsupported-version', `category database format version ${version} is not supported (this build reads version ${FORMAT_VERSION})`);
    const total = buf.readUInt32LE(16);
    const count = buf.readUInt32LE(24);
    const tableEnd = HEADER_BYTES + count * SECTION_ENTRY_BYTES;
    if (buf.byteLength < tableEnd) throw new CategoryDbError('truncated', `category database truncated: ${buf.byteLength} of ${total} bytes`);
    if (crc32(buf.subarray(HEADER_BYTES, tableEnd)) !== buf.readUInt32LE(20)) throw new CategoryDbError('checksum', 'category database checksum mismatch (section table damaged)');
    // the HOST_KEYS section (last in the file) may be left out of the buffer when a file is named to read it from
    const keysEntry = sectionEntries(buf, count).find((e) => e.id === SECTION.HOST_KEYS);
    const needed = file !== undefined && keysEntry !== undefined && isLast(keysEntry, total) ? keysEntry.at : total;
    if (buf.byteLength < needed) throw new CategoryDbError('truncated', `category database truncated: ${buf.byteLength} of ${total} bytes`);
    if (buf.byteLength > total) buf = buf.subarray(0, total);
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new CategoryDbError('corrupt', 'category databases are read on little-endian machines only');
    // typed-array views need aligned offsets; a pooled or sliced Buffer may not be
    if (buf.byteOffset % 8 !== 0) buf = Buffer.from(buf);
    this.byteLength = total;

    const sections = new Map<number, { at: number; len: number; count: number }>();
    for (const e of sectionEntries(buf, count)) {
      if (e.at % 8 !== 0 || e.at + e.len > total) throw new CategoryDbError('corrupt', `category database section ${e.id} out of range`);
      // a file's HOST_KEYS may be left out of the buffer (loadCategoryDbFile): read and checked when first used
      if (e.id === SECTION.HOST_KEYS && buf.byteLength < e.at + e.len) {
        this.keysSource = { file: file as string, at: e.at, len: e.len, crc: e.crc };
        sections.set(e.id, { at: 0, len: 0, count: 0 });
        continue;
      }
      if (crc32(buf.subarray(e.at, e.at + e.len)) !== e.crc) throw new CategoryDbError('checksum', `category database checksum mismatch (section ${e.id} damaged)`);
      sections.set(e.id, e);
    }
    const section = (id: number) => {
      const s = sections.get(id);
      if (!s) throw new CategoryDbError('corrupt', `category database lacks section ${id}`);
      return s;
    };
    const u32 = (id: number) => {
      const s = section(id);
      if (s.len % 4 !== 0) throw new CategoryDbError('corrupt', `category database section ${id} has a bad length`);
      return new Uint32Array(buf.buffer, buf.byteOffset + s.at, s.len / 4);
    };
    const i32 = (id: number) => {
      const a = u32(id);
      return new Int32Array(a.buffer, a.byteOffset, a.length);
    };

    const metaSec = section(SECTION.META);
    try {
      this.meta = JSON.parse(buf.toString('utf8', metaSec.at, metaSec.at + metaSec.len)) as DbMeta;
    } catch {
      throw new CategoryDbError('corrupt', 'category database metadata is not valid JSON');
    }
    if (!Array.isArray(this.meta.categories)) throw new CategoryDbError('corrupt', 'category database metadata lacks categories');
    this.expressions = (this.meta.expressions ?? []).map((e) => {
      try {
        return { re: new RegExp(e.pattern, 'i'), categories: Object.freeze([...e.categories]) as string[], pattern: e.pattern };
      } catch {
        throw new CategoryDbError('corrupt', `category database has an invalid regular expression: ${e.pattern.slice(0, 80)}`);
      }
    });

    const cs = section(SECTION.CATSETS);
    const nsets = buf.readUInt32LE(cs.at);
    this.catStarts = new Uint32Array(buf.buffer, buf.byteOffset + cs.at + 4, nsets + 1);
    const itemsAt = cs.at + 4 + (nsets + 1) * 4;
    this.catItems = new Uint16Array(buf.buffer, buf.byteOffset + itemsAt, (cs.len - (itemsAt - cs.at)) / 2);
    this.catCache = new Array<string[] | undefined>(nsets);

    this.buckets = i32(SECTION.HOST_BUCKETS);
    this.bucketCount = this.buckets[0] ?? 0;
    {
      const total = this.buckets[1] ?? 0;
      if (this.bucketCount < 1 || total < this.bucketCount || this.buckets.length !== BUCKETS_HEADER_WORDS + total * BUCKET_WORDS) throw new CategoryDbError('corrupt', 'category database host bucket table has a bad size');
      // every home's reach stays inside the table (lookups do not check it)
      for (let h = 0, at = BUCKETS_HEADER_WORDS + BUCKET_WORDS - 1; h < this.bucketCount; h++, at += BUCKET_WORDS) {
        const reach = (this.buckets[at] as number) & REACH_MASK;
        if (h + reach >= total) throw new CategoryDbError('corrupt', `category database host bucket ${h} reaches past the table`);
      }
    }
    this.hostFilter = i32(SECTION.HOST_FILTER);
    if (this.hostFilter.length < 16) throw new CategoryDbError('corrupt', 'category database host filter is too short');
    this.bucketScale = this.bucketCount / 4294967296;
    this.filterScale = this.hostFilter.length / 4294967296;
    this.hostKeys = i32(SECTION.HOST_KEYS);
    this.verifyKeys = i32(SECTION.HOST_VERIFY);
    this.verifyKeyBytes = new Uint8Array(this.verifyKeys.buffer, this.verifyKeys.byteOffset, this.verifyKeys.byteLength);
    this.hostKeyBytes = new Uint8Array(this.hostKeys.buffer, this.hostKeys.byteOffset, this.hostKeys.byteLength);
    this.urlSlots = i32(SECTION.URL_SLOTS);
    this.urlEntries = u32(SECTION.URL_ENTRIES);
    this.urlMask = this.urlSlots.length / 2 - 1;
    this.urlPaths = u32(SECTION.URL_PATHS);
    const pool = section(SECTION.POOL);
    this.pool = new Uint8Array(buf.buffer, buf.byteOffset + pool.at, pool.len);
    this.ipv4 = u32(SECTION.IPV4);
    this.ipv6 = u32(SECTION.IPV6);
    for (const [mask, name] of [[this.urlMask, 'url']] as const) {
      if (mask < 0 || (mask & (mask + 1)) !== 0) throw new CategoryDbError('corrupt', `category database ${name} table size is not a power of two`);
    }
    if (this.ipv4.length < 66 || this.ipv6.length < 258) throw new CategoryDbError('corrupt', 'category database IP tables are too short');
    this.ipv4Prefixes = [];
    for (let p = 32; p >= 0; p--) if ((this.ipv4[p * 2 + 1] ?? 0) > 0) this.ipv4Prefixes.push(p);
    this.ipv6Prefixes = [];
    for (let p = 128; p >= 0; p--) if ((this.ipv6[p * 2 + 1] ?? 0) > 0) this.ipv6Prefixes.push(p);
  }

  /** Bytes of the host bucket table (benchmark diagnostics). */
  get bucketBytes(): number {
    return this.buckets.byteLength;
  }

  /** Bytes of the host filter (benchmark diagnostics). */
  get filterBytes(): number {
    return this.hostFilter.byteLength;
  }

  /** All category ids this database can return (taxonomy + custom). */
  get categoryIds(): readonly string[] {
    return this.meta.categories;
  }

  private categories(catset: number): string[] {
    let cached = this.catCache[catset];
    if (cached === undefined) {
      const list: string[] = [];
      const end = this.catStarts[catset + 1] ?? 0;
      for (let i = this.catStarts[catset] ?? 0; i < end; i++) list.push(this.meta.categories[this.catItems[i] ?? 0] ?? 'unknown');
      cached = Object.freeze(list) as string[];
      this.catCache[catset] = cached;
    }
    return cached;
  }

  /** URL table: entry index whose key equals host[start, end) (case-insensitively), or -1. */
  private probe(slots: Int32Array, entries: Uint32Array, stride: number, mask: number, hash: number, host: string, start: number, end: number): number {
    const pool = this.pool;
    const len = end - start;
    let idx = hash & mask;
    while (true) {
      const e = slots[idx * 2 + 1] ?? 0;
      if (e === 0) return -1;
      if (slots[idx * 2] === hash) {
        const row = (e - 1) * stride;
        if (((entries[row + 1] ?? 0) & 0xff) === len) {
          let off = entries[row] ?? 0;
          let i = start;
          for (; i < end; i++, off++) {
            let ch = host.charCodeAt(i);
            if (ch >= 65 && ch <= 90) ch |= 32;
            if (pool[off] !== ch) break;
          }
          if (i === end) return e - 1;
        }
      }
      idx = (idx + 1) & mask;
    }
  }

  /**
   * Hashes every label suffix of host[0, end) right to left into this.bounds/this.hashes.
   * Returns the number of suffixes, -1 when the host has a non-ASCII character, -2 for a colon (IPv6).
   */
  private suffixes(host: string, end: number): number {
    const bounds = this.bounds;
    const hashes = this.hashes;
    let h = HASH_SEED;
    let n = 0;
    let upper = false;
    for (let i = end - 1; i >= 0; i--) {
      let ch = host.charCodeAt(i);
      if (ch >= 65 && ch <= 90) {
        ch |= 32;
        upper = true;
      } else if (ch > 127) return -1;
      else if (ch === 58) return -2;
      if (ch === 46) {
        if (n === MAX_LABELS) {
          this.upper = upper;
          return n;
        }
        bounds[n] = i + 1;
        hashes[n] = hashFinish32(h);
        n++;
      }
      h = hashStep(h, ch);
    }
    bounds[n] = 0;
    hashes[n] = hashFinish32(h);
    this.upper = upper;
    return n + 1;
  }

  /** Longest-match host lookup: `a.b.example.co.jp` finds an `example.co.jp` entry. IP literals go to lookupIp. */
  lookupHost(host: string): LookupResult {
    const cs = this.lookupCatset(host);
    if (cs < 0) return cs === -1 ? NONE : this.lookupHostSlow(host);
    const start = this.matchStart;
    let end = host.length;
    if (host.charCodeAt(end - 1) === 46) end--;
    const matched = this.matchUpper ? host.slice(start, end).toLowerCase() : start === 0 && end === host.length ? host : host.slice(start, end);
    return { categories: this.categories(cs), matched };
  }

  /**
   * lookupHost without a result object (the proxy's hot path): the categories of the longest
   * listed suffix — the shared frozen array of its category set, empty when none. Allocates nothing.
   */
  lookupHostCategories(host: string): readonly string[] {
    const cs = this.lookupCatset(host);
    return cs >= 0 ? this.categories(cs) : cs === -1 ? NONE.categories : this.lookupHostSlow(host).categories;
  }

  /** The categories of a category-set id from lookupHostsCatsets (NO_CATSET: none, an empty array). */
  catsetCategories(id: number): readonly string[] {
    return id === NO_CATSET ? NONE.categories : this.categories(id);
  }

  /**
   * Batch host lookup (log re-categorisation, list checks, the cloud lookup service): out[i] = the
   * categories of hosts[i], the same shared frozen arrays lookupHostCategories returns.
   */
  lookupHosts(hosts: readonly string[], out: Array<readonly string[]>): void {
    const kernel = this.batchKernel();
    for (let g = 0; g < hosts.length; g += KERNEL_CHUNK) {
      const m = Math.min(KERNEL_CHUNK, hosts.length - g);
      if (kernel === null || !kernel.run(hosts, g, m)) {
        for (let j = 0; j < m; j++) out[g + j] = this.lookupHostCategories(hosts[g + j] as string);
        continue;
      }
      const res = kernel.out;
      for (let j = 0; j < m; j++) {
        const cs = res[j] as number;
        out[g + j] = cs >= 0 ? this.categories(cs) : cs === -1 ? NONE.categories : this.lookupHostSlow(hosts[g + j] as string).categories;
      }
    }
  }

  /**
   * The allocation-free batch form: out[i] = the category-set id of hosts[i] (NO_CATSET when not
   * listed); catsetCategories(id) names it. Equal ids are equal category sets.
   */
  lookupHostsCatsets(hosts: readonly string[], out: Uint32Array): void {
    if (out.length < hosts.length) throw new RangeError(`lookupHostsCatsets: out holds ${out.length} ids for ${hosts.length} hosts`);
    const kernel = this.batchKernel();
    for (let g = 0; g < hosts.length; g += KERNEL_CHUNK) {
      const m = Math.min(KERNEL_CHUNK, hosts.length - g);
      const res = kernel !== null && kernel.run(hosts, g, m) ? kernel.out : null;
      for (let j = 0; j < m; j++) {
        const host = hosts[g + j] as string;
        let cs = res !== null ? (res[j] as number) : this.lookupCatset(host);
        if (cs === -2) cs = this.slowCatset(host);
        out[g + j] = cs >= 0 ? cs : NO_CATSET;
      }
    }
  }

  /** The batch kernel over this database's tables (made once; null when it cannot read them). */
  private batchKernel(): HostKernel | null {
    if (this.kernel === undefined) this.kernel = HostKernel.create(this.hostFilter, this.buckets, this.bucketCount, this.verifyKeys) ?? null;
    return this.kernel;
  }

  /** Bytes of the batch kernel's memory, 0 before the first batch (benchmark diagnostics). */
  get batchKernelBytes(): number {
    return this.kernel ? this.kernel.byteLength : 0;
  }

  /**
   * What a lookupHost of this host reads (benchmark diagnostics), following the same steps:
   * filter words, buckets (64-byte lines; a home is one bucket unless it spills), of those the
   * buckets read to pass a SPLIT parent (`co.jp`, `blogspot.com`: shared by many hosts, likely in
   * cache), and key records compared byte by byte.
   */
  lookupCost(host: string): { filterWords: number; lines: number; sharedLines: number; keyReads: number } {
    const cost = { filterWords: 0, lines: 0, sharedLines: 0, keyReads: 0 };
    const levels = this.hashLevels(host, false, 0, MAX_LABELS);
    const c1 = this.hashes;
    const c2 = this.hashes2;
    let group = -1;
    for (let k = 0; k < levels; k++) {
      const f1 = c1[k] as number;
      const f2 = c2[k] as number;
      let home = group;
      if (group < 0) {
        cost.filterWords++;
        if (!this.filterHas(f2)) break;
        home = this.bucketBase(f1);
      }
      // buckets findSlot reads: the home's, then the next while full (a home spills only from a full bucket)
      const v = this.findSlot(home, f1, f2);
      if (group < 0) {
        let read = 1;
        for (let at = home, reach = (this.buckets[home + 15] as number) & REACH_MASK; reach > 0 && !this.bucketHas(at, f1, f2); reach--, at += BUCKET_WORDS) read++;
        cost.lines += read;
        if ((v & SLOT_SPLIT) !== 0) cost.sharedLines += read;
      }
      if ((v & SLOT_KEY) !== 0 && (v & SLOT_VERIFY) !== 0) cost.keyReads++;
      if (group < 0 && (v & SLOT_SPLIT) === 0) {
        if (((this.buckets[home + 15] as number) & deeperBit(f2)) === 0) break;
        group = home;
      }
    }
    return cost;
  }

  /** The bucket at `base` holds fingerprint (f1, f2) or has an empty slot (a scan ends in it). */
  private bucketHas(base: number, f1: number, f2: number): boolean {
    const b = this.buckets;
    for (let s = base; s < base + 15; s += 3) if (b[s + 2] === 0 || (b[s] === f1 && b[s + 1] === f2)) return true;
    return false;
  }

  /** The host filter may hold f2 (an anchor or a SPLIT parent); false: certainly not. */
  private filterHas(f2: number): boolean {
    const w = this.hostFilter[((f2 >>> 0) * this.filterScale) >>> 0] as number;
    const m = filterBits(f2);
    return (w & m) === m;
  }

  /**
   * The hot path of host lookups: the catset of the longest listed suffix, -1 when none, -2 for a
   * host that needs the slow path (IP literal, non-ASCII). Sets matchStart and matchUpper.
   */
  private lookupCatset(host: string, notIp = false): number {
    const end = nameEnd(host, notIp);
    if (end < 0) return end;
    // read host[0, end) right to left up to its registrable level (two labels)
    let h1 = HASH_SEED;
    let h2 = HASH2_SEED;
    let upper = 0;
    let dot = 0;
    let i = end - 1;
    for (; i >= 0; i--) {
      let ch = host.charCodeAt(i);
      if (ch === 46) {
        if (dot !== 0) break;
        dot = 1;
      } else if (ch >= 65 && ch <= 90) {
        ch |= 32;
        upper = 1;
      } else if (ch > 127 || ch === 58) return -2;
      h1 = hashStep(h1, ch);
      h2 = hashStep2(h2, ch);
    }
    // one label: never a key
    if (dot === 0) return -1;
    return this.walk(host, end, i, h1, h2, upper);
  }

  /**
   * Goes on from the registrable level (host[i + 1, end) read into the hash chains h1 and h2,
   * `upper` when it had upper case; the filter not yet asked):
   * filter, home, slot; through the anchor's group when its home word says keys lie below it;
   * past a SPLIT parent to the next level, which is an anchor level again. Returns the catset of
   * the longest key found (matchStart, matchUpper set), -1 for none, -2 for the slow path.
   */
  private walk(host: string, end: number, i: number, h1: number, h2: number, upper: number): number {
    const b = this.buckets;
    const filter = this.hostFilter;
    let best = -1;
    let bestStart = 0;
    let bestUpper = 0;
    for (;;) {
      const f1 = hashFinish32(h1);
      const f2 = hashFinish32(h2);
      // nothing anchors here: no key at or under this suffix
      const w = filter[((f2 >>> 0) * this.filterScale) >>> 0] as number;
      const m = filterBits(f2);
      if ((w & m) !== m) break;
      const home = this.bucketBase(f1);
      const v = this.findSlot(home, f1, f2);
      let cs = this.keyCatset(v, host, i + 1, end);
      if (cs >= 0) {
        best = cs;
        bestStart = i + 1;
        bestUpper = upper;
      }
      if ((v & SLOT_SPLIT) === 0) {
        if (((b[home + 15] as number) & deeperBit(f2)) === 0) break;
        // the anchor's group: the longer suffixes are in the same home
        while (i >= 0) {
          h1 = hashStep(h1, 46);
          h2 = hashStep2(h2, 46);
          for (i--; i >= 0; i--) {
            let ch = host.charCodeAt(i);
            if (ch === 46) break;
            if (ch >= 65 && ch <= 90) {
              ch |= 32;
              upper = 1;
            } else if (ch > 127 || ch === 58) return -2;
            h1 = hashStep(h1, ch);
            h2 = hashStep2(h2, ch);
          }
          cs = this.keyCatset(this.findSlot(home, hashFinish32(h1), hashFinish32(h2)), host, i + 1, end);
          if (cs >= 0) {
            best = cs;
            bestStart = i + 1;
            bestUpper = upper;
          }
        }
        break;
      }
      // a SPLIT parent: the next level anchors in a home of its own
      if (i < 0) break;
      h1 = hashStep(h1, 46);
      h2 = hashStep2(h2, 46);
      for (i--; i >= 0; i--) {
        let ch = host.charCodeAt(i);
        if (ch === 46) break;
        if (ch >= 65 && ch <= 90) {
          ch |= 32;
          upper = 1;
        } else if (ch > 127 || ch === 58) return -2;
        h1 = hashStep(h1, ch);
        h2 = hashStep2(h2, ch);
      }
    }
    if (best >= 0) {
      this.matchStart = bestStart;
      this.matchUpper = bestUpper !== 0;
    }
    return best;
  }

  /** The catset a slot word answers for host[start, end): KEY slots only, VERIFY ones byte-compared; else -1. */
  private keyCatset(v: number, host: string, start: number, end: number): number {
    if ((v & SLOT_KEY) === 0) return -1;
    if ((v & SLOT_VERIFY) === 0) return v >>> SLOT_PAYLOAD_SHIFT;
    return this.keyEquals(v >>> SLOT_PAYLOAD_SHIFT, host, start, end) ? (this.verifyKeys[v >>> SLOT_PAYLOAD_SHIFT] as number) >>> 8 : -1;
  }

  /**
   * The slot word of fingerprint (f1, f2) in the home at `base` (its bucket and the `reach`
   * following ones), or 0.
   */
  private findSlot(base: number, f1: number, f2: number): number {
    const b = this.buckets;
    for (let reach = (b[base + 15] as number) & REACH_MASK; ; reach--) {
      for (let s = base; s < base + 15; s += 3) {
        const w = b[s + 2] as number;
        if (w === 0) return 0;
        if (b[s] === f1 && b[s + 1] === f2) return w;
      }
      if (reach === 0) return 0;
      base += BUCKET_WORDS;
    }
  }

  private bucketBase(f1: number): number {
    return BUCKETS_HEADER_WORDS + (((f1 >>> 0) * this.bucketScale) >>> 0) * BUCKET_WORDS;
  }

  /**
   * Reads the host right to left once and records at [at, at + cap) the fingerprint and start of
   * every suffix from the registrable level (two labels) on, shortest first. Returns their
   * number, -1 (none: one label), -2 (slow path: IP literal, non-ASCII) or -3 (more than cap;
   * with cap = MAX_LABELS the deeper suffixes are left out: keys have at most 128 labels).
   */
  private hashLevels(host: string, notIp: boolean, at: number, cap: number): number {
    const end = nameEnd(host, notIp);
    if (end < 0) return end;
    const c1 = this.hashes;
    const c2 = this.hashes2;
    const cStart = this.bounds;
    let h1 = HASH_SEED;
    let h2 = HASH2_SEED;
    let upper = 0;
    let labels = 0;
    let found = 0;
    for (let i = end - 1; ; i--) {
      let ch = i >= 0 ? host.charCodeAt(i) : 46;
      if (ch === 46) {
        // host[i + 1, end) is a suffix; the last label alone (a TLD) is never a key
        if (labels > 0) {
          if (found === cap) {
            if (cap === MAX_LABELS) break;
            return -3;
          }
          c1[at + found] = hashFinish32(h1);
          c2[at + found] = hashFinish32(h2);
          // the start, negative when the part read so far had upper case
          cStart[at + found] = upper === 0 ? i + 1 : -(i + 2);
          found++;
        }
        if (i < 0) break;
        labels++;
      } else if (ch >= 65 && ch <= 90) {
        ch |= 32;
        upper = 1;
      } else if (ch > 127 || ch === 58) return -2;
      h1 = hashStep(h1, ch);
      h2 = hashStep2(h2, ch);
    }
    return found === 0 ? -1 : found;
  }

  /** HOST_VERIFY record r holds exactly host[start, end) (case-insensitively). */
  private keyEquals(r: number, host: string, start: number, end: number): boolean {
    if (((this.verifyKeys[r] as number) & 0xff) !== end - start) return false;
    const bytes = this.verifyKeyBytes;
    let off = (r + 1) * 4;
    for (let i = start; i < end; i++, off++) {
      let ch = host.charCodeAt(i);
      if (ch >= 65 && ch <= 90) ch |= 32;
      if (bytes[off] !== ch) return false;
    }
    return true;
  }

  /** IP literals and non-ASCII (IDN) hosts. */
  private lookupHostSlow(host: string): LookupResult {
    let end = host.length;
    if (host.charCodeAt(end - 1) === 46) end--;
    const h = end === host.length ? host : host.slice(0, end);
    if (h.includes(':') || h.charCodeAt(0) === 91) return this.lookupIpLiteral(h) ?? NONE;
    const last = h.charCodeAt(h.length - 1);
    if (last >= 48 && last <= 57) {
      const ip = this.lookupIpLiteral(h);
      if (ip !== undefined) return ip;
    }
    // eslint-disable-next-line no-control-regex
    if (/[^\x00-\x7f]/.test(h)) {
      const ascii = domainToASCII(h);
      return ascii === '' || ascii === h ? NONE : this.lookupHost(ascii);
    }
    // a name ending in a digit that is not an IP address
    const cs = this.lookupCatset(h, true);
    if (cs < 0) return NONE;
    const start = this.matchStart;
    return { categories: this.categories(cs), matched: this.matchUpper ? h.slice(start).toLowerCase() : start === 0 ? h : h.slice(start) };
  }

  /** lookupHostSlow as a catset (-1: none), for the batch form. */
  private slowCatset(host: string): number {
    let end = host.length;
    if (host.charCodeAt(end - 1) === 46) end--;
    const h = end === host.length ? host : host.slice(0, end);
    if (h.includes(':') || h.charCodeAt(0) === 91) {
      const cs = this.ipCatset(h);
      return cs === -3 ? -1 : cs;
    }
    const last = h.charCodeAt(h.length - 1);
    if (last >= 48 && last <= 57) {
      const cs = this.ipCatset(h);
      if (cs !== -3) return cs;
    }
    // eslint-disable-next-line no-control-regex
    if (/[^\x00-\x7f]/.test(h)) {
      const ascii = domainToASCII(h);
      if (ascii === '' || ascii === h) return -1;
      const cs = this.lookupCatset(ascii);
      return cs === -2 ? this.slowCatset(ascii) : cs;
    }
    const cs = this.lookupCatset(h, true);
    return cs < 0 ? -1 : cs;
  }

  /** Every `host/path` prefix with its categories. */
  *urlPrefixEntries(): Generator<{ host: string; path: string; categories: string[] }> {
    const e = this.urlEntries;
    const pool = Buffer.from(this.pool.buffer, this.pool.byteOffset, this.pool.byteLength);
    for (let i = 0; i + 3 < e.length; i += 4) {
      const host = pool.toString('latin1', e[i] as number, (e[i] as number) + (e[i + 1] as number));
      const first = e[i + 2] as number;
      for (let p = first; p < first + (e[i + 3] as number); p++) {
        const off = this.urlPaths[p * 4] as number;
        yield { host, path: pool.toString('latin1', off, off + (this.urlPaths[p * 4 + 1] as number)), categories: this.categories(this.urlPaths[p * 4 + 2] as number) };
      }
    }
  }

  /** Every listed IP network with its categories. */
  *ipEntries(): Generator<{ cidr: Cidr; categories: string[] }> {
    const t4 = this.ipv4;
    for (let prefix = 0; prefix <= 32; prefix++) {
      const start = t4[prefix * 2] as number;
      for (let r = start; r < start + (t4[prefix * 2 + 1] as number); r++) yield { cidr: { family: 4, addr: t4[66 + r * 2] as number, prefix }, categories: this.categories(t4[66 + r * 2 + 1] as number) };
    }
    const t6 = this.ipv6;
    for (let prefix = 0; prefix <= 128; prefix++) {
      const start = t6[prefix * 2] as number;
      for (let r = start; r < start + (t6[prefix * 2 + 1] as number); r++) {
        const addr = new Uint8Array(16);
        const view = new DataView(addr.buffer);
        for (let w = 0; w < 4; w++) view.setUint32(w * 4, t6[258 + r * 6 + w] as number);
        yield { cidr: { family: 6, addr, prefix }, categories: this.categories(t6[258 + r * 6 + 4] as number) };
      }
    }
  }

  /** Reads (when left out of the loaded buffer) and checks the HOST_KEYS section, once. */
  private checkKeys(): void {
    const src = this.keysSource;
    if (this.keysChecked || !src) {
      this.keysChecked = true;
      return;
    }
    const bytes = Buffer.alloc(src.len);
    const fd = fs.openSync(src.file, 'r');
    try {
      if (fs.readSync(fd, bytes, 0, src.len, src.at) !== src.len) throw new CategoryDbError('truncated', `category database ${src.file} truncated (host keys)`);
    } finally {
      fs.closeSync(fd);
    }
    if (crc32(bytes) !== src.crc) throw new CategoryDbError('checksum', `category database ${src.file}: checksum mismatch (host keys damaged)`);
    this.hostKeys = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    this.hostKeyBytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.keysChecked = true;
  }

  /** Every host key with its categories, in build order (editions, exports). */
  *hostEntries(): Generator<{ host: string; categories: string[] }> {
    this.checkKeys();
    const words = this.hostKeys;
    const bytes = this.hostKeyBytes;
    for (let r = 0; r < words.length; ) {
      const w = words[r] as number;
      const len = w & 0xff;
      if (len === 0) break;
      const at = (r + 1) * 4;
      yield { host: Buffer.from(bytes.buffer, bytes.byteOffset + at, len).toString('latin1'), categories: this.categories(w >>> 8) };
      r += 1 + ((len + 3) >> 2);
    }
  }

  /** Host categories plus those of the longest listed `host/path` prefix of the URL, plus matching expressions. */
  lookupUrl(url: string): LookupResult {
    const r = this.lookupUrlLists(url);
    if (this.expressions.length === 0) return r;
    const parts = splitUrl(url.trim());
    if (!parts || parts.host === '') return r;
    const target = `${parts.host.toLowerCase()}${parts.path === '' ? '/' : parts.path}`;
    let extra: string[] | undefined;
    let pattern: string | undefined;
    for (const e of this.expressions) {
      if (!e.re.test(target)) continue;
      extra = extra ? [...extra, ...e.categories] : [...e.categories];
      pattern ??= e.pattern;
    }
    if (!extra) return r;
    const categories = [...new Set([...r.categories, ...extra])];
    return { categories, matched: r.matched ?? `~${pattern ?? ''}` };
  }

  private lookupUrlLists(url: string): LookupResult {
    const parts = splitUrl(url.trim());
    if (!parts || parts.host === '') return NONE;
    let host = parts.host;
    if (host.endsWith('.')) host = host.slice(0, -1);
    // eslint-disable-next-line no-control-regex
    if (/[^\x00-\x7f]/.test(host)) {
      host = domainToASCII(host);
      if (host === '') return NONE;
    }
    host = host.toLowerCase();
    const hostResult = this.lookupHost(host);
    if (parts.path === '' || parts.path === '/' || this.urlEntries.length === 0) return hostResult;
    let key = host;
    if (host.startsWith('[')) {
      const v6 = parseIPv6(host);
      if (v6) key = formatIPv6(v6);
    }
    let n = this.suffixes(key, key.length);
    if (n === -2) {
      // IPv6 literal: one key, the whole address
      this.bounds[0] = 0;
      this.hashes[0] = hashKey(key);
      n = 1;
    }
    const path = parts.path;
    for (let k = n - 1; k >= 0; k--) {
      const start = this.bounds[k] ?? 0;
      const e = this.probe(this.urlSlots, this.urlEntries, 4, this.urlMask, this.hashes[k] ?? 0, key, start, key.length);
      if (e < 0) continue;
      const first = this.urlEntries[e * 4 + 2] ?? 0;
      const count = this.urlEntries[e * 4 + 3] ?? 0;
      for (let p = first; p < first + count; p++) {
        const off = this.urlPaths[p * 4] ?? 0;
        const len = this.urlPaths[p * 4 + 1] ?? 0;
        if (len > path.length || !this.pathPrefix(path, off, len)) continue;
        const lastCh = this.pool[off + len - 1];
        const next = path.charCodeAt(len);
        // prefix on a boundary: `/awards` matches `/awards`, `/awards/x`, `/awards?x`, not `/awardsx`
        if (len === path.length || lastCh === 47 || next === 47 || next === 63 || next === 38 || next === 59) {
          const urlCats = this.categories(this.urlPaths[p * 4 + 2] ?? 0);
          const matched = key.slice(start) + Buffer.from(this.pool.subarray(off, off + len)).toString('latin1');
          if (hostResult.categories.length === 0) return { categories: urlCats, matched };
          const merged = [...new Set([...urlCats, ...hostResult.categories])];
          return { categories: merged, matched };
        }
      }
    }
    return hostResult;
  }

  private pathPrefix(path: string, off: number, len: number): boolean {
    const pool = this.pool;
    for (let i = 0; i < len; i++) if (pool[off + i] !== path.charCodeAt(i)) return false;
    return true;
  }

  /** Longest-prefix match over the listed IPs and CIDRs. */
  lookupIp(ip: string): LookupResult {
    return this.lookupIpLiteral(ip) ?? NONE;
  }

  private lookupIpLiteral(ip: string): LookupResult | undefined {
    const cs = this.ipCatset(ip);
    if (cs === -3) return undefined;
    return cs < 0 ? NONE : { categories: this.categories(cs), matched: this.ipMatched };
  }

  /** The catset of the longest listed network holding `ip` (ipMatched set), -1 for none, -3 when it is not an IP address. */
  private ipCatset(ip: string): number {
    const v4 = parseIPv4(ip);
    if (v4 !== undefined) {
      const t = this.ipv4;
      for (const prefix of this.ipv4Prefixes) {
        const net = maskV4(v4, prefix);
        let lo = t[prefix * 2] ?? 0;
        let hi = lo + (t[prefix * 2 + 1] ?? 0) - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >>> 1;
          const v = t[66 + mid * 2] ?? 0;
          if (v === net) {
            this.ipMatched = `${formatIPv4(net)}/${prefix}`;
            return t[66 + mid * 2 + 1] ?? 0;
          }
          if (v < net) lo = mid + 1;
          else hi = mid - 1;
        }
      }
      return -1;
    }
    const v6 = parseIPv6(ip);
    if (v6 === undefined) return -3;
    const t = this.ipv6;
    for (const prefix of this.ipv6Prefixes) {
      const w: number[] = [];
      for (let o = 0; o < 16; o += 4) {
        const bits = Math.max(0, Math.min(32, prefix - o * 8));
        const word = (((v6[o] ?? 0) << 24) | ((v6[o + 1] ?? 0) << 16) | ((v6[o + 2] ?? 0) << 8) | (v6[o + 3] ?? 0)) >>> 0;
        w.push(bits === 0 ? 0 : bits === 32 ? word : (word & (0xffffffff << (32 - bits))) >>> 0);
      }
      let lo = t[prefix * 2] ?? 0;
      let hi = lo + (t[prefix * 2 + 1] ?? 0) - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const base = 258 + mid * 6;
        let cmp = 0;
        for (let i = 0; i < 4 && cmp === 0; i++) cmp = (t[base + i] ?? 0) - (w[i] ?? 0);
        if (cmp === 0) {
          const bytes = new Uint8Array(16);
          for (let i = 0; i < 4; i++) new DataView(bytes.buffer).setUint32(i * 4, w[i] ?? 0);
          this.ipMatched = `${formatIPv6(bytes)}/${prefix}`;
          return t[base + 4] ?? 0;
        }
        if (cmp < 0) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    return -1;
  }
}

export function loadCategoryDb(buf: Buffer | Uint8Array): CategoryDb {
  return new CategoryDb(buf);
}

/**
 * Reads a database file without its HOST_KEYS section (the list of keys, only needed to
 * enumerate them: read and checked on first use), which is most of a large file's bytes.
 */
export function loadCategoryDbFile(file: string): CategoryDb {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(HEADER_BYTES);
    if (fs.readSync(fd, head, 0, HEADER_BYTES, 0) < HEADER_BYTES) return new CategoryDb(head.subarray(0, 0));
    if (head.toString('latin1', 0, 8) !== MAGIC || head.readUInt32LE(8) !== FORMAT_VERSION) return new CategoryDb(fs.readFileSync(file));
    const count = head.readUInt32LE(24);
    const table = Buffer.alloc(count * SECTION_ENTRY_BYTES);
    fs.readSync(fd, table, 0, table.length, HEADER_BYTES);
    const keys = sectionEntries(Buffer.concat([head, table]), count).find((e) => e.id === SECTION.HOST_KEYS);
    const total = head.readUInt32LE(16);
    const want = keys && isLast(keys, total) ? keys.at : total;
    // a 64-aligned buffer of its own (never a pooled slice), so buckets are cache lines
    const buf = Buffer.allocUnsafeSlow(want);
    const got = fs.readSync(fd, buf, 0, want, 0);
    return new CategoryDb(buf.subarray(0, got), file);
  } finally {
    fs.closeSync(fd);
  }
}

/** The section ends the file (sections are 64-aligned, so up to 63 bytes of padding follow it). */
function isLast(e: { at: number; len: number }, total: number): boolean {
  return ((e.at + e.len + 63) & ~63) === total && e.len > 0;
}

function sectionEntries(buf: Buffer, count: number): Array<{ id: number; at: number; len: number; count: number; crc: number }> {
  const out: Array<{ id: number; at: number; len: number; count: number; crc: number }> = [];
  for (let i = 0; i < count; i++) {
    const p = HEADER_BYTES + i * SECTION_ENTRY_BYTES;
    if (p + SECTION_ENTRY_BYTES > buf.byteLength) throw new CategoryDbError('corrupt', 'category database section table out of range');
    out.push({ id: buf.readUInt32LE(p), at: buf.readUInt32LE(p + 4), len: buf.readUInt32LE(p + 8), count: buf.readUInt32LE(p + 12), crc: buf.readUInt32LE(p + 16) });
  }
  return out;
}
