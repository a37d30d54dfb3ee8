/**
 * Log events in columns: the wire form in which a gateway ships an event batch (POST
 * /api/gateway/events, JSON, `"format": "mamori.columns/1"`), besides the row form EventBatch.
 *
 * A row batch repeats every property name and most values in every event; parsing one costs the
 * console ~5 µs per event (an object and a dozen strings each). In columns, each log type holds
 * one array per field: numbers as numbers, text as a dictionary of the distinct values plus one
 * index per row, so a 5,000-event batch is a few dozen arrays of small integers and a few
 * hundred distinct strings. The gateway encodes (its own CPU, one batch at a time); the console
 * checks the columns and loads them without making an object per event.
 *
 *   { "format": "mamori.columns/1", "batchId": "...", "gatewayId": "...",
 *     "types": { "<log type>": { "n": rows, "cols": { "<field>": column, ... } }, ... } }
 *
 * A column, by the field's kind (columnKinds(): from the LogEvent schemas in events.ts):
 * - int:  `[n numbers or null]`
 * - bool: `[n booleans or null]`
 * - text: `{ "d": [distinct strings], "i": [n indexes into d, -1 when absent] }`
 * - list: `{ "d": [distinct strings], "n": [n item counts], "i": [the items of every row, in order, as indexes into d] }`
 * A field without a column is absent on every row. `type` is not a column (the key of `types`
 * is). Defaults as in the row form: an access event without categories has [], a security event
 * without severity 'medium'. Row order within a type is the gateway's; order across types is
 * not kept (each type is stored apart).
 */
import type { z } from 'zod';
import { AccessEvent, BandwidthEvent, LOG_TYPES, PolicyEvent, SecurityEvent, type EventBatch, type LogEvent, type LogType } from './events.js';

export const EVENT_COLUMNS_FORMAT = 'mamori.columns/1';

export type ColumnKind = 'int' | 'bool' | 'text' | 'list';

export interface TextColumn {
  d: string[];
  i: number[];
}
export interface ListColumn {
  d: string[];
  n: number[];
  i: number[];
}
export type Column = Array<number | null> | Array<boolean | null> | TextColumn | ListColumn;

export interface TypeColumns {
  n: number;
  cols: Record<string, Column>;
}

export interface EventColumns {
  format: typeof EVENT_COLUMNS_FORMAT;
  batchId: string;
  gatewayId: string;
  types: Partial<Record<LogType, TypeColumns>>;
}

const SCHEMAS: Record<LogType, z.ZodObject> = { bandwidth: BandwidthEvent, policy: PolicyEvent, access: AccessEvent, security: SecurityEvent } as Record<LogType, z.ZodObject>;

/** the kind of a zod field type, through optional/default wrappers */
function kindOf(t: z.ZodType): ColumnKind {
  let def = (t as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  while ((def.type === 'optional' || def.type === 'default') && def.innerType) def = (def.innerType as unknown as { _zod: { def: typeof def } })._zod.def;
  switch (def.type) {
    case 'number':
      return 'int';
    case 'boolean':
      return 'bool';
    case 'string':
    case 'enum':
      return 'text';
    case 'array':
      return 'list';
    default:
      throw new Error(`event columns: no column kind for a zod ${def.type}`);
  }
}

const KINDS = {} as Record<LogType, ReadonlyMap<string, ColumnKind>>;
for (const t of LOG_TYPES) KINDS[t] = new Map(Object.entries(SCHEMAS[t].shape).filter(([k]) => k !== 'type').map(([k, v]) => [k, kindOf(v as z.ZodType)]));

/** The fields of a log type (every LogEvent property but `type`) and their column kinds. */
export function columnKinds(type: LogType): ReadonlyMap<string, ColumnKind> {
  return KINDS[type];
}

export function isEventColumns(v: unknown): v is EventColumns {
  return typeof v === 'object' && v !== null && (v as { format?: unknown }).format === EVENT_COLUMNS_FORMAT;
}

/** events in a batch of either form */
export function batchEventCount(b: EventBatch | EventColumns): number {
  if (!isEventColumns(b)) return b.events.length;
  let n = 0;
  for (const t of LOG_TYPES) n += b.types[t]?.n ?? 0;
  return n;
}

/** A row batch in columns (the gateway's side). Dictionaries keep first-seen order. */
export function encodeEventColumns(batch: EventBatch): EventColumns {
  const byType = new Map<LogType, LogEvent[]>();
  for (const ev of batch.events) {
    const list = byType.get(ev.type);
    if (list) list.push(ev);
    else byType.set(ev.type, [ev]);
  }
  const types: EventColumns['types'] = {};
  for (const type of LOG_TYPES) {
    const rows = byType.get(type);
    if (!rows) continue;
    const cols: Record<string, Column> = {};
    for (const [field, kind] of KINDS[type]) {
      const values = rows.map((ev) => (ev as unknown as Record<string, unknown>)[field]);
      if (values.every((v) => v === undefined || v === null)) continue;
      cols[field] = encodeColumn(kind, values);
    }
    types[type] = { n: rows.length, cols };
  }
  return { format: EVENT_COLUMNS_FORMAT, batchId: batch.batchId, gatewayId: batch.gatewayId, types };
}

function encodeColumn(kind: ColumnKind, values: unknown[]): Column {
  if (kind === 'int') return values.map((v) => (typeof v === 'number' ? v : null));
  if (kind === 'bool') return values.map((v) => (typeof v === 'boolean' ? v : null));
  const d: string[] = [];
  const at = new Map<string, number>();
  const index = (s: string): number => {
    let k = at.get(s);
    if (k === undefined) {
      k = d.length;
      d.push(s);
      at.set(s, k);
    }
    return k;
  };
  if (kind === 'text') return { d, i: values.map((v) => (typeof v === 'string' ? index(v) : -1)) };
  const n: number[] = [];
  const i: number[] = [];
  for (const v of values) {
    const items = Array.isArray(v) ? (v as string[]) : [];
    n.push(items.length);
    for (const s of items) i.push(index(s));
  }
  return { d, n, i };
}

/**
 * Columns back to a row batch (events grouped by type, in LOG_TYPES order), defaults filled in.
 * For columns that were checked (the console's checkEventColumns): indexes out of range are not
 * looked for here.
 */
export function decodeEventColumns(c: EventColumns): EventBatch {
  const events: LogEvent[] = [];
  for (const type of LOG_TYPES) {
    const t = c.types[type];
    if (!t) continue;
    const rows: Array<Record<string, unknown>> = Array.from({ length: t.n }, () => ({ type }));
    for (const [field, col] of Object.entries(t.cols)) {
      const kind = KINDS[type].get(field);
      if (kind === 'int' || kind === 'bool') {
        const a = col as Array<number | boolean | null>;
        for (let r = 0; r < t.n; r++) if (a[r] !== null && a[r] !== undefined) rows[r]![field] = a[r];
      } else if (kind === 'text') {
        const { d, i } = col as TextColumn;
        for (let r = 0; r < t.n; r++) if (i[r]! >= 0) rows[r]![field] = d[i[r]!];
      } else if (kind === 'list') {
        const { d, n, i } = col as ListColumn;
        let k = 0;
        for (let r = 0; r < t.n; r++) {
          const items: string[] = [];
          for (let m = 0; m < n[r]!; m++) items.push(d[i[k++]!]!);
          if (items.length > 0) rows[r]![field] = items;
        }
      }
    }
    for (const row of rows) {
      if (type === 'access' && row['categories'] === undefined) row['categories'] = [];
      if (type === 'security' && row['severity'] === undefined) row['severity'] = 'medium';
      events.push(row as unknown as LogEvent);
    }
  }
  return { batchId: c.batchId, gatewayId: c.gatewayId, events };
}
