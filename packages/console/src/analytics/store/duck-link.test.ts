import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckLink, type DuckConn } from './duck-link.js';

describe('DuckLink (DuckDB on its own thread)', () => {
  let link: DuckLink;
  let a: DuckConn;
  let b: DuckConn;
  beforeAll(async () => {
    link = await DuckLink.open(':memory:', { threads: '1' });
    a = await link.connect();
    b = await link.connect();
    await a.run('CREATE TABLE t (s TEXT NOT NULL, n BIGINT)');
  });
  afterAll(async () => {
    await link.close();
  });

  it('runs statements with parameters and reads rows and objects', async () => {
    expect(await a.run('INSERT INTO t VALUES (?, ?), (?, ?)', ['x', 1n, 'y', 2n])).toEqual({ rowsChanged: 2 });
    expect(await b.rows('SELECT s, n FROM t ORDER BY s')).toEqual([
      ['x', 1n],
      ['y', 2n],
    ]);
    // DuckDB's value objects (a DECIMAL here) arrive as numbers
    expect(await b.objects('SELECT SUM(n) AS total, 1.5 AS d FROM t')).toEqual([{ total: 3n, d: 1.5 }]);
    await a.run('DELETE FROM t');
  });

  it("rejects a bad statement with DuckDB's error and keeps the connection", async () => {
    await expect(a.run('SELEC 1')).rejects.toThrow(/syntax error/i);
    expect(await a.rows('SELECT 41 + 1')).toEqual([[42]]);
  });

  it("a failed append is the answer to the connection's next statement, which can roll the transaction back; other connections go on", async () => {
    await a.run('BEGIN TRANSACTION');
    const good = a.appender('t', ['text', 'int']);
    good.text(0, 'kept only if committed');
    good.int(1, 7);
    good.endRow();
    good.close();
    // a NULL into a NOT NULL column: DuckDB refuses it when the appender flushes, on its thread
    const bad = a.appender('t', ['text', 'int']);
    bad.text(0, null);
    bad.int(1, 1);
    bad.endRow();
    bad.close();
    // a query on the other connection is not affected
    expect(await b.rows('SELECT COUNT(*) FROM t')).toEqual([[0n]]);
    await expect(a.run('INSERT INTO t VALUES (?, ?)', ['after', 2n])).rejects.toThrow(/NOT NULL/i);
    await a.run('ROLLBACK');
    expect(await a.rows('SELECT COUNT(*) FROM t')).toEqual([[0n]]);
    // and so is an appender into a table that does not exist
    const missing = a.appender('no_such_table', ['text']);
    missing.text(0, 'x');
    missing.endRow();
    missing.close();
    await expect(a.rows('SELECT 1')).rejects.toThrow(/no_such_table/);
    expect(await a.rows('SELECT 1')).toEqual([[1]]);
  });

  it('moves full chunks to the DuckDB thread and keeps appending into new buffers', async () => {
    await a.run('CREATE TABLE big (s TEXT NOT NULL, n BIGINT)');
    const ap = a.appender('big', ['text', 'int']);
    for (let i = 0; i < 10_000; i++) {
      ap.text(0, i % 3 === 0 ? `a long value that is not inlined ${i % 7}` : `v${i % 5}`);
      ap.int(1, i);
      ap.endRow();
    }
    ap.close();
    expect(ap.appended).toBe(10_000);
    expect(await b.rows("SELECT COUNT(*), SUM(n), COUNT(*) FILTER (WHERE s = 'a long value that is not inlined 3'), COUNT(DISTINCT s) FROM big")).toEqual([[10_000n, 49_995_000n, BigInt([...Array(10_000).keys()].filter((i) => i % 3 === 0 && i % 7 === 3).length), 12n]]);
    const stats = await link.stats();
    expect(stats['append chunks']).toBeGreaterThan(0);
  });

  it('refuses calls once closed, with a clear error', async () => {
    const l = await DuckLink.open(':memory:', {});
    const c = await l.connect();
    await l.close();
    await expect(c.rows('SELECT 1')).rejects.toThrow(/DuckDB thread is closed/);
    expect(() => c.appender('t', ['text'])).toThrow(/DuckDB thread is closed/);
  });

  it('reports a database it cannot open', async () => {
    await expect(DuckLink.open('/proc/no/such/dir/x.duckdb', {})).rejects.toThrow(/IO Error|Cannot open|No such file/i);
  });
});
