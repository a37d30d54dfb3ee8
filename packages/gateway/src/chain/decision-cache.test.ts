import { describe, expect, it } from 'vitest';
import { DecisionCache } from './decision-cache.js';
import type { ChainEnv, ChainResult } from './runner.js';
import type { RequestFacts } from './facts.js';
import type { Intel } from './intel.js';
import type { PolicyEngine } from './policy-port.js';

function facts(host: string, extra: Partial<RequestFacts> = {}): RequestFacts {
  return { requestId: `r-${Math.random()}`, srcIp: '10.0.0.5', dstPort: 443, host, scheme: 'https', decrypted: false, stage: 'l4', ...extra };
}

function env(): ChainEnv {
  return { policy: {} as PolicyEngine, intel: {} as Intel };
}

/** a cache whose evaluations are counted per host */
function counted(max: number) {
  const calls = new Map<string, number>();
  const cache = new DecisionCache(max, (f) => {
    calls.set(f.host, (calls.get(f.host) ?? 0) + 1);
    return { outcome: 'allow', tags: { categories: [f.host] } } satisfies ChainResult;
  });
  return { cache, calls };
}

describe('DecisionCache', () => {
  it('evaluates the same facts once, whatever the request id', () => {
    const { cache, calls } = counted(100);
    const e = env();
    const a = cache.run(facts('a.example'), e);
    const b = cache.run(facts('a.example'), e);
    expect(b).toBe(a);
    expect(calls.get('a.example')).toBe(1);
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
    cache.run(facts('a.example', { path: '/x', stage: 'l7', method: 'GET' }), e);
    expect(calls.get('a.example')).toBe(2);
  });

  it('keeps what is still in use when the working set passes the bound', () => {
    const { cache, calls } = counted(4);
    const e = env();
    // one hot host asked between every new one: 20 distinct hosts pass through a 4-entry generation
    for (let i = 0; i < 20; i++) {
      cache.run(facts('hot.example'), e);
      cache.run(facts(`cold${i}.example`), e);
    }
    expect(calls.get('hot.example')).toBe(1);
    expect(cache.size).toBeLessThanOrEqual(8);
    // a cold host from long ago was dropped and is evaluated again
    cache.run(facts('cold0.example'), e);
    expect(calls.get('cold0.example')).toBe(2);
    // the last ones are still held (old or young generation)
    cache.run(facts('cold19.example'), e);
    expect(calls.get('cold19.example')).toBe(1);
  });

  it('starts over when the policy or intel object changes, and on clear()', () => {
    const { cache, calls } = counted(10);
    const e1 = env();
    cache.run(facts('a.example'), e1);
    cache.run(facts('a.example'), { ...e1, policy: {} as PolicyEngine });
    expect(calls.get('a.example')).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('does not hold very long URLs', () => {
    const { cache, calls } = counted(10);
    const e = env();
    const url = `https://a.example/${'x'.repeat(3000)}`;
    cache.run(facts('a.example', { url, stage: 'l7' }), e);
    cache.run(facts('a.example', { url, stage: 'l7' }), e);
    expect(calls.get('a.example')).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new DecisionCache(0)).toThrow(/positive integer/);
    expect(() => new DecisionCache(1.5)).toThrow(/positive integer/);
  });
});
