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

/** Host filter: one 32-bit word per key picked by the hash's high bits, two bits set in it. */
export function filterBits(h: number): number {
  return (1 << (h & 31)) | (1 << ((h >>> 5) & 31));
}

/** Hash of a whole key (already lowercase ASCII), read right to left like the reader does. */
export function hashKey(key: string): number {
  let h = HASH_SEED;
  for (let i = key.length - 1; i >= 0; i--) h = hashStep(h, key.charCodeAt(i));
  return hashFinish(h);
}
