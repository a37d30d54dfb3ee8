/**
 * Rollups that answer log-analysis group-bys (§9) over long ranges without scanning raw events:
 * for a pair of fields of one log type, counts and bytes per (value1, value2) by hour and day.
 * A query that groups by one or both fields and filters only with "eq" on them is served from
 * these rows for its whole hours, and from raw events for the partial hours at its edges
 * (a small, time-pruned scan), so its result is exactly the raw one. Adding a pair is one line.
 */
import type { LogEvent, LogType } from '@mamori/policy';
import { fieldOf, cellOf, type FieldDef } from './fields.js';
import type { LogQuery } from './query-model.js';

export interface GroupRollup {
  metric: string;
  type: LogType;
  fields: readonly [string, string];
}

const pair = (type: LogType, a: string, b: string): GroupRollup => ({ metric: `g:${type}:${a},${b}`, type, fields: [a, b] });

export const GROUP_ROLLUPS: readonly GroupRollup[] = [
  pair('access', 'category', 'action'),
  pair('access', 'user', 'host'),
  pair('access', 'host', 'action'),
  pair('bandwidth', 'app', 'user'),
  pair('security', 'threatType', 'host'),
  pair('security', 'threatType', 'action'),
  pair('policy', 'ruleName', 'action'),
];

const BY_TYPE = new Map<LogType, Array<{ g: GroupRollup; defs: [FieldDef, FieldDef] }>>();
for (const g of GROUP_ROLLUPS) {
  const defs = [fieldOf(g.type, g.fields[0])!, fieldOf(g.type, g.fields[1])!] as [FieldDef, FieldDef];
  for (const d of defs) if (!d || d.kind !== 'text') throw new Error(`group rollup ${g.metric}: ${g.type} fields must be text fields`);
  const list = BY_TYPE.get(g.type) ?? [];
  list.push({ g, defs });
  BY_TYPE.set(g.type, list);
}

/** the stored key of a value: NULL is stored as '' (rollup keys are NOT NULL) */
function keyOf(v: string | number | boolean | null): string {
  return v === null ? '' : String(v);
}

/** the group-rollup keys of one event: [metric, k1, k2] per pair of its log type */
export function groupRollupKeys(ev: LogEvent, gatewayId: string): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const { g, defs } of BY_TYPE.get(ev.type) ?? []) out.push([g.metric, keyOf(cellOf(ev, gatewayId, defs[0])), keyOf(cellOf(ev, gatewayId, defs[1]))]);
  return out;
}

export interface GroupRollupPlan {
  metric: string;
  /** rollup column per group-by field, in the query's order */
  groupCols: Array<'k1' | 'k2'>;
  where: Array<{ col: 'k1' | 'k2'; value: string }>;
}

/**
 * How a query is answered from group rollups, or null when it needs raw events. With `forCount`
 * the query has no group-by and asks only for the number of matching events: every event has
 * exactly one row per pair of its log type, so any pair whose fields cover the filters answers it.
 */
export function groupRollupPlan(q: LogQuery, opts: { forCount?: boolean } = {}): GroupRollupPlan | null {
  if (opts.forCount ? q.groupBy.length !== 0 : q.groupBy.length === 0 || q.groupBy.length > 2) return null;
  for (const { g } of BY_TYPE.get(q.type) ?? []) {
    const col = (name: string): 'k1' | 'k2' | null => (g.fields[0] === name ? 'k1' : g.fields[1] === name ? 'k2' : null);
    const groupCols = q.groupBy.map(col);
    if (groupCols.some((c) => c === null) || new Set(groupCols).size !== groupCols.length) continue;
    const where: GroupRollupPlan['where'] = [];
    let ok = true;
    for (const f of q.filters) {
      const c = col(f.field);
      // '' is how NULL is stored, so an eq filter on '' cannot be told apart: raw events answer it
      if (c === null || f.op !== 'eq' || typeof f.value !== 'string' || f.value === '') { ok = false; break; }
      where.push({ col: c, value: f.value });
    }
    if (ok) return { metric: g.metric, groupCols: groupCols as Array<'k1' | 'k2'>, where };
  }
  return null;
}
