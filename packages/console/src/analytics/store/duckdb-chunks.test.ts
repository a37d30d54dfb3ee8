import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ChunkAppender } from './duckdb-chunks.js';

describe('ChunkAppender', () => {
  let inst: DuckDBInstance;
  let c: DuckDBConnection;
  beforeAll(async () => {
    inst = await DuckDBInstance.create(':memory:');
    c = await inst.connect();
  });
  afterAll(() => {
    c.closeSync();
    inst.closeSync();
  });

  it('stores texts (short, long, repeated, non-ASCII, empty), integers (negative, beyond 32 bits), booleans and NULLs exactly, over several chunks', async () => {
    await c.run('CREATE TABLE t (i INTEGER, s TEXT, n BIGINT, b BOOLEAN, u TEXT)');
    const rows: Array<[number, string | null, number | null, boolean | null, string | null]> = [];
    const texts = ['', 'a', 'exactly12chr', 'thirteen-char', 'a much longer string that is not inlined', '日本語', 'ü', 'x'.repeat(5000), 'lone \ud800 surrogate'];
    const ints = [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53) + 1, 1_764_000_000_123];
    for (let r = 0; r < 5000; r++) {
      rows.push([r, r % 7 === 3 ? null : texts[r % texts.length]! + (r % 11 === 0 ? String(r) : ''), r % 5 === 4 ? null : ints[r % ints.length]!, r % 3 === 2 ? null : r % 2 === 0, r % 13 === 0 ? `unique-value-number-${r}` : null]);
    }
    const ap = new ChunkAppender(await c.createAppender('t'), ['int', 'text', 'int', 'bool', 'text']);
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
    const got = (await c.runAndReadAll('SELECT i, s, n, b, u FROM t ORDER BY i')).getRows();
    expect(got).toHaveLength(5000);
    for (let r = 0; r < 5000; r++) {
      const [i, s, n, b, u] = rows[r]!;
      const exp = [i, s === null ? null : s.replace('\ud800', '\ufffd'), n === null ? null : BigInt(n), b, u];
      expect(got[r]).toEqual(exp);
    }
    // inlined and assigned strings compare equal to each other and to literals
    expect(Number((await c.runAndReadAll(`SELECT COUNT(*) FROM t WHERE s = 'exactly12chr'`)).getRows()[0]![0])).toBe(rows.filter((x) => x[1] === 'exactly12chr').length);
    expect(Number((await c.runAndReadAll(`SELECT COUNT(DISTINCT s) FROM t WHERE s = 'a' OR s = '日本語'`)).getRows()[0]![0])).toBe(2);
  });

  it('appends inside the connection transaction: a rollback leaves nothing', async () => {
    await c.run('CREATE TABLE r (s TEXT)');
    await c.run('BEGIN TRANSACTION');
    const ap = new ChunkAppender(await c.createAppender('r'), ['text']);
    for (let i = 0; i < 3000; i++) {
      ap.text(0, `row ${i} with a long enough text`);
      ap.endRow();
    }
    ap.close();
    expect(Number((await c.runAndReadAll('SELECT COUNT(*) FROM r')).getRows()[0]![0])).toBe(3000);
    await c.run('ROLLBACK');
    expect(Number((await c.runAndReadAll('SELECT COUNT(*) FROM r')).getRows()[0]![0])).toBe(0);
  });
});
