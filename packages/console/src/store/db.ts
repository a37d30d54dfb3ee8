/**
 * Opens the configuration database: SQLite (embedded default, WAL) or PostgreSQL when a
 * postgres:// URL is given, and brings it to the newest migration.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations.js';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenOptions {
  /** postgres://… ; when absent, SQLite at sqlitePath */
  databaseUrl?: string | undefined;
  sqlitePath?: string;
}

export interface OpenedDb {
  db: Kysely<Database>;
  dialect: Dialect;
}

const INT8 = 20;
const NUMERIC = 1700;

export async function openDatabase(opts: OpenOptions): Promise<OpenedDb> {
  let db: Kysely<Database>;
  let dialect: Dialect;
  if (opts.databaseUrl && /^postgres(ql)?:\/\//.test(opts.databaseUrl)) {
    // bigint columns hold epoch milliseconds: safe as JS numbers
    const types = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 || oid === NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    };
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10, types });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    dialect = 'postgres';
  } else {
    if (opts.databaseUrl) throw new Error(`unsupported database URL (expected postgres://…): ${opts.databaseUrl}`);
    const file = opts.sqlitePath ?? ':memory:';
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    dialect = 'sqlite';
  }
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { db, dialect };
}
