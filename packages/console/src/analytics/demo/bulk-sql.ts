/**
 * Builds tens of millions of events straight in DuckDB with SQL, for the query-latency benchmark
 * (pushing 50M events through ingest() takes longer than the benchmark's budget). The values
 * follow generateEvents (generator.ts, same tables of sites, apps, users, rules, signatures and
 * the same picks: uniform, or Zipf-like r^3), drawn from a hash of the event number instead of
 * xorshift, so the events differ but their distributions match. Events are inserted in time
 * order, as gateways deliver them. The rollups are then computed from the stored events with the
 * SQL twin of the ingestion rollups (store/rollup-sql.ts), one JST day at a time, so they hold exactly what ingestion
 * and compaction would have left.
 */
import type { LogType } from '@mamori/policy';
import { LOG_TYPES } from '@mamori/policy';
import { FIELDS, tableName } from '../store/fields.js';
import { ROLLUP_COLUMNS, rollupMinutesSql, rollupRowsSelectSql, rollupTableOf } from '../store/rollup-sql.js';
import { DAY, DAY_OFFSET_MS, GRAINS } from '../store/rollups.js';
import { APPS, BLOCKED_CATS, CNC_HOSTS, RULES, SIGNATURES, SITES, THREAT_TYPES, URL_PATHS, USERS } from './generator.js';

export interface BulkOptions {
  tenantId: string;
  /** events of all four types together (mix as generateEvents: access 45%, bandwidth 35%, policy 12%, security 8%) */
  count: number;
  from: number;
  to: number;
  /** distinct source hosts (generateEvents' `hosts`) */
  hosts: number;
  /** events per batch: the gateway id changes per batch (gw-0, gw-1, gw-2), as the ingest bench sends them */
  batchSize?: number;
  idPrefix?: string;
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const list = (xs: ReadonlyArray<string | number | boolean | null>): string =>
  `[${xs.map((x) => (x === null ? 'NULL' : typeof x === 'string' ? lit(x) : String(x))).join(', ')}]`;
/** a uniform double in [0, 1) from the event number and a stream number */
const u = (k: number): string => `((hash(i * 32 + ${k}) >> 11)::DOUBLE / 9007199254740992.0)`;
/** a uniform pick of an index 1..n (DuckDB lists are 1-based) */
const pick = (k: number, n: number): string => `(floor(${u(k)} * ${n})::BIGINT + 1)`;
/** generateEvents' zipf(): index floor(n * r^3), 1-based */
const zipf = (k: number, n: number): string => `(LEAST(${n - 1}, floor(${n} * pow(${u(k)}, 3))::BIGINT) + 1)`;

/** the common columns and the per-type draws of event number i, as one SELECT over range() */
function baseSql(o: BulkOptions): string {
  const step = Math.max(1, o.to - o.from) / Math.max(1, o.count);
  const batch = o.batchSize ?? 5000;
  const prefix = o.idPrefix ?? 'ev-';
  return `SELECT i,
    LEAST(${o.to - 1}, floor(${o.from} + i * ${step} + ${u(0)} * ${step})::BIGINT) AS ts,
    floor(${u(1)} * ${o.hosts})::BIGINT AS h,
    ${u(2)} AS r,
    'gw-' || ((i // ${batch}) % 3) AS gw,
    ${lit(prefix)} || i AS id
    FROM range(${o.count}) AS t(i)`;
}

function typeOf(r: string): string {
  return `CASE WHEN ${r} < 0.45 THEN 'access' WHEN ${r} < 0.80 THEN 'bandwidth' WHEN ${r} < 0.92 THEN 'policy' ELSE 'security' END`;
}

const COMMON = (o: BulkOptions): Record<string, string> => ({
  tenant_id: lit(o.tenantId),
  ts: 'ts',
  gateway_id: 'gw',
  id: 'id',
  src_ip: `'10.0.' || (h >> 8) || '.' || ((h & 255) + 10)`,
  src_mac: `printf('02:00:00:00:%02x:%02x', h >> 8, h & 255)`,
  user_name: `CASE WHEN h < ${USERS.length * 2} THEN ${list(USERS)}[h % ${USERS.length} + 1] END`,
});

function typeColumns(type: LogType): Record<string, string> {
  switch (type) {
    case 'access': {
      const s = 'site';
      const cats = SITES.map(([, c]) => c);
      const action = cats.map((c) => (c.some((x) => BLOCKED_CATS.has(x)) ? 'block' : c.includes('finance') ? 'bypass' : 'allow'));
      const act = `${list(action)}[${s}]`;
      return {
        action: act,
        host: `${list(SITES.map(([h]) => h))}[${s}]`,
        url: `'https://' || ${list(SITES.map(([h]) => h))}[${s}] || '/' || ${list([...URL_PATHS])}[${pick(3, URL_PATHS.length)}]`,
        method: `${list(['GET', 'GET', 'GET', 'POST'])}[${pick(4, 4)}]`,
        status: `CASE WHEN ${act} = 'block' THEN 403 ELSE ${list([200, 200, 200, 304, 404])}[${pick(5, 5)}] END`,
        category: `${list(cats.map((c) => c[0] ?? null))}[${s}]`,
        categories: `${list(cats.map((c) => (c.length > 0 ? `,${c.join(',')},` : null)))}[${s}]`,
        reputation: `CASE WHEN ${list(cats.map((c) => c.includes('phishing') || c.includes('malware')))}[${s}] THEN 5 ELSE 80 + floor(${u(6)} * 20)::BIGINT END`,
        dst_ip: `'198.51.100.' || (floor(${u(7)} * 250)::BIGINT + 1)`,
        dst_port: '443',
        protocol: `'tcp'`,
        decrypted: `${act} <> 'bypass'`,
        bytes_up: `300 + floor(${u(8)} * 4000)::BIGINT`,
        bytes_down: `CASE WHEN ${act} = 'block' THEN 1200 ELSE 2000 + floor(${u(9)} * 500000)::BIGINT END`,
      };
    }
    case 'bandwidth': {
      const a = 'app_i';
      const heavy = `${list(APPS.map(([, c]) => c === 'streaming' || c === 'file-sharing' || c === 'update'))}[${a}]`;
      const app = `${list(APPS.map(([x]) => x))}[${a}]`;
      return {
        app,
        app_category: `${list(APPS.map(([, c]) => c))}[${a}]`,
        dst_ip: `'203.0.113.' || (floor(${u(7)} * 250)::BIGINT + 1)`,
        dst_port: `CASE WHEN ${app} = 'dns' THEN 53 ELSE 443 END`,
        protocol: `CASE WHEN ${app} IN ('dns', 'ntp') THEN 'udp' ELSE 'tcp' END`,
        bytes_up: `500 + floor(${u(8)} * CASE WHEN ${heavy} THEN 2000000 ELSE 50000 END)::BIGINT`,
        bytes_down: `1000 + floor(${u(9)} * CASE WHEN ${heavy} THEN 50000000 ELSE 400000 END)::BIGINT`,
        duration_ms: `floor(${u(10)} * 600000)::BIGINT`,
      };
    }
    case 'policy': {
      const r = 'rule_i';
      const ruleId = `${list(RULES.map((x) => x[0]))}[${r}]`;
      return {
        action: `${list(RULES.map((x) => x[2]))}[${r}]`,
        reason_kind: `'rule'`,
        rule_id: ruleId,
        rule_name: `${list(RULES.map((x) => x[1]))}[${r}]`,
        app: `CASE WHEN ${ruleId} = 'r-app-p2p' THEN ${list(['bittorrent', 'tor'])}[${pick(4, 2)}] END`,
        host: `${list(SITES.map(([h]) => h))}[${pick(5, SITES.length)}]`,
        dst_ip: `'198.51.100.' || (floor(${u(7)} * 250)::BIGINT + 1)`,
        dst_port: `${list([80, 443, 6881, 9001])}[${pick(8, 4)}]`,
        protocol: `'tcp'`,
        policy_version: '3',
      };
    }
    case 'security': {
      const t = 'threat_i';
      const threat = `${list([...THREAT_TYPES])}[${t}]`;
      const sigs = THREAT_TYPES.map((x) => SIGNATURES[x]!);
      const host = `CASE WHEN ${threat} = 'cnc' THEN ${list(CNC_HOSTS)}[${zipf(4, CNC_HOSTS.length)}] ELSE ${list(SITES.map(([h]) => h))}[${pick(5, SITES.length)}] END`;
      const user = `CASE WHEN h < ${USERS.length * 2} THEN ${list(USERS)}[h % ${USERS.length} + 1] ELSE 'info' END`;
      return {
        threat_type: threat,
        action: `CASE WHEN ${threat} IN ('ips', 'portScan') THEN ${list(['block', 'detect'])}[${pick(6, 2)}] ELSE 'block' END`,
        signature: `[${sigs.map((s) => list(s)).join(', ')}][${t}][floor(${u(7)} * len([${sigs.map((s) => list(s)).join(', ')}][${t}]))::BIGINT + 1]`,
        severity: `${list(['low', 'medium', 'high', 'critical'])}[${pick(8, 4)}]`,
        host,
        url: `'http://' || (${host}) || '/payload'`,
        dst_ip: `'198.51.100.' || (floor(${u(9)} * 250)::BIGINT + 1)`,
        dst_port: `CASE WHEN ${threat} = 'spam' THEN 25 ELSE 443 END`,
        protocol: `'tcp'`,
        file_name: `CASE WHEN ${threat} = 'malware' THEN ${list(['請求書.zip', 'invoice.doc', 'setup.exe'])}[${pick(10, 3)}] END`,
        file_sha256: `CASE WHEN ${threat} = 'malware' THEN ${lit('ab'.repeat(32))} END`,
        mail_from: `CASE WHEN ${threat} = 'spam' THEN 'promo@spam.example' END`,
        mail_to: `CASE WHEN ${threat} = 'spam' THEN ',' || ${user} || '@office.example.jp,' END`,
        subject: `CASE WHEN ${threat} = 'spam' THEN '【重要】アカウント確認のお願い' END`,
      };
    }
  }
}

/** the per-type pick that later expressions index with (computed once per row) */
const TYPE_PICK: Record<LogType, string> = {
  access: `${zipf(11, SITES.length)} AS site`,
  bandwidth: `${zipf(11, APPS.length)} AS app_i`,
  policy: `${zipf(11, RULES.length)} AS rule_i`,
  security: `${zipf(11, THREAT_TYPES.length)} AS threat_i`,
};

/**
 * One INSERT per log type: the events of that type among event numbers 0..count-1, in time order
 * (range() yields them in order and DuckDB keeps the insertion order).
 */
export function bulkEventsSql(o: BulkOptions): string[] {
  return LOG_TYPES.map((type) => {
    const exprs: Record<string, string> = { ...COMMON(o), ...typeColumns(type) };
    const cols = FIELDS[type].map((d) => d.column).filter((c) => exprs[c] !== undefined);
    for (const c of Object.keys(exprs)) if (c !== 'tenant_id' && !cols.includes(c)) throw new Error(`bulk generator: ${type} has no column ${c}`);
    return `INSERT INTO ${tableName(type)} (tenant_id, ${cols.join(', ')})
      SELECT ${['tenant_id', ...cols].map((c) => exprs[c]).join(', ')}
      FROM (SELECT *, ${TYPE_PICK[type]} FROM (${baseSql(o)}) WHERE ${typeOf('r')} = ${lit(type)})`;
  });
}

/**
 * A temp view named `stage`, shaped like the staging table of the SQL rollups (store/rollup-sql.ts), over the
 * stored events of [from, to): the loader's rollup SQL then runs on it unchanged.
 */
export function stageViewSql(tenantId: string, from: number, to: number): string {
  const parts = LOG_TYPES.map((type) => {
    const cols = FIELDS[type]
      .filter((d) => d.name !== 'category' && d.name !== 'gatewayId')
      .map((d) => (d.kind === 'list' ? `CASE WHEN ${d.column} IS NULL THEN []::VARCHAR[] ELSE string_split(trim(${d.column}, ','), ',') END AS "${d.name}"` : `${d.column} AS "${d.name}"`));
    return `SELECT tenant_id AS _t, gateway_id AS _g, ${lit(type)} AS "type", ${cols.join(', ')} FROM ${tableName(type)} WHERE tenant_id = ${lit(tenantId)} AND ts >= ${from} AND ts < ${to}`;
  });
  return `CREATE OR REPLACE TEMP VIEW stage AS ${parts.join(' UNION ALL BY NAME ')}`;
}

/**
 * The statements that build every rollup row (minute, hour, day; the metrics and the group
 * rollups) of the stored events in [from, to), one JST day at a time; each day's rows are written
 * in the order compaction writes them (tenant, metric, bucket), into the DuckDB store's table per grain.
 */
export function bulkRollupsSql(tenantId: string, from: number, to: number): string[] {
  const out: string[] = [];
  const first = Math.floor((from + DAY_OFFSET_MS) / DAY) * DAY - DAY_OFFSET_MS;
  for (let d = first; d < to; d += DAY) {
    out.push(stageViewSql(tenantId, d, d + DAY));
    out.push(rollupMinutesSql());
    for (const g of GRAINS) out.push(`INSERT INTO ${rollupTableOf(g)} (${ROLLUP_COLUMNS}) SELECT * FROM (${rollupRowsSelectSql(g)}) ORDER BY 1, 4, 3`);
  }
  out.push('DROP TABLE IF EXISTS rollup_minutes', 'DROP VIEW IF EXISTS stage');
  return out;
}
