/**
 * The hash shared by the builder and the reader. Keys are hashed right to left so that one pass
 * over a host from its end yields the hash of every label suffix (`jp`, `co.jp`, `example.co.jp`)
 * without allocating substrings.
 */
export const HASH_SEED = 0x811c9dc5 | 0;

export function hashStep(h: number, code: number): number {
  return Math.imul(h ^ code, 0x01000193);
}

/**
 * Final avalanche (murmur3 fmix32) so that the low bits used for the slot index are well mixed.
 * Returns the 32 bits as a signed int32: the reader keeps hashes in Int32Arrays so that V8 never
 * boxes them as doubles on the hot path.
 */
export function hashFinish32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The same bits as an unsigned number. */
export function hashFinish(h: number): number {
  return hashFinish32(h) >>> 0;
}

/** Host filter: two bits of one 32-bit word (the word picked by multiply-shift of the same f2). */
export function filterBits(f2: number): number {
  return (1 << (f2 & 31)) | (1 << ((f2 >>> 5) & 31));
}

/** The bit of a home word (db-format.ts HOST_BUCKETS) that says keys may lie below the anchor with this f2. */
export function deeperBit(f2: number): number {
  return 1 << (8 + ((f2 >>> 0) % 24));
}

/** Hash of a whole key (already lowercase ASCII), read right to left like the reader does. */
export function hashKey(key: string): number {
  let h = HASH_SEED;
  for (let i = key.length - 1; i >= 0; i--) h = hashStep(h, key.charCodeAt(i));
  return hashFinish(h);
}

/**
 * Host keys (format 3 and later) carry a 64-bit fingerprint: two 32-bit chains over the same right-to-left
 * pass. The first is the FNV-1a chain above; the second multiplies by another odd constant and
 * rotates, so its low bits depend on every bit of the input. Both end in fmix32.
 */
export const HASH2_SEED = 0x2f6b1a3d | 0;
export const HASH2_MUL = 0x5bd1e995 | 0;

export function hashStep2(h: number, code: number): number {
  const m = Math.imul(h ^ code, HASH2_MUL);
  return (m << 13) | (m >>> 19);
}

/** [first, second] 32-bit halves (signed int32) of a host key's fingerprint; the key is lowercase ASCII. */
export function hostFingerprint(key: string): [number, number] {
  let h1 = HASH_SEED;
  let h2 = HASH2_SEED;
  for (let i = key.length - 1; i >= 0; i--) {
    const ch = key.charCodeAt(i);
    h1 = hashStep(h1, ch);
    h2 = hashStep2(h2, ch);
  }
  return [hashFinish32(h1), hashFinish32(h2)];
}

/** Bucket of a fingerprint's first half among `buckets` (multiply-shift range reduction, any count). */
export function bucketOf(f1: number, buckets: number): number {
  return Math.floor(((f1 >>> 0) * buckets) / 4294967296);
}
