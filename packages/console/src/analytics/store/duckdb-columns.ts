/**
 * A batch in columns (@mamori/policy event-columns.ts) made ready for the DuckDB loader without
 * an object per event: each text column becomes a TextDict (its dictionary's string_t's, built
 * once) plus the batch's own index array; list columns become their stored text (",a,b,", one
 * dictionary entry per distinct list) and, for access events, the first category; defaults
 * (zod's, events.ts) are dictionary entries. The rollups are summed on the same columns
 * (column-rollups.ts).
 * The arrays may also be typed arrays (a batch moved to the DuckDB worker: indexes as
 * Int32Array, integers as Float64Array with NaN for null); everything here reads them by index.
 */
import { columnKinds, type ListColumn, type LogType, type TextColumn, type TypeColumns } from '@mamori/policy';
import { TextDict } from './duckdb-chunks.js';
import { FIELDS } from './fields.js';

/** what a text-kind table column is filled from: a dictionary and one index per row (negative: null) */
export interface DictSource {
  dict: TextDict;
  idx: ArrayLike<number>;
}

/** a table column's source: text (dictionary), numbers/booleans (the batch's array; null: all null) */
export type ColumnSource = DictSource | ArrayLike<number | null> | ArrayLike<boolean | null> | null;

/** zod's defaults of text fields (events.ts): a row without the field gets this value */
const TEXT_DEFAULTS: Partial<Record<LogType, Record<string, string>>> = { security: { severity: 'medium' } };

/** the batch's dictionary of a text column, with the field's default as an extra entry for rows without one */
function textSource(col: TextColumn | undefined, n: number, fallback: string | undefined): DictSource | null {
  if (fallback === undefined) return col ? { dict: new TextDict(col.d), idx: col.i } : null;
  if (!col) return { dict: new TextDict([fallback]), idx: new Int32Array(n) };
  const k = col.d.length;
  const idx = Int32Array.from(col.i, (e) => (e < 0 ? k : e));
  return { dict: new TextDict([...col.d, fallback]), idx };
}

/** a list column as stored (",a,b," or null) and its first item per row */
function listSources(col: ListColumn | undefined, n: number): { text: DictSource | null; first: DictSource | null } {
  if (!col) return { text: null, first: null };
  const { d, n: counts, i: items } = col;
  const first = new Int32Array(n);
  const joinedIdx = new Int32Array(n);
  const joined: string[] = [];
  const single = new Int32Array(d.length).fill(-1);
  const multi = new Map<string, number>();
  let p = 0;
  for (let r = 0; r < n; r++) {
    const c = counts[r]!;
    if (c === 0) {
      first[r] = -1;
      joinedIdx[r] = -1;
      continue;
    }
    const e = items[p]!;
    first[r] = e;
    if (c === 1) {
      if (single[e]! < 0) {
        single[e] = joined.length;
        joined.push(`,${d[e]!},`);
      }
      joinedIdx[r] = single[e]!;
    } else {
      let s = ',';
      for (let m = p; m < p + c; m++) s += `${d[items[m]!]!},`;
      let at = multi.get(s);
      if (at === undefined) {
        at = joined.length;
        joined.push(s);
        multi.set(s, at);
      }
      joinedIdx[r] = at;
    }
    p += c;
  }
  return { text: { dict: new TextDict(joined), idx: joinedIdx }, first: { dict: new TextDict(d), idx: first } };
}

/**
 * The source of each column of a log type's table after tenant_id, in FIELDS order (the
 * gateway and the constant tenant are filled by the writer).
 */
export function columnSources(type: LogType, tc: TypeColumns): ColumnSource[] {
  const kinds = columnKinds(type);
  const defaults = TEXT_DEFAULTS[type] ?? {};
  const lists = new Map<string, ReturnType<typeof listSources>>();
  const listOf = (name: string): ReturnType<typeof listSources> => {
    let l = lists.get(name);
    if (!l) lists.set(name, (l = listSources(tc.cols[name] as ListColumn | undefined, tc.n)));
    return l;
  };
  return FIELDS[type].map((def): ColumnSource => {
    if (def.name === 'gatewayId') return null;
    if (def.name === 'category') return listOf('categories').first;
    const col = tc.cols[def.name];
    switch (kinds.get(def.name)) {
      case 'int':
        return (col as Array<number | null> | undefined) ?? null;
      case 'bool':
        return (col as Array<boolean | null> | undefined) ?? null;
      case 'list':
        return listOf(def.name).text;
      case 'text':
        return textSource(col as TextColumn | undefined, tc.n, defaults[def.name]);
      default:
        throw new Error(`event columns: ${type} has no field ${def.name}`);
    }
  });
}

export const isDictSource = (s: ColumnSource): s is DictSource => s !== null && typeof s === 'object' && 'dict' in s;
