/**
 * The rollups in SQL: the same keys as rollups.ts / group-rollups.ts compute in JS, summed per
 * minute, hour and day over a temp table or view named `stage` (one row per event: `_t` tenant,
 * `_g` gateway, `type`, and every LogEvent property as a column, lists as VARCHAR[]). The
 * ingestion path computes its rollups in JS (rollup-accumulator.ts); this SQL twin builds the
 * rollups of bulk-generated benchmark stores (demo/bulk-sql.ts), whose test checks that both agree.
 */
import type { LogType } from '@mamori/policy';
import { FIELDS, type FieldDef } from './fields.js';
import { GROUP_ROLLUPS } from './group-rollups.js';
import { DAY, DAY_OFFSET_MS, HOUR, MINUTE, type Grain } from './rollups.js';

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

const listCell = (col: string): string => `CASE WHEN len(${col}) > 0 THEN ',' || array_to_string(${col}, ',') || ',' END`;

/** the stored value of a field from the staged columns (same as fields.ts cellOf) */
function cellSql(def: FieldDef): string {
  if (def.name === 'gatewayId') return '_g';
  if (def.name === 'category') return 'categories[1]';
  if (def.kind === 'list') return listCell(q(def.name));
  return q(def.name);
}

const cut = (e: string): string => `left(${e}, 512)`;
const who = `COALESCE("user", srcIp)`;

/** [metric, type, k1, k2, extra condition]: the SQL twin of ROLLUP_METRICS in rollups.ts */
const METRIC_SQL: Array<[string, LogType | null, string, string, string?]> = [
  ['events', null, '"type"', '_g'],
  ['bandwidth.app', 'bandwidth', 'app', `COALESCE(appCategory, '')`],
  ['bandwidth.user', 'bandwidth', who, `''`],
  ['access.blockedHost', 'access', 'host', `''`, `action = 'block'`],
  ['access.user', 'access', who, 'action'],
  ['security.threat', 'security', 'threatType', 'action'],
  ['security.signature', 'security', 'threatType', 'left(signature, 256)'],
  ['security.user', 'security', who, 'threatType'],
  ['security.cncHost', 'security', 'COALESCE(host, dstIp, signature)', 'srcIp', `threatType = 'cnc'`],
  ['policy.rule', 'policy', 'COALESCE(ruleName, ruleId, reasonKind)', 'action'],
];

const bytes = `CASE WHEN "type" IN ('bandwidth', 'access') THEN COALESCE(bytesUp, 0) ELSE 0 END AS up, CASE WHEN "type" IN ('bandwidth', 'access') THEN COALESCE(bytesDown, 0) ELSE 0 END AS down`;

/**
 * Creates the temp table `rollup_minutes`: the stage summed per tenant, minute, metric and keys,
 * for the minute/hour/day metrics and (marked `g`) the group rollups, which are kept per hour
 * and day only.
 */
export function rollupMinutesSql(): string {
  const parts: string[] = [];
  for (const [metric, type, k1, k2, extra] of METRIC_SQL) {
    const where = [type ? `"type" = ${lit(type)}` : `"type" <> '_batch'`, ...(extra ? [extra] : [])].join(' AND ');
    parts.push(`SELECT _t, ts, false AS g, ${lit(metric)} AS metric, ${cut(k1)} AS k1, ${cut(k2)} AS k2, ${bytes} FROM stage WHERE ${where}`);
  }
  // one row per category of an access event ('uncategorized' when it has none)
  parts.push(
    `SELECT _t, ts, false AS g, 'access.category' AS metric, ${cut('c')} AS k1, ${cut('action')} AS k2, ${bytes} FROM (SELECT *, unnest(CASE WHEN len(categories) > 0 THEN categories ELSE ['uncategorized'] END) AS c FROM stage WHERE "type" = 'access')`,
  );
  for (const g of GROUP_ROLLUPS) {
    const key = (name: string): string => {
      const def = FIELDS[g.type].find((d) => d.name === name)!;
      return `COALESCE(${cellSql(def)}, '')`;
    };
    parts.push(`SELECT _t, ts, true AS g, ${lit(g.metric)} AS metric, ${key(g.fields[0])} AS k1, ${key(g.fields[1])} AS k2, ${bytes} FROM stage WHERE "type" = ${lit(g.type)}`);
  }
  return `CREATE OR REPLACE TEMP TABLE rollup_minutes AS SELECT _t, ts - ts % ${MINUTE} AS bucket, g, metric, k1, k2, COUNT(*)::BIGINT AS n, SUM(up)::BIGINT AS up, SUM(down)::BIGINT AS down FROM (${parts.join(' UNION ALL ')}) GROUP BY ALL`;
}

/** the DuckDB store's table of a grain's rollup rows (one per grain: a month of day rows stays a small scan) */
export function rollupTableOf(grain: Grain): string {
  return `rollups_${grain}`;
}

export const ROLLUP_COLUMNS = 'tenant_id, grain, bucket, metric, k1, k2, count, bytes_up, bytes_down';

/** a grain's rows from `rollup_minutes`: (tenant, grain, bucket, metric, k1, k2, count, up, down) */
export function rollupRowsSelectSql(grain: Grain): string {
  if (grain === 'minute') return `SELECT _t, 'minute', bucket, metric, k1, k2, n, up, down FROM rollup_minutes WHERE NOT g`;
  const bucket = grain === 'hour' ? `bucket - bucket % ${HOUR}` : `bucket - (bucket + ${DAY_OFFSET_MS}) % ${DAY}`;
  return `SELECT _t, '${grain}', ${bucket}, metric, k1, k2, SUM(n), SUM(up), SUM(down) FROM rollup_minutes GROUP BY ALL`;
}
