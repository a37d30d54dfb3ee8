/**
 * Reading a category database in place: `loadCategoryDb(buf)` checks the header, the length and
 * the checksum, then wraps the sections in typed-array views: nothing is parsed per entry. A host
 * lookup hashes every label suffix in one right-to-left pass over the string's char codes (no
 * split, slice or allocation), walks the suffixes from the shortest in a blocked filter that says
 * per suffix "may be a key" and "may have keys under it" (one cache line per suffix, and most
 * hosts stop at their first), then probes the candidates longest first in the open-addressing
 * table of 32-bit fingerprints and verifies a fingerprint hit against the key bytes of its
 * record, which also holds the answer.
 */
import { crc32 } from 'node:zlib';
import { domainToASCII } from 'node:url';
import { CategoryDbError, FORMAT_VERSION, HEADER_BYTES, MAGIC, SECTION, SECTION_ENTRY_BYTES, type DbMeta } from './db-format.js';
import { HASH_SEED, hashFinish32, hashKey, hashStep } from './key-hash.js';
import { formatIPv4, formatIPv6, maskV4, parseIPv4, parseIPv6 } from './ip.js';
import { splitUrl } from './list-entry.js';

export interface LookupResult {
  /** Category ids. The array is shared between lookups and frozen: copy it before changing it. */
  categories: string[];
  /** The list entry that matched: a host suffix, `host/path` prefix or CIDR. */
  matched?: string;
}

const NONE: LookupResult = Object.freeze({ categories: Object.freeze([]) as unknown as string[] });
const MAX_LABELS = 128;

export class CategoryDb {
  readonly meta: DbMeta;
  readonly byteLength: number;
  private readonly catStarts: Uint32Array;
  private readonly catItems: Uint16Array;
  private readonly catCache: Array<string[] | undefined>;
  private readonly hostSlots: Int32Array;
  private readonly hostRecords: Int32Array;
  private readonly hostRecordBytes: Uint8Array;
  private readonly hostMask: number;
  private readonly hostFilter: Int32Array;
  private readonly hostFilterShift: number;
  private readonly urlSlots: Int32Array;
  private readonly urlEntries: Uint32Array;
  private readonly urlMask: number;
  private readonly urlPaths: Uint32Array;
  private readonly pool: Uint8Array;
  private readonly ipv4: Uint32Array;
  private readonly ipv4Prefixes: number[];
  private readonly ipv6: Uint32Array;
  private readonly ipv6Prefixes: number[];
  private readonly bounds = new Int32Array(MAX_LABELS + 1);
  private readonly hashes = new Int32Array(MAX_LABELS + 1);
  private readonly expressions: Array<{ re: RegExp; categories: string[]; pattern: string }>;
  private readonly candidates = new Int32Array(MAX_LABELS + 1);
  /** set by suffixes(): the host had an upper-case letter */
  private upper = false;

  constructor(input: Buffer | Uint8Array) {
    if (input.byteLength < HEADER_BYTES) throw new CategoryDbError('truncated', `category database truncated: ${input.byteLength} bytes, the header alone is ${HEADER_BYTES}`);
    let buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (buf.toString('latin1', 0, 8) !== MAGIC) throw new CategoryDbError('bad-magic', 'not a Mamori category database (bad magic; build one with `mamori intel build`)');
    const version = buf.readUInt32LE(8);
    if (version !== FORMAT_VERSION) throw new CategoryDbError('unsupported-version', `category database format version ${version} is not supported (this build reads version ${FORMAT_VERSION})`);
    const total = buf.readUInt32LE(16);
    if (buf.byteLength < total) throw new CategoryDbError('truncated', `category database truncated: ${buf.byteLength} of ${total} bytes`);
    if (buf.byteLength > total) buf = buf.subarray(0, total);
    const sum = crc32(buf.subarray(HEADER_BYTES));
    if (sum !== buf.readUInt32LE(20)) throw new CategoryDbError('checksum', 'category database checksum mismatch (file damaged)');
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new CategoryDbError('corrupt', 'category databases are read on little-endian machines only');
    // typed-array views need aligned offsets; a pooled or sliced Buffer may not be
    if (buf.byteOffset % 8 !== 0) buf = Buffer.from(buf);
    this.byteLength = total;

    const count = buf.readUInt32LE(24);
    const sections = new Map<number, { at: number; len: number; count: number }>();
    for (let i = 0; i < count; i++) {
      const p = HEADER_BYTES + i * SECTION_ENTRY_BYTES;
      if (p + SECTION_ENTRY_BYTES > total) throw new CategoryDbError('corrupt', 'category database section table out of range');
      const s = { at: buf.readUInt32LE(p + 4), len: buf.readUInt32LE(p + 8), count: buf.readUInt32LE(p + 12) };
      if (s.at % 8 !== 0 || s.at + s.len > total) throw new CategoryDbError('corrupt', `category database section ${buf.readUInt32LE(p)} out of range`);
      sections.set(buf.readUInt32LE(p), s);
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

    this.hostSlots = i32(SECTION.HOST_SLOTS);
    this.hostRecords = i32(SECTION.HOST_RECORDS);
    this.hostRecordBytes = new Uint8Array(this.hostRecords.buffer, this.hostRecords.byteOffset, this.hostRecords.byteLength);
    this.hostMask = this.hostSlots.length / 2 - 1;
    this.hostFilter = i32(SECTION.HOST_FILTER);
    {
      const blocks = this.hostFilter.length / 2;
      if (blocks < 32 || (blocks & (blocks - 1)) !== 0) throw new CategoryDbError('corrupt', 'category database host filter size is not a power of two');
      this.hostFilterShift = 32 - Math.log2(blocks);
    }
    this.urlSlots = i32(SECTION.URL_SLOTS);
    this.urlEntries = u32(SECTION.URL_ENTRIES);
    this.urlMask = this.urlSlots.length / 2 - 1;
    this.urlPaths = u32(SECTION.URL_PATHS);
    const pool = section(SECTION.POOL);
    this.pool = new Uint8Array(buf.buffer, buf.byteOffset + pool.at, pool.len);
    this.ipv4 = u32(SECTION.IPV4);
    this.ipv6 = u32(SECTION.IPV6);
    for (const [mask, name] of [[this.hostMask, 'host'], [this.urlMask, 'url']] as const) {
      if (mask < 0 || (mask & (mask + 1)) !== 0) throw new CategoryDbError('corrupt', `category database ${name} table size is not a power of two`);
    }
    if (this.ipv4.length < 66 || this.ipv6.length < 258) throw new CategoryDbError('corrupt', 'category database IP tables are too short');
    this.ipv4Prefixes = [];
    for (let p = 32; p >= 0; p--) if ((this.ipv4[p * 2 + 1] ?? 0) > 0) this.ipv4Prefixes.push(p);
    this.ipv6Prefixes = [];
    for (let p = 128; p >= 0; p--) if ((this.ipv6[p * 2 + 1] ?? 0) > 0) this.ipv6Prefixes.push(p);
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
    let end = host.length;
    if (end > 0 && host.charCodeAt(end - 1) === 46) end--;
    if (end === 0) return NONE;
    const last = host.charCodeAt(end - 1);
    // IP literals: IPv4 ends in a digit (no TLD does), IPv6 is bracketed or has a colon (seen by suffixes())
    if ((last >= 48 && last <= 57) || host.charCodeAt(0) === 91) {
      const ip = this.lookupIpLiteral(end === host.length ? host : host.slice(0, end));
      if (ip !== undefined) return ip;
    }
    const n = this.suffixes(host, end);
    if (n < 0) {
      if (n === -2) return this.lookupIpLiteral(host.slice(0, end)) ?? NONE;
      const ascii = domainToASCII(host.slice(0, end));
      return ascii === '' ? NONE : this.lookupHost(ascii);
    }
    // the last label alone (a TLD) is never stored: lists reject single-label hosts
    const bounds = this.bounds;
    const hashes = this.hashes;
    const filter = this.hostFilter;
    const shift = this.hostFilterShift;
    const candidates = this.candidates;
    let found = 0;
    for (let k = 1; k < n; k++) {
      const h = hashes[k] as number;
      const b = (h >>> shift) << 1;
      const m = (1 << (h & 31)) | (1 << ((h >>> 5) & 31));
      if (((filter[b] as number) & m) === m) candidates[found++] = k;
      if (((filter[b + 1] as number) & m) !== m) break;
    }
    while (found > 0) {
      const k = candidates[--found] as number;
      const h = hashes[k] as number;
      const start = bounds[k] as number;
      const rec = this.probeHost(h, host, start, end);
      if (rec >= 0) {
        const matched = start === 0 && end === host.length && !this.upper ? host : this.upper ? host.slice(start, end).toLowerCase() : host.slice(start, end);
        return { categories: this.categories((this.hostRecords[rec] as number) >>> 8), matched };
      }
    }
    return NONE;
  }

  /** Host table: record word index of the key equal to host[start, end) (case-insensitively), or -1. */
  private probeHost(hash: number, host: string, start: number, end: number): number {
    const slots = this.hostSlots;
    const mask = this.hostMask;
    const len = end - start;
    let idx = hash & mask;
    for (;;) {
      const r = (slots[idx * 2 + 1] as number) - 1;
      if (r < 0) return -1;
      if (slots[idx * 2] === hash && ((this.hostRecords[r] as number) & 0xff) === len) {
        const bytes = this.hostRecordBytes;
        let off = (r + 1) * 4;
        let i = start;
        for (; i < end; i++, off++) {
          let ch = host.charCodeAt(i);
          if (ch >= 65 && ch <= 90) ch |= 32;
          if (bytes[off] !== ch) break;
        }
        if (i === end) return r;
      }
      idx = (idx + 1) & mask;
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
          if (v === net) return { categories: this.categories(t[66 + mid * 2 + 1] ?? 0), matched: `${formatIPv4(net)}/${prefix}` };
          if (v < net) lo = mid + 1;
          else hi = mid - 1;
        }
      }
      return NONE;
    }
    const v6 = parseIPv6(ip);
    if (v6 === undefined) return undefined;
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
          return { categories: this.categories(t[base + 4] ?? 0), matched: `${formatIPv6(bytes)}/${prefix}` };
        }
        if (cmp < 0) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    return NONE;
  }
}

export function loadCategoryDb(buf: Buffer | Uint8Array): CategoryDb {
  return new CategoryDb(buf);
}
