/**
 * Memoized chain results. The chain is a pure function of the request facts (without the request
 * id), the compiled policy and the intel engines: the evaluator has no time conditions and the
 * engines are read-only. So a result computed once for the same facts is reused until the
 * policy or the intel object is swapped, which empties the cache.
 *
 * Bounded by two generations of `max` entries each: new results go into the young map; when it is
 * full it becomes the old map and the previous old map is dropped. A hit in the old map moves the
 * entry back to the young one, so what is still in use survives a turnover (an approximate LRU
 * with two Map operations per request, and no hit-rate cliff when the working set passes `max`).
 */
import type { RequestFacts } from './facts.js';
import { runChain, type ChainEnv, type ChainResult } from './runner.js';

/** URLs longer than this are evaluated every time (they rarely repeat and cost memory) */
const MAX_KEY_URL = 2048;

export class DecisionCache {
  private young = new Map<string, ChainResult>();
  private old = new Map<string, ChainResult>();
  private env: ChainEnv | null = null;
  hits = 0;
  misses = 0;

  constructor(
    private readonly max = 20_000,
    private readonly evaluate: (facts: RequestFacts, env: ChainEnv) => ChainResult = runChain,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`decision cache size must be a positive integer, got ${max}`);
  }

  run(facts: RequestFacts, env: ChainEnv): ChainResult {
    if (this.env === null || this.env.policy !== env.policy || this.env.intel !== env.intel) {
      this.clear();
      this.env = env;
    }
    if (facts.url !== undefined && facts.url.length > MAX_KEY_URL) {
      this.misses++;
      return this.evaluate(facts, env);
    }
    const key = keyOf(facts);
    let r = this.young.get(key);
    if (r !== undefined) {
      this.hits++;
      return r;
    }
    r = this.old.get(key);
    if (r !== undefined) {
      this.hits++;
      this.old.delete(key);
    } else {
      this.misses++;
      r = this.evaluate(facts, env);
    }
    if (this.young.size >= this.max) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, r);
    return r;
  }

  /** forget every result (the intel learned something: a new database, a tenant layer, a console answer) */
  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }

  /** results held (at most twice `max`) */
  get size(): number {
    return this.young.size + this.old.size;
  }
}

function keyOf(f: RequestFacts): string {
  return `${f.stage}\x00${f.decrypted ? 1 : 0}\x00${f.srcIp}\x00${f.dstIp ?? ''}\x00${f.dstPort}\x00${f.scheme}\x00${f.method ?? ''}\x00${f.sni ?? ''}\x00${f.alpn ?? ''}\x00${f.host}\x00${f.path ?? ''}\x00${f.url ?? ''}`;
}
