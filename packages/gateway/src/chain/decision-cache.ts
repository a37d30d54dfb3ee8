/**
 * Memoized chain results. The chain is a pure function of the request facts (without the request
 * id), the compiled policy and the intel engines: the evaluator has no time conditions and the
 * engines are read-only. So a result computed once for the same facts is reused until the
 * policy or the intel object is swapped, which empties the cache. Bounded: when full, it starts over.
 */
import type { RequestFacts } from './facts.js';
import { runChain, type ChainEnv, type ChainResult } from './runner.js';

/** URLs longer than this are evaluated every time (they rarely repeat and cost memory) */
const MAX_KEY_URL = 2048;

export class DecisionCache {
  private map = new Map<string, ChainResult>();
  private env: ChainEnv | null = null;
  hits = 0;
  misses = 0;

  constructor(private readonly max = 20_000) {}

  run(facts: RequestFacts, env: ChainEnv): ChainResult {
    if (this.env === null || this.env.policy !== env.policy || this.env.intel !== env.intel) {
      this.map = new Map();
      this.env = env;
    }
    if (facts.url !== undefined && facts.url.length > MAX_KEY_URL) {
      this.misses++;
      return runChain(facts, env);
    }
    const key = keyOf(facts);
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.hits++;
      return hit;
    }
    this.misses++;
    const r = runChain(facts, env);
    if (this.map.size >= this.max) this.map = new Map();
    this.map.set(key, r);
    return r;
  }

  /** forget every result (the intel learned something: a new database, a tenant layer, a console answer) */
  clear(): void {
    this.map = new Map();
  }

  get size(): number {
    return this.map.size;
  }
}

function keyOf(f: RequestFacts): string {
  return `${f.stage}\x00${f.decrypted ? 1 : 0}\x00${f.srcIp}\x00${f.dstIp ?? ''}\x00${f.dstPort}\x00${f.scheme}\x00${f.method ?? ''}\x00${f.sni ?? ''}\x00${f.alpn ?? ''}\x00${f.host}\x00${f.path ?? ''}\x00${f.url ?? ''}`;
}
