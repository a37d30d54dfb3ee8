/** A migrated analytics meta database for tests: SQLite in memory, or PostgreSQL in a fresh schema. */
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrateAnalytics, type AnalyticsTables, type MetaDb } from '../meta/meta-store.js';

export async function sqliteMeta(): Promise<MetaDb> {
  const db = new Kysely<AnalyticsTables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await migrateAnalytics(db, 'sqlite');
  return db;
}

export async function postgresMeta(url: string, schema: string): Promise<MetaDb> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await admin.end();
  const db = new Kysely<AnalyticsTables>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` }) }) });
  await migrateAnalytics(db, 'postgres');
  return db;
}
