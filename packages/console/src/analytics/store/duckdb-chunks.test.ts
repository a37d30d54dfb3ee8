import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ChunkAppender, NativeChunkSink, TextDict, bufferStats, type ColumnKind } from './duckdb-chunks.js';
import { DuckLink, type DuckConn } from './duck-link.js';

/** one connection either on this thread (the native sink) or on DuckDB's thread (DuckLink: chunks posted, buffers moved) */
interface Side {
  run(sql: string): Promise<unknown>;
  rows(sql: string): Promise<unknown[][]>;
  appender(table: string, kinds: ColumnKind[]): Promise<ChunkAppender>;
  close(): Promise<void>;
}

async function nativeSide(): Promise<Side> {
  const inst = await DuckDBInstance.create(':memory:');
  const c: DuckDBConnection = await inst.connect();
  return {
    run: (sql) => c.run(sql),
    rows: async (sql) => (await c.runAndReadAll(sql)).getRows(),
    appender: async (table, kinds) => new ChunkAppender(new NativeChunkSink(await c.createAppender(table), kinds), kinds),
    close: async () => {
      c.closeSync();
      inst.closeSync();
    },
  };
}

async function linkSide(): Promise<Side> {
  const link = await DuckLink.open(':memory:', {});
  const c: DuckConn = await link.connect();
  return {
    run: (sql) => c.run(sql),
    rows: (sql) => c.rows(sql),
    appender: (table, kinds) => Promise.resolve(c.appender(table, kinds)),
    close: () => link.close(),
  };
}

describe.each([
  ['on this thread', nativeSide],
  ['on the DuckDB thread (DuckLink)', linkSide],
])('ChunkAppender %s', (_name, open) => {
  let c: Side;
  beforeAll(async () => {
    c = await open();
  });
  afterAll(async () => {
    await c.close();
  });

  it('stores texts (short, long, repeated, non-ASCII, empty), integers (negative, beyond 32 bits), booleans and NULLs exactly, over several chunks', async () => {
    await c.run('CREATE TABLE t (i INTEGER, s TEXT, n BIGINT, b BOOLEAN, u TEXT)');
    const rows: Array<[number, string | null, number | null, boolean | null, string | null]> = [];
    const texts = ['', 'a', 'exactly12chr', 'thirteen-char', 'a much longer string that is not inlined', '日本語', 'ü', 'x'.repeat(5000), 'lone \ud800 surrogate'];
    const ints = [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53) + 1, 1_764_000_000_123];
    for (let r = 0; r < 5000; r++) {
      rows.push([r, r % 7 === 3 ? null : texts[r % texts.length]! + (r % 11 === 0 ? String(r) : ''), r % 5 === 4 ? null : ints[r % ints.length]!, r % 3 === 2 ? null : r % 2 === 0, r % 13 === 0 ? `unique-value-number-${r}` : null]);
    }
    const ap = await c.appender('t', ['int', 'text', 'int', 'bool', 'text']);
    for (const [i, s, n, b, u] of rows) {
      ap.int(0, i);
      ap.text(1, s);
      ap.int(2, n);
      ap.bool(3, b);
      ap.text(4, u);
      ap.endRow();
    }
    ap.close();
    expect(ap.appended).toBe(5000);
    const got = await c.rows('SELECT i, s, n, b, u FROM t ORDER BY i');
    expect(got).toHaveLength(5000);
    for (let r = 0; r < 5000; r++) {
      const [i, s, n, b, u] = rows[r]!;
      const exp = [i, s === null ? null : s.replace('\ud800', '\ufffd'), n === null ? null : BigInt(n), b, u];
      expect(got[r]).toEqual(exp);
    }
    // inlined and assigned strings compare equal to each other and to literals
    expect(Number((await c.rows(`SELECT COUNT(*) FROM t WHERE s = 'exactly12chr'`))[0]![0])).toBe(rows.filter((x) => x[1] === 'exactly12chr').length);
    expect(Number((await c.rows(`SELECT COUNT(DISTINCT s) FROM t WHERE s = 'a' OR s = '日本語'`))[0]![0])).toBe(2);
  });

  it('stores dictionary columns (dictRange) exactly: ASCII and non-ASCII entries, inline and long, nulls, several dictionaries and chunks', async () => {
    await c.run('CREATE TABLE d (i INTEGER, s TEXT, t TEXT)');
    // an all-ASCII dictionary (its entries encoded together) and a mixed one (each entry on its own)
    const ascii = ['', 'a', 'exactly12chr', 'thirteen-char', 'https://www.example.co.jp/a/long/path?q=1', 'x'.repeat(3000), 'short'];
    const mixed = ['https://例え.jp/パス', 'ascii-but-longer-than-12', '日本語', 'ü', 'lone \ud800 surrogate', 'z'];
    const da = new TextDict(ascii);
    const dm = new TextDict(mixed);
    const n = 5000;
    const ia = Int32Array.from({ length: n }, (_, r) => (r % 9 === 4 ? -1 : (r * 3) % ascii.length));
    const im = Int32Array.from({ length: n }, (_, r) => (r % 10 === 3 ? -1 : (r * 5) % mixed.length));
    const ids = Array.from({ length: n }, (_, r) => r);
    const ap = await c.appender('d', ['int', 'text', 'text']);
    for (let from = 0; from < n; ) {
      const k = Math.min(n - from, ap.room, 777);
      ap.intRange(0, ids, from, k);
      ap.dictRange(1, da, ia, from, k);
      ap.dictRange(2, dm, im, from, k);
      ap.advance(k);
      from += k;
    }
    ap.close();
    const got = await c.rows('SELECT i, s, t FROM d ORDER BY i');
    expect(got).toHaveLength(n);
    for (let r = 0; r < n; r++) {
      const a = ia[r]!;
      const m = im[r]!;
      expect(got[r]).toEqual([r, a < 0 ? null : ascii[a], m < 0 ? null : mixed[m]!.replace('\ud800', '\ufffd')]);
    }
  });

  it('appends inside the connection transaction: a rollback leaves nothing', async () => {
    await c.run('CREATE TABLE r (s TEXT)');
    await c.run('BEGIN TRANSACTION');
    const ap = await c.appender('r', ['text']);
    for (let i = 0; i < 3000; i++) {
      ap.text(0, `row ${i} with a long enough text`);
      ap.endRow();
    }
    ap.close();
    expect(Number((await c.rows('SELECT COUNT(*) FROM r'))[0]![0])).toBe(3000);
    await c.run('ROLLBACK');
    expect(Number((await c.rows('SELECT COUNT(*) FROM r'))[0]![0])).toBe(0);
  });
});

describe('ChunkAppender through DuckLink: buffers sent back', () => {
  let link: DuckLink;
  let c: DuckConn;
  beforeAll(async () => {
    link = await DuckLink.open(':memory:', {});
    c = await link.connect();
  });
  afterAll(async () => {
    await link.close();
  });

  it('fills the buffers DuckDB has copied again, and what they held before never shows', async () => {
    // first: every value long, distinct and non-null, so that the buffers sent back are full of
    // string_t's pointing into chunks DuckDB has freed, validity all set, integers all large
    await c.run('CREATE TABLE a (i BIGINT, s TEXT, b BOOLEAN)');
    let ap = c.appender('a', ['int', 'text', 'bool']);
    for (let r = 0; r < 10_000; r++) {
      ap.int(0, 2 ** 40 + r);
      ap.text(1, `first table's long value number ${r}`);
      ap.bool(2, true);
      ap.endRow();
    }
    ap.close();
    expect(Number((await c.rows('SELECT COUNT(*) FROM a'))[0]![0])).toBe(10_000);
    // the five chunks' data buffers came back, before the answer to the statement after them
    const after = bufferStats();
    expect(after.spare).toBeGreaterThanOrEqual(5 * 3);

    // then row by row: nulls, short and long strings, falses, into those buffers
    await c.run('CREATE TABLE b (i BIGINT, s TEXT, b BOOLEAN)');
    ap = c.appender('b', ['int', 'text', 'bool']);
    const rowsB: unknown[][] = [];
    for (let r = 0; r < 9000; r++) {
      const i = r % 5 === 0 ? null : r;
      const s = r % 6 === 0 ? null : r % 2 === 0 ? `s${r % 10}` : `another long string ${r % 10}`;
      const b = r % 7 === 0 ? null : false;
      ap.int(0, i);
      ap.text(1, s);
      ap.bool(2, b);
      ap.endRow();
      rowsB.push([i === null ? null : BigInt(i), s, b]);
    }
    ap.close();
    // its five chunks (filled without waiting: no buffer came back meanwhile) took the spare data
    // buffers of the first table's five: three at the start and three after each full chunk
    expect(bufferStats().reused - after.reused).toBeGreaterThanOrEqual(5 * 3);
    expect(await c.rows('SELECT i, s, b FROM b ORDER BY rowid')).toEqual(rowsB);

    // and in ranges: dictionary texts, integers, booleans
    await c.run('CREATE TABLE d (i BIGINT, t TEXT, b BOOLEAN)');
    ap = c.appender('d', ['int', 'text', 'bool']);
    const words = ['x', 'a value longer than twelve', '日本'];
    const dict = new TextDict(words);
    const n = 9000;
    const idx = Int32Array.from({ length: n }, (_, r) => (r % 4 === 0 ? -1 : r % 3));
    const ints = Array.from({ length: n }, (_, r) => (r % 5 === 0 ? null : r));
    const bools = Array.from({ length: n }, (_, r) => (r % 7 === 0 ? null : false));
    for (let from = 0; from < n; ) {
      const k = Math.min(n - from, ap.room, 1000);
      ap.intRange(0, ints, from, k);
      ap.dictRange(1, dict, idx, from, k);
      ap.boolRange(2, bools, from, k);
      ap.advance(k);
      from += k;
    }
    ap.close();
    const rowsD = Array.from({ length: n }, (_, r) => [ints[r] === null ? null : BigInt(ints[r]!), idx[r]! < 0 ? null : words[idx[r]!], bools[r]]);
    expect(await c.rows('SELECT i, t, b FROM d ORDER BY rowid')).toEqual(rowsD);
  });
});
