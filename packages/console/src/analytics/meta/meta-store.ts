/**
 * Analytics settings and artefacts that are not events: saved queries, dashboard layouts,
 * report definitions and generated reports, admin alerts, retention. They live beside the
 * console's configuration (one Kysely database: SQLite embedded, PostgreSQL multi-node) in
 * tables prefixed `analytics_`, created by migrate(). Every method takes the tenant id and every
 * statement filters on it: tenant isolation is enforced here, not in handlers.
 */
import { sql, type Generated, type Kysely } from 'kysely';

export type MetaDialect = 'sqlite' | 'postgres';

interface SavedQueryTable { id: string; tenant_id: string; user_id: string; name: string; log_type: string; query_json: string; favorite: number; created_at: number }
interface DashboardTable { tenant_id: string; user_id: string; layout_json: string; updated_at: number }
interface ReportTable {
  id: string; tenant_id: string; name: string; description: string; enabled: number; builtin: number; schedule: string; period_json: string;
  mail_enabled: number; recipients_json: string; created_at: number; updated_at: number; last_run_at: number | null;
}
interface ReportRunTable {
  id: string; report_id: string; tenant_id: string; status: string; progress: number; period_from: number; period_to: number; started_at: number;
  finished_at: number | null; error: string | null; pdf: Uint8Array | null; xlsx: Uint8Array | null; mailed_to: string | null;
}
interface AlertTable {
  id: string; tenant_id: string; kind: string; dedup_key: string; severity: string; title: string; details_json: string; first_at: number; last_at: number;
  count: number; state: string; mailed_at: number | null; seq: Generated<number>;
}
interface KvTable { tenant_id: string; key: string; value_json: string }
interface RetentionTable { tenant_id: string; days: number }

export interface AnalyticsTables {
  analytics_saved_queries: SavedQueryTable;
  analytics_dashboards: DashboardTable;
  analytics_reports: ReportTable;
  analytics_report_runs: ReportRunTable;
  analytics_alerts: AlertTable;
  analytics_kv: KvTable;
  analytics_retention: RetentionTable;
}

export async function migrateAnalytics(db: Kysely<AnalyticsTables>, dialect: MetaDialect): Promise<void> {
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';
  const big = 'bigint';
  await db.schema.createTable('analytics_saved_queries').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey()).addColumn('tenant_id', 'text', (c) => c.notNull()).addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull()).addColumn('log_type', 'text', (c) => c.notNull()).addColumn('query_json', 'text', (c) => c.notNull())
    .addColumn('favorite', 'integer', (c) => c.notNull()).addColumn('created_at', big, (c) => c.notNull()).execute();
  await db.schema.createTable('analytics_dashboards').ifNotExists()
    .addColumn('tenant_id', 'text', (c) => c.notNull()).addColumn('user_id', 'text', (c) => c.notNull()).addColumn('layout_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull()).addPrimaryKeyConstraint('analytics_dashboards_pk', ['tenant_id', 'user_id']).execute();
  await db.schema.createTable('analytics_reports').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey()).addColumn('tenant_id', 'text', (c) => c.notNull()).addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull()).addColumn('enabled', 'integer', (c) => c.notNull()).addColumn('builtin', 'integer', (c) => c.notNull())
    .addColumn('schedule', 'text', (c) => c.notNull()).addColumn('period_json', 'text', (c) => c.notNull()).addColumn('mail_enabled', 'integer', (c) => c.notNull())
    .addColumn('recipients_json', 'text', (c) => c.notNull()).addColumn('created_at', big, (c) => c.notNull()).addColumn('updated_at', big, (c) => c.notNull())
    .addColumn('last_run_at', big).execute();
  await db.schema.createTable('analytics_report_runs').ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey()).addColumn('report_id', 'text', (c) => c.notNull()).addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()).addColumn('progress', 'integer', (c) => c.notNull()).addColumn('period_from', big, (c) => c.notNull())
    .addColumn('period_to', big, (c) => c.notNull()).addColumn('started_at', big, (c) => c.notNull()).addColumn('finished_at', big).addColumn('error', 'text')
    .addColumn('pdf', sql.raw(blob)).addColumn('xlsx', sql.raw(blob)).addColumn('mailed_to', 'text').execute();
  await db.schema.createTable('analytics_alerts').ifNotExists()
    .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique()).addColumn('tenant_id', 'text', (c) => c.notNull()).addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull()).addColumn('severity', 'text', (c) => c.notNull()).addColumn('title', 'text', (c) => c.notNull())
    .addColumn('details_json', 'text', (c) => c.notNull()).addColumn('first_at', big, (c) => c.notNull()).addColumn('last_at', big, (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull()).addColumn('state', 'text', (c) => c.notNull()).addColumn('mailed_at', big).execute();
  await db.schema.createTable('analytics_kv').ifNotExists()
    .addColumn('tenant_id', 'text', (c) => c.notNull()).addColumn('key', 'text', (c) => c.notNull()).addColumn('value_json', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_kv_pk', ['tenant_id', 'key']).execute();
  await db.schema.createTable('analytics_retention').ifNotExists()
    .addColumn('tenant_id', 'text', (c) => c.primaryKey()).addColumn('days', 'integer', (c) => c.notNull()).execute();
  await db.schema.createIndex('analytics_alerts_tenant').ifNotExists().on('analytics_alerts').columns(['tenant_id', 'last_at']).execute();
  await db.schema.createIndex('analytics_runs_report').ifNotExists().on('analytics_report_runs').columns(['tenant_id', 'report_id', 'started_at']).execute();
}

export type MetaDb = Kysely<AnalyticsTables>;
