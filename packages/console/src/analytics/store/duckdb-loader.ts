/**
 * How journal segments become rows in DuckDB, in one pass in JS: each event is appended to its
 * log type's table through a ChunkAppender (columnar buffers, duckdb-chunks.ts) and summed into
 * the rollup deltas (rollup-accumulator.ts) at the same time; then the minute/hour/day deltas
 * and the batch records are appended the same way. Everything goes into the loader connection's
 * open transaction (full chunks are posted to DuckDB's thread as they fill, duck-link.ts): the
 * caller commits it together with the segment number (duckdb-store.ts).
 *
 * A journal line is one batch: `{"_t":tenant,"batch":EventBatch or EventColumns}` (the request
 * body as received, checked, or the batch serialised again when there is no body). A batch in
 * columns is loaded column by column (duckdb-columns.ts: no object per event). Lines
 * written before the loader worked this way hold one event each, `{"_t","_g","_b", ...LogEvent}`,
 * after a record `{"_t","_g","_b","_n":events,"type":"_batch"}`; readSegment() reads both.
 */
import fs from 'node:fs';
import type { DuckConn } from './duck-link.js';
import type { EventColumns, LogEvent, LogType, TypeColumns } from '@mamori/policy';
import { EventBatch, LOG_TYPES, isEventColumns } from '@mamori/policy';
import { fastEventBatch } from '../ingest/fast-validate.js';
import type { ChunkAppender} from './duckdb-chunks.js';
import { TextDict, type ColumnKind } from './duckdb-chunks.js';
import { addColumnRollups } from './column-rollups.js';
import { columnSources, isDictSource } from './duckdb-columns.js';
import { FIELDS, tableName, type FieldDef } from './fields.js';
import { RollupAccumulator, type RowVisitor } from './rollup-accumulator.js';
import { rollupTableOf } from './rollup-sql.js';
import { GRAINS, type Grain } from './rollups.js';

/** one batch as it sits in the journal and goes to the loader (either wire form) */
export interface JournalBatch {
  tenantId: string;
  batch: EventBatch | EventColumns;
}

/** The journal line of a batch. */
export function journalLine(tenantId: string, batch: EventBatch | EventColumns): Buffer[] {
  return [Buffer.from(`{"_t":${JSON.stringify(tenantId)},"batch":${JSON.stringify(batch)}}\n`, 'utf8')];
}

const LINE_END = Buffer.from('}\n');

/**
 * The journal line of a batch from the request body it was parsed from (checked JSON): the body
 * goes in as received. A newline can only be whitespace in JSON, so any becomes a space.
 */
export function journalLineOfRaw(tenantId: string, rawJson: Buffer): Buffer[] {
  let body = rawJson;
  if (rawJson.includes(0x0a)) {
    body = Buffer.from(rawJson);
    for (let i = body.indexOf(0x0a); i >= 0; i = body.indexOf(0x0a, i + 1)) body[i] = 0x20;
  }
  return [Buffer.from(`{"_t":${JSON.stringify(tenantId)},"batch":`, 'utf8'), body, LINE_END];
}

/** The batches of a segment file, in order (both line formats). */
export function readSegment(file: string): JournalBatch[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: JournalBatch[] = [];
  /** old format: the batch being read, by key */
  const open = new Map<string, JournalBatch>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.length === 0) continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    const tenantId = String(o['_t']);
    if (o['batch'] !== undefined) {
      // columns were checked before they were journaled; the loader fills their defaults in
      if (isEventColumns(o['batch'])) {
        out.push({ tenantId, batch: o['batch'] });
        continue;
      }
      // a body journaled as received lacks zod's defaults: the same check fills them in
      const batch = fastEventBatch(o['batch']) ?? EventBatch.parse(o['batch']);
      out.push({ tenantId, batch });
      continue;
    }
    const key = `${tenantId}\u0000${String(o['_g'])}\u0000${String(o['_b'])}`;
    if (o['type'] === '_batch') {
      const b: JournalBatch = { tenantId, batch: { batchId: String(o['_b']), gatewayId: String(o['_g']), events: [] } };
      open.set(key, b);
      out.push(b);
      continue;
    }
    const b = open.get(key);
    if (!b) throw new Error(`journal segment ${file}: an event of batch ${String(o['_b'])} without its batch record`);
    const { _t, _g, _b, ...ev } = o;
    void _t;
    void _g;
    void _b;
    (b.batch as EventBatch).events.push(ev as unknown as LogEvent);
  }
  return out;
}

const KINDS: Record<FieldDef['kind'], ColumnKind> = { int: 'int', text: 'text', bool: 'bool', list: 'text' };

/** how a column is filled: the gateway, the first category, or the event's property of that kind */
const OP_GATEWAY = 0;
const OP_CATEGORY = 1;
const OP_INT = 2;
const OP_BOOL = 3;
const OP_LIST = 4;
const OP_TEXT = 5;
const OPS: Record<FieldDef['kind'], number> = { int: OP_INT, bool: OP_BOOL, list: OP_LIST, text: OP_TEXT };

/** one event table's appender and how each of its columns is filled (worked out once per table, not per event) */
class EventTableWriter {
  private readonly names: string[];
  private readonly ops: Uint8Array;
  constructor(
    private readonly ap: ChunkAppender,
    type: LogType,
  ) {
    const defs = FIELDS[type];
    this.names = defs.map((d) => d.name);
    this.ops = Uint8Array.from(defs, (d) => (d.name === 'gatewayId' ? OP_GATEWAY : d.name === 'category' ? OP_CATEGORY : OPS[d.kind]));
  }

  static open(w: DuckConn, type: LogType): EventTableWriter {
    const kinds: ColumnKind[] = ['text', ...FIELDS[type].map((d) => KINDS[d.kind])];
    return new EventTableWriter(w.appender(tableName(type), kinds), type);
  }

  /** the same values as fields.ts cellOf, written straight into the columns */
  write(tenantId: string, gatewayId: string, ev: LogEvent): void {
    const ap = this.ap;
    const rec = ev as unknown as Record<string, unknown>;
    ap.text(0, tenantId);
    const ops = this.ops;
    const names = this.names;
    for (let i = 0; i < ops.length; i++) {
      const col = i + 1;
      switch (ops[i]) {
        case OP_GATEWAY:
          ap.text(col, gatewayId);
          break;
        case OP_CATEGORY: {
          const cats = rec['categories'] as string[] | undefined;
          ap.text(col, cats && cats.length > 0 ? cats[0]! : null);
          break;
        }
        case OP_INT: {
          const v = rec[names[i]!];
          ap.int(col, v === undefined || v === null ? null : (v as number));
          break;
        }
        case OP_BOOL: {
          const v = rec[names[i]!];
          ap.bool(col, v === undefined || v === null ? null : v === true);
          break;
        }
        case OP_LIST: {
          const v = rec[names[i]!];
          ap.text(col, Array.isArray(v) && v.length > 0 ? `,${v.join(',')},` : null);
          break;
        }
        default: {
          const v = rec[names[i]!];
          ap.text(col, v === undefined || v === null ? null : (v as string));
        }
      }
    }
    ap.endRow();
  }

  /** the rows of this log type of a batch in columns, column by column */
  writeColumns(tenant: TextDict, gateway: TextDict, tc: TypeColumns, type: LogType): void {
    const ap = this.ap;
    const sources = columnSources(type, tc);
    const ops = this.ops;
    for (let from = 0; from < tc.n; ) {
      const k = Math.min(tc.n - from, ap.room);
      ap.dictRange(0, tenant, ZEROS, 0, k);
      for (let i = 0; i < ops.length; i++) {
        const col = i + 1;
        const src = sources[i]!;
        switch (ops[i]) {
          case OP_GATEWAY:
            ap.dictRange(col, gateway, ZEROS, 0, k);
            break;
          case OP_INT:
            ap.intRange(col, src as ArrayLike<number | null> | null, from, k);
            break;
          case OP_BOOL:
            ap.boolRange(col, src as ArrayLike<boolean | null> | null, from, k);
            break;
          default:
            if (isDictSource(src)) ap.dictRange(col, src.dict, src.idx, from, k);
            else ap.dictRange(col, NULL_DICT, null, from, k);
        }
      }
      ap.advance(k);
      from += k;
    }
  }

  /** rows handed to DuckDB so far */
  get appended(): number {
    return this.ap.appended;
  }

  close(): number {
    this.ap.close();
    return this.ap.appended;
  }
}

/** index 0 for every row of a chunk: a constant column (tenant, gateway) from a one-entry dictionary */
const ZEROS = new Int32Array(2048);
const NULL_DICT = new TextDict([]);

const ROLLUP_KINDS: ColumnKind[] = ['text', 'text', 'int', 'text', 'text', 'text', 'int', 'int', 'int'];

function appendRollups(w: DuckConn, grain: Grain, rows: { each(fn: RowVisitor): void }): void {
  const ap = w.appender(rollupTableOf(grain), ROLLUP_KINDS);
  rows.each((tenantId, bucket, metric, k1, k2, count, up, down) => {
    ap.text(0, tenantId);
    ap.text(1, grain);
    ap.int(2, bucket);
    ap.text(3, metric);
    ap.text(4, k1);
    ap.text(5, k2);
    ap.int(6, count);
    ap.int(7, up);
    ap.int(8, down);
    ap.endRow();
  });
  ap.close();
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const keyOf = (t: string, g: string, b: string): string => `${t}\u0000${g}\u0000${b}`;

/** the keys among `batches` that ingested_batches already holds */
async function storedKeys(w: DuckConn, batches: readonly JournalBatch[]): Promise<Set<string>> {
  const out = new Set<string>();
  const ids = [...new Set(batches.map((b) => b.batch.batchId))];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await w.rows(`SELECT tenant_id, gateway_id, batch_id FROM ingested_batches WHERE batch_id IN (${ids.slice(i, i + 500).map(lit).join(', ')})`);
    for (const row of rows) out.add(keyOf(String(row[0]), String(row[1]), String(row[2])));
  }
  return out;
}

export interface LoadResult {
  events: number;
  /** rollup delta rows appended */
  rollupRows: number;
  /** the first bucket per grain the load touched (for the compaction of touched buckets) */
  touched: Partial<Record<Grain, number>>;
  /** ms per step */
  timing: Record<string, number>;
}

/** events between yields to the event loop while appending (the ack path keeps running) */
const YIELD_EVERY = 16_384;

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Appends the batches (minus those ingested_batches already holds, and repeats within them) into
 * the writer's open transaction: events, rollup deltas, batch records. `beforeCommit` runs after
 * the events are written (tests).
 */
export async function loadBatches(
  w: DuckConn,
  batches: readonly JournalBatch[],
  receivedAt: number,
  beforeCommit?: (events: number) => void | Promise<void>,
): Promise<LoadResult> {
  const timing: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    timing[name] = (timing[name] ?? 0) + (now - t);
    t = now;
  };
  const stored = await storedKeys(w, batches);
  lap('dedup');
  const writers = new Map<LogType, EventTableWriter>();
  for (const type of LOG_TYPES) writers.set(type, EventTableWriter.open(w, type));
  const acc = new RollupAccumulator();
  const records: Array<[string, string, string, number]> = [];
  let events = 0;
  let sinceYield = 0;
  for (const { tenantId, batch } of batches) {
    const key = keyOf(tenantId, batch.gatewayId, batch.batchId);
    if (stored.has(key)) continue;
    stored.add(key);
    const gw = batch.gatewayId;
    let n = 0;
    if (isEventColumns(batch)) {
      const tenant = new TextDict([tenantId]);
      const gateway = new TextDict([gw]);
      for (const type of LOG_TYPES) {
        const tc = batch.types[type];
        if (!tc || tc.n === 0) continue;
        writers.get(type)!.writeColumns(tenant, gateway, tc, type);
        addColumnRollups(acc, tenantId, gw, type, tc);
        n += tc.n;
      }
    } else {
      for (const ev of batch.events) {
        writers.get(ev.type)!.write(tenantId, gw, ev);
        acc.add(tenantId, gw, ev);
      }
      n = batch.events.length;
    }
    records.push([tenantId, gw, batch.batchId, n]);
    events += n;
    sinceYield += n;
    if (sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      lap('events+rollups (JS)');
      await tick();
      lap('yield');
    }
  }
  lap('events+rollups (JS)');
  for (const wr of writers.values()) wr.close();
  lap('events: last chunks posted');
  await beforeCommit?.(events);
  t = performance.now();
  const grains = acc.grains();
  lap('rollup hour/day rows (JS)');
  const touched: LoadResult['touched'] = {};
  let rollupRows = 0;
  for (const g of GRAINS) {
    rollupRows += grains[g].rows;
    if (grains[g].rows > 0) touched[g] = grains[g].firstBucket;
    appendRollups(w, g, grains[g]);
  }
  lap('rollup append');
  const ap = w.appender('ingested_batches', ['text', 'text', 'text', 'int', 'int']);
  for (const [tn, gw, b, n] of records) {
    ap.text(0, tn);
    ap.text(1, gw);
    ap.text(2, b);
    ap.int(3, n);
    ap.int(4, receivedAt);
    ap.endRow();
  }
  ap.close();
  lap('batch records');
  return { events, rollupRows, touched, timing };
}
