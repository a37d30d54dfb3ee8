/**
 * The check of an event batch in columns (`mamori.columns/1`, @mamori/policy event-columns.ts),
 * written out by hand for the ingestion path: it runs once per batch before the acknowledgement.
 *
 * checkEventColumns() accepts exactly the well-formed batches whose decoded rows
 * (decodeEventColumns) zod's EventBatch accepts (fast-columns.test.ts compares both), with the
 * field rules of fast-validate.ts (FIELD_RULES): no second copy of the limits. Well-formed:
 * - keys exactly format / batchId (1..128 chars) / gatewayId (1..64) / types; `types` keys are
 *   log types, each `{ n, cols }` with n a whole number, at most 10,000 events in all;
 * - `cols` keys are fields of that type (columnKinds()), no other keys anywhere;
 * - int: n safe integers or null within the field's range; bool: n booleans or null;
 *   text `{ d, i }`: every dictionary entry meets the field's rule (checked once each, also an
 *   entry no row uses), n whole indexes in -1..d.length-1;
 *   list `{ d, n, i }`: n item counts 0..maxItems, sum(n) indexes in 0..d.length-1;
 * - a required field has a value on every row (its column exists when n > 0).
 * explainEventColumns() walks the same code and says what is wrong, with the path.
 */
import { columnKinds, EVENT_COLUMNS_FORMAT, LOG_TYPES, type ColumnKind, type EventColumns, type LogType } from '@mamori/policy';
import { FIELD_RULES, valueOk, type FieldRule } from './fast-validate.js';

const MAX_EVENTS = 10_000;
/** explainEventColumns says at most this much */
const MAX_MESSAGES = 20;

interface FieldSpec {
  rule: FieldRule;
  kind: ColumnKind;
  req: boolean;
}

const KIND_OF_RULE: Record<FieldRule['k'], ColumnKind | null> = { str: 'text', enum: 'text', sha256: 'text', int: 'int', bool: 'bool', strs: 'list', type: null };

/** per log type: its fields (rule and column kind) and the required ones */
const SPECS = new Map<string, { fields: Map<string, FieldSpec>; required: string[] }>();
for (const t of LOG_TYPES) {
  const rules = FIELD_RULES.get(t)!;
  const fields = new Map<string, FieldSpec>();
  for (const [field, kind] of columnKinds(t)) {
    const rule = rules.get(field);
    // the rules (fast-validate.ts) and the column kinds (events.ts schemas) must describe the same fields
    if (!rule || KIND_OF_RULE[rule.k] !== kind) throw new Error(`fast-columns: ${t}.${field} is a ${kind} column but its rule is ${rule ? rule.k : 'missing'}`);
    fields.set(field, { rule, kind, req: rule.k !== 'type' && rule.req });
  }
  for (const [field, rule] of rules) if (rule.k !== 'type' && !fields.has(field)) throw new Error(`fast-columns: ${t}.${field} has a rule but no column kind`);
  SPECS.set(t, { fields, required: [...fields].filter(([, f]) => f.req).map(([k]) => k) });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOwn = Object.prototype.hasOwnProperty;

/** the first own key of o outside `allowed`, if any */
function extraKey(o: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  for (const k in o) if (hasOwn.call(o, k) && !allowed.includes(k)) return k;
  return undefined;
}

type Path = ReadonlyArray<string | number>;

/** a problem in a batch in columns: where (keys and array indexes from the body) and what */
export interface ColumnsIssue {
  path: Array<string | number>;
  message: string;
}

/** the checked batch (the same object), or null when it is malformed or zod would refuse its rows */
export function checkEventColumns(body: unknown): EventColumns | null {
  return walk(body, null) ? (body as EventColumns) : null;
}

/** what is wrong with a batch in columns (at most MAX_MESSAGES problems, one per column); [] when nothing is */
export function eventColumnsIssues(body: unknown): ColumnsIssue[] {
  const out: ColumnsIssue[] = [];
  walk(body, out);
  return out.slice(0, MAX_MESSAGES);
}

/** eventColumnsIssues() as messages, each with its path: `types.access.cols.host.i[17]: index 99 outside the dictionary (12 entries)` */
export function explainEventColumns(body: unknown): string[] {
  return eventColumnsIssues(body).map((i) => `${pathText(i.path)}: ${i.message}`);
}

export function pathText(path: Path): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${k}` : k;
  return s || '(batch)';
}

/**
 * The check itself. `out` null: stop at the first problem (the fast path). Otherwise record a
 * message per problem and go on (one per column: a column stops at its first).
 */
function walk(body: unknown, out: ColumnsIssue[] | null): boolean {
  const fail = (path: Path, msg: string): false => {
    out?.push({ path: [...path], message: msg });
    return false;
  };
  if (!isPlainObject(body)) return fail([], `expected an object, got ${preview(body)}`);
  let ok = true;
  for (const k in body) {
    if (!hasOwn.call(body, k) || k === 'format' || k === 'batchId' || k === 'gatewayId' || k === 'types') continue;
    if (!out) return false;
    ok = fail([k], `unknown key (a batch in columns has format, batchId, gatewayId, types)`);
  }
  const { format, batchId, gatewayId, types } = body;
  if (format !== EVENT_COLUMNS_FORMAT) {
    if (!out) return false;
    ok = fail(['format'], `expected "${EVENT_COLUMNS_FORMAT}", got ${preview(format)}`);
  }
  if (typeof batchId !== 'string' || batchId.length < 1 || batchId.length > 128) {
    if (!out) return false;
    ok = fail(['batchId'], `expected a string of 1 to 128 characters, got ${preview(batchId)}`);
  }
  if (typeof gatewayId !== 'string' || gatewayId.length < 1 || gatewayId.length > 64) {
    if (!out) return false;
    ok = fail(['gatewayId'], `expected a string of 1 to 64 characters, got ${preview(gatewayId)}`);
  }
  if (!isPlainObject(types)) return fail(['types'], `expected an object of log types, got ${preview(types)}`);

  // the envelope of every type first: the event count bounds the work below
  const checked: Array<[LogType, number, Record<string, unknown>]> = [];
  let total = 0;
  for (const key in types) {
    if (!hasOwn.call(types, key)) continue;
    const p: Path = ['types', key];
    const spec = SPECS.get(key);
    if (!spec) {
      if (!out) return false;
      ok = fail(p, `not a log type (one of ${LOG_TYPES.join(', ')})`);
      continue;
    }
    const t = types[key];
    if (!isPlainObject(t)) {
      if (!out) return false;
      ok = fail(p, `expected { n, cols }, got ${preview(t)}`);
      continue;
    }
    const extraT = extraKey(t, ['n', 'cols']);
    if (extraT !== undefined) {
      if (!out) return false;
      ok = fail([...p, extraT], `unknown key (a log type has n and cols)`);
    }
    const { n, cols } = t;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      if (!out) return false;
      ok = fail([...p, 'n'], `expected the number of rows (a whole number >= 0), got ${preview(n)}`);
      continue;
    }
    total += n;
    if (!isPlainObject(cols)) {
      if (!out) return false;
      ok = fail([...p, 'cols'], `expected an object of columns, got ${preview(cols)}`);
      continue;
    }
    checked.push([key as LogType, n, cols]);
  }
  if (total > MAX_EVENTS) return fail(['types'], `${total} events; a batch holds at most ${MAX_EVENTS.toLocaleString('en')}`);

  for (const [type, n, cols] of checked) {
    const spec = SPECS.get(type)!;
    const p: Path = ['types', type, 'cols'];
    for (const field in cols) {
      if (!hasOwn.call(cols, field)) continue;
      const f = spec.fields.get(field);
      if (!f) {
        if (!out) return false;
        ok = fail([...p, field], `not a field of ${type} events`);
        continue;
      }
      if (!checkColumn(f, cols[field], n, [...p, field], out)) {
        if (!out) return false;
        ok = false;
      }
    }
    if (n > 0) {
      for (const field of spec.required) {
        if (hasOwn.call(cols, field)) continue;
        if (!out) return false;
        ok = fail([...p, field], `required field missing (no column for ${n} rows)`);
      }
    }
  }
  return ok;
}

function checkColumn(f: FieldSpec, col: unknown, n: number, p: Path, out: ColumnsIssue[] | null): boolean {
  const fail = (path: Path, msg: string): false => {
    out?.push({ path: [...path], message: msg });
    return false;
  };
  const { rule, req } = f;
  switch (rule.k) {
    case 'int': {
      if (!Array.isArray(col)) return fail(p, `expected an array of ${n} numbers or null, got ${preview(col)}`);
      if (col.length !== n) return fail(p, `${col.length} values for ${n} rows`);
      const { min, max } = rule;
      for (let r = 0; r < n; r++) {
        const v: unknown = col[r];
        if (typeof v === 'number' ? v >= min && v <= max && Number.isSafeInteger(v) : v === null && !req) continue;
        return v === null ? fail(p, `required field missing on row ${r}`) : fail([...p, r], `expected ${describe(rule)}${req ? '' : ' or null'}, got ${preview(v)}`);
      }
      return true;
    }
    case 'bool': {
      if (!Array.isArray(col)) return fail(p, `expected an array of ${n} booleans or null, got ${preview(col)}`);
      if (col.length !== n) return fail(p, `${col.length} values for ${n} rows`);
      for (let r = 0; r < n; r++) {
        const v: unknown = col[r];
        if (v === true || v === false || (v === null && !req)) continue;
        return v === null ? fail(p, `required field missing on row ${r}`) : fail([...p, r], `expected true, false${req ? '' : ' or null'}, got ${preview(v)}`);
      }
      return true;
    }
    case 'str':
    case 'enum':
    case 'sha256': {
      if (!isPlainObject(col)) return fail(p, `expected a text column { d, i }, got ${preview(col)}`);
      const extra = extraKey(col, ['d', 'i']);
      if (extra !== undefined) return fail([...p, extra], `unknown key (a text column has d and i)`);
      const { d, i } = col;
      if (!Array.isArray(d)) return fail([...p, 'd'], `expected the dictionary (an array of strings), got ${preview(d)}`);
      for (let k = 0; k < d.length; k++) if (!valueOk(rule, d[k])) return fail([...p, 'd', k], `expected ${describe(rule)}, got ${preview(d[k])}`);
      if (!Array.isArray(i)) return fail([...p, 'i'], `expected ${n} indexes into d, got ${preview(i)}`);
      if (i.length !== n) return fail([...p, 'i'], `${i.length} indexes for ${n} rows`);
      const lo = req ? 0 : -1;
      const hi = d.length - 1;
      for (let r = 0; r < n; r++) {
        const x: unknown = i[r];
        if (typeof x === 'number' && x >= lo && x <= hi && Number.isInteger(x)) continue;
        if (x === -1) return fail(p, `required field missing on row ${r}`);
        return fail([...p, 'i', r], badIndex(x, d.length, req ? 'an index into d' : 'an index into d or -1'));
      }
      return true;
    }
    case 'strs': {
      if (!isPlainObject(col)) return fail(p, `expected a list column { d, n, i }, got ${preview(col)}`);
      const extra = extraKey(col, ['d', 'n', 'i']);
      if (extra !== undefined) return fail([...p, extra], `unknown key (a list column has d, n and i)`);
      const { d, n: counts, i } = col;
      if (!Array.isArray(d)) return fail([...p, 'd'], `expected the dictionary (an array of strings), got ${preview(d)}`);
      for (let k = 0; k < d.length; k++) {
        const s: unknown = d[k];
        if (typeof s !== 'string' || s.length > rule.max) return fail([...p, 'd', k], `expected a string of at most ${rule.max} characters, got ${preview(s)}`);
      }
      if (!Array.isArray(counts)) return fail([...p, 'n'], `expected ${n} item counts, got ${preview(counts)}`);
      if (counts.length !== n) return fail([...p, 'n'], `${counts.length} item counts for ${n} rows`);
      let items = 0;
      const lo = req ? 1 : 0;
      for (let r = 0; r < n; r++) {
        const c: unknown = counts[r];
        if (typeof c === 'number' && c >= lo && c <= rule.maxItems && Number.isInteger(c)) {
          items += c;
          continue;
        }
        if (c === 0) return fail(p, `required field missing on row ${r}`);
        return fail([...p, 'n', r], `expected an item count from 0 to ${rule.maxItems}, got ${preview(c)}`);
      }
      if (!Array.isArray(i)) return fail([...p, 'i'], `expected ${items} indexes into d, got ${preview(i)}`);
      if (i.length !== items) return fail([...p, 'i'], `${i.length} indexes for ${items} items (the sum of n)`);
      const hi = d.length - 1;
      for (let k = 0; k < items; k++) {
        const x: unknown = i[k];
        if (typeof x === 'number' && x >= 0 && x <= hi && Number.isInteger(x)) continue;
        return fail([...p, 'i', k], badIndex(x, d.length, 'an index into d'));
      }
      return true;
    }
    case 'type':
      return fail(p, `not a column`);
  }
}

function badIndex(x: unknown, entries: number, what: string): string {
  if (typeof x === 'number' && Number.isInteger(x)) return `index ${x} outside the dictionary (${entries} ${entries === 1 ? 'entry' : 'entries'})`;
  return `expected ${what}, got ${preview(x)}`;
}

function describe(rule: FieldRule): string {
  switch (rule.k) {
    case 'str':
      return rule.min > 0 ? `a string of ${rule.min} to ${rule.max} characters` : `a string of at most ${rule.max} characters`;
    case 'int':
      if (rule.min === Number.MIN_SAFE_INTEGER && rule.max === Number.MAX_SAFE_INTEGER) return 'a whole number';
      if (rule.max === Number.MAX_SAFE_INTEGER) return `a whole number >= ${rule.min}`;
      return `a whole number from ${rule.min} to ${rule.max}`;
    case 'enum':
      return `one of ${[...rule.values].join(', ')}`;
    case 'sha256':
      return 'a sha256 (64 lowercase hex digits)';
    case 'bool':
      return 'true or false';
    case 'strs':
      return `a list of at most ${rule.maxItems} strings of at most ${rule.max} characters`;
    case 'type':
      return 'the log type';
  }
}

/** a short rendering of an offending value */
function preview(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `${JSON.stringify(v.slice(0, 40))}... (${v.length} characters)` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}
