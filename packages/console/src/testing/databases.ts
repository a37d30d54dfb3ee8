/**
 * Test databases: a fresh SQLite file, or a fresh database (unique name) on the PostgreSQL
 * server of MAMORI_TEST_DATABASE_URL.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type TestDialect = 'sqlite' | 'postgres';
export const DIALECTS: TestDialect[] = ['sqlite', 'postgres'];

export interface TestDb {
  dataDir: string;
  databaseUrl: string | undefined;
  drop(): Promise<void>;
}

export async function testDatabase(dialect: TestDialect): Promise<TestDb> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-console-'));
  if (dialect === 'sqlite') return { dataDir, databaseUrl: undefined, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  const base = process.env['MAMORI_TEST_DATABASE_URL'];
  if (!base) throw new Error('MAMORI_TEST_DATABASE_URL is not set (the global setup starts PostgreSQL)');
  const name = `mamori_t_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    dataDir,
    databaseUrl: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      // a pool's end() resolves once it has asked its clients to end, not when their sessions are
      // gone: a forced drop then terminated a session still closing, whose error event no one
      // listened to any more (an uncaught "terminating connection due to administrator command").
      // Wait for the sessions to go first (FORCE only for one still open after 5 s).
      for (let i = 0; i < 100; i++) {
        const r = await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (Number(r.rows[0]?.n ?? 0) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
