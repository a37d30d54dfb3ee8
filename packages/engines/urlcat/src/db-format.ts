/**
 * The Mamori category database file ("MAMORIDB", little endian). Everything the lookups touch is
 * a flat u32 table read in place from the loaded Buffer: nothing is parsed per entry at load.
 *
 *   0  magic "MAMORIDB"      8  u32 format version   12 u32 header bytes (64)
 *  16  u32 total file bytes  20 u32 CRC-32 of bytes [64, total)   24 u32 section count
 *  64  section table: per section u32 id, offset, byte length, item count (offsets 8-aligned)
 *
 * Sections:
 *  META         JSON: category ids (index = category number), name, sources, counts, build time,
 *               regular expressions for URLs (compiled once at load)
 *  CATSETS      u32 n, u32 start[n+1], u16 category numbers — each distinct category set once
 *  HOST_FILTER  2^f blocks of two u32 words [keys, children]: for every host key, block
 *               (hash >>> (32 - f)) has bits (hash & 31) and (hash >>> 5 & 31) set in its keys word;
 *               for every proper suffix of a key with two labels or more (`example.co.jp` and
 *               `co.jp` for `www.example.co.jp`), the same bits of its hash in the children word.
 *               Lookups walk a host's suffixes from the shortest and stop at the first one that
 *               has no children: most hosts cost one filter read, no table probe
 *  HOST_SLOTS   open addressing, linear probing, load <= 0.75, 2^k slots of
 *               [u32 hash (the fingerprint), u32 record word index + 1 (0 = empty)]
 *  HOST_RECORDS per key, 4-aligned: u32 catset << 8 | key length, then the key bytes (lowercase
 *               ASCII host suffix), zero-padded to 4: a fingerprint hit is verified and answered
 *               from one place
 *  URL_SLOTS / URL_ENTRIES  same table keyed by host: [key off, key len, first path, path count]
 *  URL_PATHS    [u32 path offset, u32 path length, u32 catset, u32 0], per host longest first
 *  POOL         ASCII bytes of the URL table's host keys and paths
 *  IPV4         u32 group[33][start,count] by prefix length, then [u32 network, u32 catset] sorted
 *  IPV6         u32 group[129][start,count], then [4×u32 network (big-endian words), catset, 0] sorted
 * Hash: see key-hash.ts (FNV-1a over the key read right to left, then fmix32).
 */
export const MAGIC = 'MAMORIDB';
export const FORMAT_VERSION = 2;
export const HEADER_BYTES = 64;
export const SECTION_ENTRY_BYTES = 16;

export const SECTION = {
  META: 1,
  CATSETS: 2,
  HOST_SLOTS: 3,
  HOST_RECORDS: 4,
  HOST_FILTER: 11,
  URL_SLOTS: 5,
  URL_ENTRIES: 6,
  URL_PATHS: 7,
  POOL: 8,
  IPV4: 9,
  IPV6: 10,
} as const;

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
