/**
 * Portable SQL for the three event stores (SQLite, DuckDB, PostgreSQL). Placeholders are `?`;
 * the PostgreSQL store renumbers them. Values are always parameters, never spliced; identifiers
 * come only from the field registry.
 */
import type { LogType } from '@mamori/policy';
import { FIELDS, fieldOf, tableName } from './fields.js';
import { hasBytes, type Filter, type LogQuery } from './query-model.js';

export interface Sql {
  text: string;
  params: Array<string | number | boolean | null>;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function filterSql(type: LogType, flt: Filter, params: Sql['params']): string {
  const def = fieldOf(type, flt.field)!;
  const col = def.column;
  const v = flt.value;
  const scalar = (x: unknown): string | number | boolean => {
    if (def.kind === 'int') {
      const n = Number(x);
      if (!Number.isFinite(n)) throw new Error(`"${flt.field}" needs a number`);
      return n;
    }
    if (def.kind === 'bool') return x === true || x === 'true' || x === 1 || x === '1';
    return String(x);
  };
  switch (flt.op) {
    case 'eq':
      if (def.kind === 'list') { params.push(`%,${escapeLike(String(v))},%`); return `${col} LIKE ? ESCAPE '\\'`; }
      params.push(scalar(v)); return `${col} = ?`;
    case 'ne':
      params.push(scalar(v)); return `(${col} IS NULL OR ${col} <> ?)`;
    case 'in': {
      const arr = (v as Array<string | number>).map(scalar);
      if (arr.length === 0) return '1 = 0';
      params.push(...arr);
      return `${col} IN (${arr.map(() => '?').join(', ')})`;
    }
    case 'contains': params.push(`%${escapeLike(String(v))}%`); return `${col} LIKE ? ESCAPE '\\'`;
    case 'prefix': params.push(`${def.kind === 'list' ? ',' : ''}${escapeLike(String(v))}%`); return `${col} LIKE ? ESCAPE '\\'`;
    case 'has': params.push(`%,${escapeLike(String(v))},%`); return `${col} LIKE ? ESCAPE '\\'`;
    case 'gt': params.push(scalar(v)); return `${col} > ?`;
    case 'gte': params.push(scalar(v)); return `${col} >= ?`;
    case 'lt': params.push(scalar(v)); return `${col} < ?`;
    case 'lte': params.push(scalar(v)); return `${col} <= ?`;
    case 'exists': return `${col} IS NOT NULL`;
    case 'missing': return `${col} IS NULL`;
  }
}

export function whereSql(tenantId: string, q: Pick<LogQuery, 'type' | 'from' | 'to' | 'filters'>, params: Sql['params']): string {
  params.push(tenantId, q.from, q.to);
  const parts = ['tenant_id = ?', 'ts >= ?', 'ts < ?'];
  for (const flt of q.filters) parts.push(filterSql(q.type, flt, params));
  return parts.join(' AND ');
}

export function groupSql(tenantId: string, q: LogQuery): Sql {
  const params: Sql['params'] = [];
  const where = whereSql(tenantId, q, params);
  const cols = q.groupBy.map((g) => fieldOf(q.type, g)!.column);
  const bytes = hasBytes(q.type)
    ? 'COALESCE(SUM(bytes_up), 0) AS sum_up, COALESCE(SUM(bytes_down), 0) AS sum_down'
    : '0 AS sum_up, 0 AS sum_down';
  const order = q.orderBy === 'count' ? 'n' : q.orderBy === 'bytesUp' ? 'sum_up' : q.orderBy === 'bytesDown' ? 'sum_down' : '(COALESCE(SUM(bytes_up), 0) + COALESCE(SUM(bytes_down), 0))';
  const select = [...cols.map((c, i) => `${c} AS g${i}`), 'COUNT(*) AS n', bytes].join(', ');
  const groupBy = cols.length > 0 ? ` GROUP BY ${cols.map((_c, i) => `g${i}`).join(', ')}` : '';
  const tie = cols.map((_c, i) => `g${i}`).join(', ');
  params.push(q.limit, q.offset);
  return {
    text: `SELECT ${select} FROM ${tableName(q.type)} WHERE ${where}${groupBy} ORDER BY ${order} DESC${tie ? `, ${tie}` : ''} LIMIT ? OFFSET ?`,
    params,
  };
}

export interface RowCursor {
  ts: number;
  gatewayId: string;
  id: string;
}

/** Newest first; keyset pagination on (ts, gateway_id, id) so streaming any size stays cheap. */
export function rawSql(tenantId: string, q: LogQuery, after?: RowCursor, limit = q.limit, offset = q.offset): Sql {
  const params: Sql['params'] = [];
  let where = whereSql(tenantId, q, params);
  if (after) {
    where += ' AND (ts < ? OR (ts = ? AND (gateway_id < ? OR (gateway_id = ? AND id < ?))))';
    params.push(after.ts, after.ts, after.gatewayId, after.gatewayId, after.id);
  }
  const cols = FIELDS[q.type].map((d) => d.column).join(', ');
  params.push(limit, offset);
  return { text: `SELECT ${cols} FROM ${tableName(q.type)} WHERE ${where} ORDER BY ts DESC, gateway_id DESC, id DESC LIMIT ? OFFSET ?`, params };
}

export function countSql(tenantId: string, q: Pick<LogQuery, 'type' | 'from' | 'to' | 'filters'>): Sql {
  const params: Sql['params'] = [];
  const where = whereSql(tenantId, q, params);
  return { text: `SELECT COUNT(*) AS n FROM ${tableName(q.type)} WHERE ${where}`, params };
}
