/**
 * How a journal segment becomes rows in DuckDB: the segment's lines are parsed by DuckDB's own
 * JSON reader into a staging table, and plain INSERT ... SELECTs move them into the event tables,
 * the rollups (the same keys as rollups.ts / group-rollups.ts compute in JS, summed in SQL per
 * minute, hour and day) and the batch records. No value goes through JavaScript one by one.
 *
 * A journal line is one event: `{"_t":tenant,"_g":gateway,"_b":batch, ...the LogEvent's own
 * properties}`, or a batch record `{"_t","_g","_b","_n":events,"type":"_batch"}` (so a batch
 * of zero events is recorded too).
 */
import type { LogEvent, LogType } from '@mamori/policy';
import { LOG_TYPES } from '@mamori/policy';
import { FIELDS, tableName, type FieldDef } from './fields.js';
import { GROUP_ROLLUPS } from './group-rollups.js';
import { DAY, DAY_OFFSET_MS, GRAINS, HOUR, MINUTE, type Grain } from './rollups.js';

/** One batch as journal lines (the batch record first). Lone surrogates become U+FFFD: DuckDB's JSON reader refuses them. */
export function journalLines(tenantId: string, gatewayId: string, batchId: string, events: readonly LogEvent[]): string {
  const head = `{"_t":${JSON.stringify(tenantId)},"_g":${JSON.stringify(gatewayId)},"_b":${JSON.stringify(batchId)},`;
  let out = `${head}"_n":${events.length},"type":"_batch"}\n`;
  for (const ev of events) out += head + JSON.stringify(ev).slice(1) + '\n';
  return LONE_SURROGATE.test(out) ? out.replace(LONE_SURROGATE_ALL, '\\ufffd') : out;
}

const LONE_SURROGATE = /\\ud[89a-f][0-9a-f]{2}/i;
const LONE_SURROGATE_ALL = /\\ud[89a-f][0-9a-f]{2}/gi;

function jsonType(def: FieldDef): string {
  return def.kind === 'int' ? 'BIGINT' : def.kind === 'bool' ? 'BOOLEAN' : def.kind === 'list' ? 'VARCHAR[]' : 'VARCHAR';
}

/** every LogEvent property of every type, with the one DuckDB type it is read as */
const JSON_FIELDS: Map<string, FieldDef> = (() => {
  const m = new Map<string, FieldDef>();
  for (const t of LOG_TYPES) {
    for (const def of FIELDS[t]) {
      if (def.name === 'category' || def.name === 'gatewayId') continue;
      const prev = m.get(def.name);
      if (prev && jsonType(prev) !== jsonType(def)) throw new Error(`field ${def.name} has two kinds (${prev.kind}, ${def.kind}): the journal reads one column per name`);
      m.set(def.name, def);
    }
  }
  return m;
})();

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** SQL that creates the temp table `stage` from a segment file */
export function stageSql(file: string): string {
  const cols = [`_t: 'VARCHAR'`, `_g: 'VARCHAR'`, `_b: 'VARCHAR'`, `_n: 'BIGINT'`, `"type": 'VARCHAR'`, ...[...JSON_FIELDS.values()].map((d) => `${q(d.name)}: '${jsonType(d)}'`)];
  return `CREATE OR REPLACE TEMP TABLE stage AS SELECT * FROM read_ndjson(${lit(file)}, columns = {${cols.join(', ')}})`;
}

/** removes the staged events of batches stored before (a segment loaded again after a crash) */
export const DEDUP_SQL = 'DELETE FROM stage WHERE (_t, _g, _b) IN (SELECT tenant_id, gateway_id, batch_id FROM ingested_batches)';

const listCell = (col: string): string => `CASE WHEN len(${col}) > 0 THEN ',' || array_to_string(${col}, ',') || ',' END`;

/** the stored value of a field from the staged columns (same as fields.ts cellOf) */
function cellSql(def: FieldDef): string {
  if (def.name === 'gatewayId') return '_g';
  if (def.name === 'category') return 'categories[1]';
  if (def.kind === 'list') return listCell(q(def.name));
  return q(def.name);
}

export function insertEventsSql(type: LogType): string {
  const defs = FIELDS[type];
  const cols = ['tenant_id', ...defs.map((d) => d.column)];
  return `INSERT INTO ${tableName(type)} (${cols.join(', ')}) SELECT _t, ${defs.map(cellSql).join(', ')} FROM stage WHERE "type" = ${lit(type)}`;
}

export const INSERT_BATCHES_SQL = `INSERT INTO ingested_batches (tenant_id, gateway_id, batch_id, accepted, received_at) SELECT _t, _g, _b, _n, ? FROM stage WHERE "type" = '_batch'`;

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

/** the minute, hour and day rollup rows from `rollup_minutes`: one INSERT per grain table */
export function insertRollupsSql(): string[] {
  return GRAINS.map((g) => `INSERT INTO ${rollupTableOf(g)} (${ROLLUP_COLUMNS}) ${rollupRowsSelectSql(g)}`);
}

/** a grain's rows from `rollup_minutes`: (tenant, grain, bucket, metric, k1, k2, count, up, down) */
export function rollupRowsSelectSql(grain: Grain): string {
  if (grain === 'minute') return `SELECT _t, 'minute', bucket, metric, k1, k2, n, up, down FROM rollup_minutes WHERE NOT g`;
  const bucket = grain === 'hour' ? `bucket - bucket % ${HOUR}` : `bucket - (bucket + ${DAY_OFFSET_MS}) % ${DAY}`;
  return `SELECT _t, '${grain}', ${bucket}, metric, k1, k2, SUM(n), SUM(up), SUM(down) FROM rollup_minutes GROUP BY ALL`;
}

/** the first bucket per grain the load touched (for the compaction of the touched buckets) */
export const TOUCHED_SQL = `SELECT MIN(bucket) AS minute, MIN(bucket - bucket % ${HOUR}) AS hour, MIN(bucket - (bucket + ${DAY_OFFSET_MS}) % ${DAY}) AS day, COUNT(*) AS n FROM rollup_minutes`;
