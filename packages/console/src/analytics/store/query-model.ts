/**
 * The log-analysis query (manual §9): one log type, a time range, filters on any field, an
 * optional group-by with top-N, or raw rows for drill-down. Validated with zod at the API edge.
 */
import { z } from 'zod';
import { LogType } from '@mamori/policy';
import { FIELDS, fieldOf } from './fields.js';

export const FILTER_OPS = ['eq', 'ne', 'in', 'contains', 'prefix', 'gt', 'gte', 'lt', 'lte', 'has', 'exists', 'missing'] as const;
export const FilterOp = z.enum(FILTER_OPS);
export type FilterOp = z.infer<typeof FilterOp>;

export const Filter = z.strictObject({
  field: z.string().min(1).max(64),
  op: FilterOp,
  value: z.union([z.string().max(8192), z.number(), z.boolean(), z.array(z.union([z.string().max(8192), z.number()])).max(1000)]).optional(),
});
export type Filter = z.infer<typeof Filter>;

export const LogQuery = z.strictObject({
  type: LogType,
  /** epoch ms, inclusive */
  from: z.number().int().nonnegative(),
  /** epoch ms, exclusive */
  to: z.number().int().nonnegative(),
  filters: z.array(Filter).max(50).default([]),
  /** group by these fields (top-N by count or bytes) */
  groupBy: z.array(z.string().min(1).max(64)).max(3).default([]),
  orderBy: z.enum(['count', 'bytes', 'bytesUp', 'bytesDown']).default('count'),
  limit: z.number().int().min(1).max(10_000).default(100),
  offset: z.number().int().min(0).max(10_000_000).default(0),
});
export type LogQuery = z.infer<typeof LogQuery>;
export type LogQueryInput = z.input<typeof LogQuery>;

export interface GroupRow {
  keys: Record<string, string | number | boolean | null>;
  count: number;
  bytesUp: number;
  bytesDown: number;
}

export class QueryError extends Error {
  readonly code = 'analytics.bad_query';
  readonly statusCode = 400;
}

const BYTES_TYPES = new Set(['bandwidth', 'access']);

/** Parses and checks that every named field exists for the log type and values fit the op. */
export function parseLogQuery(input: unknown): LogQuery {
  const r = LogQuery.safeParse(input);
  if (!r.success) throw new QueryError(`invalid query: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const q = r.data;
  if (q.to <= q.from) throw new QueryError('invalid query: "to" must be after "from"');
  for (const flt of q.filters) {
    const def = fieldOf(q.type, flt.field);
    if (!def) throw new QueryError(`unknown field "${flt.field}" for log type ${q.type}; known: ${FIELDS[q.type].map((d) => d.name).join(', ')}`);
    const needsValue = flt.op !== 'exists' && flt.op !== 'missing';
    if (needsValue && flt.value === undefined) throw new QueryError(`filter on "${flt.field}" with "${flt.op}" needs a value`);
    if (flt.op === 'in' && !Array.isArray(flt.value)) throw new QueryError(`filter "in" on "${flt.field}" needs an array`);
    if (flt.op !== 'in' && Array.isArray(flt.value)) throw new QueryError(`filter "${flt.op}" on "${flt.field}" takes a single value`);
    if (['gt', 'gte', 'lt', 'lte'].includes(flt.op) && def.kind !== 'int') throw new QueryError(`"${flt.op}" needs a numeric field; "${flt.field}" is ${def.kind}`);
    if (flt.op === 'has' && def.kind !== 'list') throw new QueryError(`"has" needs a list field; "${flt.field}" is ${def.kind}`);
    if ((flt.op === 'contains' || flt.op === 'prefix') && def.kind !== 'text' && def.kind !== 'list') throw new QueryError(`"${flt.op}" needs a text field; "${flt.field}" is ${def.kind}`);
  }
  for (const g of q.groupBy) {
    const def = fieldOf(q.type, g);
    if (!def) throw new QueryError(`unknown group-by field "${g}" for log type ${q.type}`);
  }
  if (q.orderBy !== 'count' && !BYTES_TYPES.has(q.type)) throw new QueryError(`order by ${q.orderBy} needs a log type with bytes (bandwidth, access)`);
  return q;
}

export function hasBytes(type: LogType): boolean {
  return BYTES_TYPES.has(type);
}
