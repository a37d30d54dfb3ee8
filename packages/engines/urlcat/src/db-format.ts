/**
 * The Mamori category database file ("MAMORIDB", little endian). Everything the lookups touch is
 * a flat u32 table read in place from the loaded Buffer: nothing is parsed per entry at load.
 *
 *   0  magic "MAMORIDB"      8  u32 format version   12 u32 header bytes (64)
 *  16  u32 total file bytes  20 u32 CRC-32 of the section table   24 u32 section count
 *  64  section table: per section u32 id, offset, byte length, item count, CRC-32 of its bytes,
 *      0 (offsets 64-aligned). Sections are checked at load, except HOST_KEYS (last in the file,
 *      needed only to enumerate the keys), which is checked — and, with loadCategoryDbFile, read —
 *      when first used: a gateway loads only what lookups touch
 *
 * Sections:
 *  META         JSON: category ids (index = category number), name, sources, counts, build time,
 *               regular expressions for URLs (compiled once at load)
 *  CATSETS      u32 n, u32 start[n+1], u16 category numbers — each distinct category set once
 *  HOST_FILTER  W u32 words (W a multiple of 16, FILTER_BITS per anchor): for every anchor
 *               (below), word floor(f2 × W / 2^32) has bits (f2 & 31) and (f2 >>> 5 & 31) set (f2:
 *               the second half of the anchor's fingerprint). A suffix not in it anchors nothing:
 *               no key lies at or under it
 *  HOST_BUCKETS u32 home bucket count B, u32 bucket count T (>= B), 56 reserved bytes, then T
 *               buckets of 64 bytes (one cache line when the buffer is 64-aligned; the section
 *               starts 64-aligned in the file): five slots of [u32 f1, u32 f2, u32 value] and a
 *               u32 home word (bits 0..7 reach, bits 8..31 deeper bits). (f1, f2) is the 64-bit
 *               fingerprint of a host suffix (key-hash.ts hostFingerprint). value: bit 0 KEY,
 *               bit 1 SPLIT, bit 2 VERIFY; bits 3..31: the catset, or with VERIFY the word index
 *               of the key's HOST_VERIFY record (whose bytes are compared before answering); 0 =
 *               empty slot. Anchors, from the registrable level (two labels) down: a suffix with
 *               at most NEAR_GROUP keys at or under it anchors them — all have its home bucket,
 *               bucketOf(f1, B), and it needs no slot of its own unless it is a key; a suffix with
 *               more keys under it anchors only itself, in a SPLIT slot (a parent-only slot when
 *               it is not a key), and the suffixes one label longer anchor in turn (`co.jp`,
 *               `blogspot.com`). The slots are filled in home order, at a load of at most LOAD: a
 *               home's entries take the next free slots from the start of its bucket on, so they
 *               are contiguous; the reach of home bucket h is the number of buckets after h that
 *               hold its entries (0 for most; buckets B..T-1 hold what the last homes spill); an
 *               anchor with keys below it sets bit key-hash.ts deeperBit(f2) of its home word.
 *               A lookup reads the host right to left once; at the registrable level it asks the
 *               filter, then scans that suffix's home (buckets h..h+reach) for its slot; SPLIT:
 *               the next level goes the same way (filter, own home); else, when the home word
 *               has the suffix's deeper bit, the longer suffixes are compared with the same home
 *               (already in cache); else the lookup ends there, without reading the rest of the
 *               host. The longest KEY found answers. An unlisted host mostly costs one filter
 *               word (a few MiB, mostly in cache), a listed one a filter word and one bucket —
 *               the few SPLIT parents are shared by many hosts and stay in cache — and the key
 *               bytes are not read.
 *  HOST_KEYS    per key, 4-aligned: u32 catset << 8 | key length, then the key bytes (lowercase
 *               ASCII host suffix), zero-padded to 4 — the list of keys (enumeration, editions)
 *  HOST_VERIFY  the same records for the VERIFY keys only (word index = slot payload)
 *  URL_SLOTS / URL_ENTRIES  same table keyed by host: [key off, key len, first path, path count]
 *  URL_PATHS    [u32 path offset, u32 path length, u32 catset, u32 0], per host longest first
 *  POOL         ASCII bytes of the URL table's host keys and paths
 *  IPV4         u32 group[33][start,count] by prefix length, then [u32 network, u32 catset] sorted
 *  IPV6         u32 group[129][start,count], then [4×u32 network (big-endian words), catset, 0] sorted
 * Hash: see key-hash.ts (FNV-1a over the key read right to left, then fmix32).
 */
export const MAGIC = 'MAMORIDB';
export const FORMAT_VERSION = 4;
export const HEADER_BYTES = 64;
export const SECTION_ENTRY_BYTES = 24;

export const SECTION = {
  META: 1,
  CATSETS: 2,
  HOST_FILTER: 11,
  HOST_BUCKETS: 12,
  HOST_KEYS: 13,
  HOST_VERIFY: 14,
  URL_SLOTS: 5,
  URL_ENTRIES: 6,
  URL_PATHS: 7,
  POOL: 8,
  IPV4: 9,
  IPV6: 10,
} as const;

/**
 * Host filter bits per anchor the builder gives (the reader takes any W). Small on purpose: a
 * filter that stays in the core's L2 cache costs less per lookup than the bucket reads its
 * extra false positives add. Measured on UT1 + 1M synthetic hosts (bench/src/urlcat-bench.ts),
 * batch lookups against 12 bits (a 2.1 MiB filter): 6 bits +16%, 3 bits +18%, 1.5 bits +14%.
 */
export const FILTER_BITS = 6;

/** HOST_BUCKETS slot value bits */
export const SLOT_KEY = 1;
export const SLOT_SPLIT = 2;
export const SLOT_VERIFY = 4;
export const SLOT_PAYLOAD_SHIFT = 3;
/** at most this many keys (a suffix and those under it) share their anchor's home bucket */
export const NEAR_GROUP = 4;
/** home word: the reach bits */
export const REACH_MASK = 0xff;
/** HOST_BUCKETS load: slots used per slot of the home buckets (most homes then fit one bucket) */
export const LOAD = 0.65;
export const BUCKET_SLOTS = 5;
/** int32 words per bucket (64 bytes) and in the section's header */
export const BUCKET_WORDS = 16;
export const BUCKETS_HEADER_WORDS = 16;

/**
 * Categories whose match relaxes inspection (the default smart bypass: no decryption): their keys
 * are byte-verified at lookup, so a crafted 64-bit fingerprint collision cannot buy a bypass.
 */
export const VERIFIED_CATEGORIES: readonly string[] = ['finance', 'health'];

export interface DbMeta {
  name: string;
  /** category number → id; numbers index CATSETS */
  categories: string[];
  sources: string[];
  /** regular expressions applied to URLs (host + path), e.g. UT1 `expressions` files */
  expressions?: Array<{ pattern: string; categories: string[] }>;
  /** ISO time of the build (`mamori intel build`); absent in reproducible builds (the starter database) */
  builtAt?: string;
  counts: { hosts: number; urls: number; ipv4: number; ipv6: number };
}

export class CategoryDbError extends Error {
  constructor(
    readonly code: 'bad-magic' | 'unsupported-version' | 'truncated' | 'checksum' | 'corrupt',
    message: string,
  ) {
    super(message);
    this.name = 'CategoryDbError';
  }
}
