import { describe, expect, it } from 'vitest';
import { CloudLookup } from './cloud-lookup.js';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('expires entries and evicts the least recently used when full', () => {
    let now = 1000;
    const c = new TtlCache<string, number>(2, () => now);
    c.set('a', 1, 100);
    c.set('b', 2, 100);
    expect(c.get('a')).toBe(1); // a is now more recent than b
    c.set('c', 3, 100);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.size).toBe(2);
    now += 100;
    expect(c.get('a')).toBeUndefined();
    expect(() => new TtlCache(0)).toThrow(/positive integer/);
  });
});

describe('CloudLookup', () => {
  it('asks the console once per key and serves repeats from the cache until the TTL', async () => {
    let now = 0;
    const asked: string[] = [];
    const cl = new CloudLookup<string[]>({ ask: async (k) => (asked.push(k), ['news']), ttlMs: 1000, now: () => now });
    const [a, b] = await Promise.all([cl.lookup('x.example'), cl.lookup('x.example')]);
    expect(a).toEqual({ value: ['news'], source: 'cloud' });
    expect(b).toEqual({ value: ['news'], source: 'cloud' });
    expect(await cl.lookup('x.example')).toEqual({ value: ['news'], source: 'cache' });
    expect(asked).toEqual(['x.example']);
    now = 1000;
    expect((await cl.lookup('x.example')).source).toBe('cloud');
    expect(asked).toEqual(['x.example', 'x.example']);
    expect(cl.stats).toEqual({ cache: 1, cloud: 2, fallback: 0 });
  });

  it('falls back at once when the console fails or is slow, then backs off', async () => {
    let now = 0;
    let calls = 0;
    let mode: 'fail' | 'hang' | 'ok' = 'fail';
    const cl = new CloudLookup<number>({
      ask: (): Promise<number> => {
        calls++;
        if (mode === 'fail') return Promise.reject(new Error('ECONNREFUSED'));
        if (mode === 'hang') return new Promise(() => undefined);
        return Promise.resolve(42);
      },
      timeoutMs: 20,
      backoffMs: 500,
      now: () => now,
    });
    expect(await cl.lookup('a')).toEqual({ value: undefined, source: 'fallback', error: 'ECONNREFUSED' });
    expect(await cl.lookup('b')).toMatchObject({ source: 'fallback', error: 'console unavailable (ECONNREFUSED); retrying later' });
    expect(calls).toBe(1);
    now = 500;
    mode = 'hang';
    expect(await cl.lookup('c')).toEqual({ value: undefined, source: 'fallback', error: 'no answer within 20 ms' });
    now = 1000;
    mode = 'ok';
    expect(await cl.lookup('c')).toEqual({ value: 42, source: 'cloud' });
    expect(calls).toBe(3);
  });
});

describe('resolveCategories', () => {
  it('answers from the local database first and asks the console only for unknown hosts', async () => {
    const { CategoryDbBuilder } = await import('../db-builder.js');
    const { loadCategoryDb } = await import('../category-db.js');
    const { resolveCategories } = await import('./resolve.js');
    const b = new CategoryDbBuilder();
    b.addHost('known.example', 'news');
    const db = loadCategoryDb(b.build());
    const asked: string[] = [];
    let up = true;
    const cloud = new CloudLookup<string[]>({ ask: async (k) => (up ? (asked.push(k), ['shopping']) : Promise.reject(new Error('down'))), backoffMs: 0 });
    expect(await resolveCategories(db, cloud, 'www.known.example')).toEqual({ categories: ['news'], source: 'local' });
    expect(await resolveCategories(db, cloud, 'https://Unknown.example/x')).toEqual({ categories: ['shopping'], source: 'cloud' });
    expect(await resolveCategories(db, cloud, 'unknown.example')).toEqual({ categories: ['shopping'], source: 'cache' });
    up = false;
    expect(await resolveCategories(db, cloud, 'other.example')).toEqual({ categories: [], source: 'fallback', error: 'down' });
    expect(await resolveCategories(db, undefined, 'other.example')).toEqual({ categories: [], source: 'local' });
    expect(asked).toEqual(['unknown.example']);
  });
});
