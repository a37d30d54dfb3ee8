/**
 * Row-by-row appends into a DuckDB table at columnar speed: rows are written into plain JS
 * buffers laid out as DuckDB's vectors (int64 words, bytes, 16-byte string_t, validity bits)
 * and handed over a data chunk at a time with a few memory copies, instead of one native call
 * per value (the Appender's appendVarchar & co. cost ~0.5 µs each here, ~10 µs per event).
 * Two halves: ChunkAppender fills the buffers (on the Node thread, in the loader's pass) and
 * seals each full chunk; a ChunkSink takes it — NativeChunkSink copies it into DuckDB's data
 * chunk and appends it (on the thread that owns the connection: duck-worker.ts), or the chunk
 * is posted there with its buffers moved (duck-link.ts).
 *
 * Strings of up to 12 ASCII bytes are inlined in their string_t (DuckDB's public duckdb_string_t
 * layout: length, then the bytes, zero-padded). Longer ones are assigned through the C API once
 * per distinct value per chunk; the rows repeating a value get a copy of its string_t, which
 * points into the same vector's string heap (as DuckDB's own dictionary flattening does).
 */
import duckdb from '@duckdb/node-bindings';
import { BIGINT, BOOLEAN, DuckDBDataChunk, VARCHAR, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';

export type ColumnKind = 'int' | 'text' | 'bool';

/** rows per data chunk: DuckDB's standard vector size */
const CAP = 2048;
const TWO32 = 4294967296;

interface TextColumn {
  kind: 'text';
  /** CAP string_t structs */
  data: Uint8Array<ArrayBuffer>;
  /** the same memory as 32-bit words (4 per string_t) */
  words: Uint32Array<ArrayBuffer>;
  /**
   * the bytes of the chunk's long strings written by dictRange(), handed to DuckDB as ONE string
   * when the chunk is flushed; their string_t's pointers are then set to where it landed
   */
  heap: Uint8Array<ArrayBuffer>;
  heapUsed: number;
  /** [row, heap offset] pairs of the rows whose pointer is set at the flush */
  fix: number[];
  /**
   * the chunk's generation, unique among every column of every appender (a TextDict may serve
   * several columns, e.g. the tenant of each log type's table): a TextDict's heap offset is
   * valid only in the column and chunk whose generation it was stamped with
   */
  gen: number;
  /** value -> first row holding it, for the strings assigned through the C API */
  long: Map<string, number>;
  /** rows whose string_t is copied from `long`'s row: [row, source row] pairs */
  copies: number[];
}
interface IntColumn {
  kind: 'int';
  lo: Uint32Array;
  hi: Int32Array;
  buf: ArrayBuffer;
}
interface BoolColumn {
  kind: 'bool';
  data: Uint8Array<ArrayBuffer>;
}
type Column = (TextColumn | IntColumn | BoolColumn) & { validity: Uint8Array<ArrayBuffer>; nulls: boolean };

/** chunk generations handed out so far (TextColumn.gen) */
let generations = 0;

/**
 * Writes `v` at `off` as an inline string_t (length, then the bytes, zero-padded) when it is at
 * most 12 ASCII characters; false otherwise (the 12 bytes after the length are then undefined).
 */
function inlineAscii(d: Uint8Array, off: number, v: string): boolean {
  const n = v.length;
  if (n > 12) return false;
  for (let i = 0; i < n; i++) {
    const ch = v.charCodeAt(i);
    if (ch > 127) return false;
    d[off + 4 + i] = ch;
  }
  d[off] = n;
  d[off + 1] = 0;
  d[off + 2] = 0;
  d[off + 3] = 0;
  d.fill(0, off + 4 + n, off + 16);
  return true;
}

const typeOf = (k: ColumnKind): DuckDBType => (k === 'int' ? BIGINT : k === 'bool' ? BOOLEAN : VARCHAR);

/**
 * A full chunk as the JS half leaves it: per column its buffer of CAP values (int64 words,
 * bytes, or string_t's with the long strings' pointers still to set), its validity bits when it
 * has nulls, and for text the long strings to assign. Plain data: it can cross to the thread
 * that owns DuckDB (duck-link.ts) with its buffers moved, not copied.
 */
export interface SealedColumn {
  kind: ColumnKind;
  data: ArrayBuffer;
  validity: ArrayBuffer | null;
  /** the chunk's long strings written by dictRange(), and [row, heap offset] pairs of the rows pointing into them */
  heap: Uint8Array<ArrayBuffer> | null;
  fix: Int32Array<ArrayBuffer> | null;
  /** strings assigned through the C API (text()), the first row of each, and [row, source row] pairs repeating them */
  long: string[] | null;
  longRows: Int32Array<ArrayBuffer> | null;
  copies: Int32Array<ArrayBuffer> | null;
}
export interface SealedChunk {
  n: number;
  cols: SealedColumn[];
}

/** where full chunks go: DuckDB's appender here (NativeChunkSink) or on the thread that owns DuckDB (duck-link.ts) */
export interface ChunkSink {
  /** takes a chunk; true when it kept the chunk's buffers (the appender then makes new ones) */
  write(chunk: SealedChunk): boolean;
  /** after the last chunk: the appender's rows go into its table */
  close(): void;
}

/** the sizes of a column's buffers: validity bits, booleans, int64 words, string_t's */
const BUFFER_SIZES = [CAP / 8, CAP, 8 * CAP, 16 * CAP];
/** at most this many spare buffers of each size (32 MiB of string_t's) */
const SPARE_MAX = 1024;
/**
 * Buffers of chunks DuckDB's thread has copied, sent back (duck-link.ts) for new chunks: a chunk
 * moved there leaves its buffers behind, and allocating new ones for every chunk (~0.7 MB per
 * 2048 access events) cost the Node thread zeroed memory and garbage collections.
 */
const spare = new Map<number, ArrayBuffer[]>(BUFFER_SIZES.map((n) => [n, []]));

/** takes back buffers of sealed chunks that were copied into DuckDB (other sizes are left to the GC) */
export function recycleBuffers(buffers: readonly ArrayBuffer[]): void {
  for (const b of buffers) {
    const pool = spare.get(b.byteLength);
    if (pool && pool.length < SPARE_MAX) pool.push(b);
  }
}

/** spare buffers taken for new chunks so far */
let reused = 0;

/** the spare buffers there are and how many were taken so far (tests) */
export function bufferStats(): { spare: number; reused: number } {
  let n = 0;
  for (const pool of spare.values()) n += pool.length;
  return { spare: n, reused };
}

/** a buffer of `size` bytes, spare or new: its old content stays (every row is written before a chunk is sealed) */
function bufferOf(size: number): ArrayBuffer {
  const b = spare.get(size)?.pop();
  if (!b) return new ArrayBuffer(size);
  reused++;
  return b;
}

const emptyColumn = (k: ColumnKind): Column => {
  const validity = new Uint8Array(bufferOf(CAP / 8)).fill(0xff);
  if (k === 'text') {
    const data = new Uint8Array(bufferOf(16 * CAP));
    return { kind: 'text', data, words: new Uint32Array(data.buffer), heap: new Uint8Array(4096), heapUsed: 0, fix: [], gen: generations++, long: new Map(), copies: [], validity, nulls: false };
  }
  if (k === 'bool') return { kind: 'bool', data: new Uint8Array(bufferOf(CAP)), validity, nulls: false };
  const buf = bufferOf(8 * CAP);
  return { kind: 'int', lo: new Uint32Array(buf), hi: new Int32Array(buf), buf, validity, nulls: false };
};

/**
 * The JS half: rows and column ranges written into the buffers of one chunk, handed to the sink
 * each time CAP rows are there (and at close()).
 */
export class ChunkAppender {
  private cols: Column[];
  private row = 0;
  /** rows appended in all */
  appended = 0;

  constructor(
    private readonly sink: ChunkSink,
    private readonly kinds: readonly ColumnKind[],
  ) {
    this.cols = kinds.map(emptyColumn);
  }

  private setNull(c: Column): void {
    c.validity[this.row >> 3]! &= ~(1 << (this.row & 7));
    c.nulls = true;
  }

  /** an integer (a safe integer; fractions are truncated) or null */
  int(col: number, v: number | null | undefined): void {
    const c = this.cols[col] as IntColumn & Column;
    if (v === null || v === undefined) {
      this.setNull(c);
      c.lo[2 * this.row] = 0;
      c.hi[2 * this.row + 1] = 0;
      return;
    }
    const t = Math.trunc(v);
    c.lo[2 * this.row] = t >>> 0;
    c.hi[2 * this.row + 1] = Math.floor(t / TWO32);
  }

  bool(col: number, v: boolean | null | undefined): void {
    const c = this.cols[col] as BoolColumn & Column;
    if (v === null || v === undefined) {
      this.setNull(c);
      c.data[this.row] = 0;
    } else c.data[this.row] = v ? 1 : 0;
  }

  text(col: number, v: string | null | undefined): void {
    const c = this.cols[col] as TextColumn & Column;
    const off = 16 * this.row;
    const d = c.data;
    if (v === null || v === undefined) {
      this.setNull(c);
      d.fill(0, off, off + 16);
      return;
    }
    if (inlineAscii(d, off, v)) return;
    const first = c.long.get(v);
    if (first === undefined) c.long.set(v, this.row);
    else c.copies.push(this.row, first);
  }

  /** rows that still fit in the current chunk (the most a range may write before advance()) */
  get room(): number {
    return CAP - this.row;
  }

  /** `k` integers (or null, or NaN for null) of `values` from index `from`, into the rows from the current one; null values: every row null */
  intRange(col: number, values: ArrayLike<number | null> | null, from: number, k: number): void {
    const c = this.cols[col] as IntColumn & Column;
    const lo = c.lo;
    const hi = c.hi;
    let r = this.row;
    for (let j = from; j < from + k; j++, r++) {
      const v = values === null ? null : values[j];
      // NaN: a null in a Float64Array column (a batch moved to the DuckDB worker)
      if (v === null || v === undefined || v !== v) {
        c.validity[r >> 3]! &= ~(1 << (r & 7));
        c.nulls = true;
        lo[2 * r] = 0;
        hi[2 * r + 1] = 0;
      } else {
        lo[2 * r] = v >>> 0;
        hi[2 * r + 1] = Math.floor(v / TWO32);
      }
    }
  }

  boolRange(col: number, values: ArrayLike<boolean | null> | null, from: number, k: number): void {
    const c = this.cols[col] as BoolColumn & Column;
    let r = this.row;
    for (let j = from; j < from + k; j++, r++) {
      const v = values === null ? null : values[j];
      if (v === null || v === undefined) {
        c.validity[r >> 3]! &= ~(1 << (r & 7));
        c.nulls = true;
        c.data[r] = 0;
      } else c.data[r] = v ? 1 : 0;
    }
  }

  /**
   * `k` rows of text given as indexes into a dictionary (`idx[from..]`; a negative index, or
   * idx null, is a null), into the rows from the current one. A long string's bytes go into the
   * chunk's heap once per chunk however many rows repeat it.
   */
  dictRange(col: number, dict: TextDict, idx: ArrayLike<number> | null, from: number, k: number): void {
    const c = this.cols[col] as TextColumn & Column;
    const w = c.words;
    const src = dict.words;
    let r = this.row;
    for (let j = from; j < from + k; j++, r++) {
      const e = idx === null ? -1 : idx[j]!;
      const o = 4 * r;
      if (e < 0) {
        c.validity[r >> 3]! &= ~(1 << (r & 7));
        c.nulls = true;
        w[o] = 0;
        w[o + 1] = 0;
        w[o + 2] = 0;
        w[o + 3] = 0;
        continue;
      }
      const s = 4 * e;
      w[o] = src[s]!;
      w[o + 1] = src[s + 1]!;
      w[o + 2] = src[s + 2]!;
      w[o + 3] = src[s + 3]!;
      const bytes = dict.long[e];
      if (bytes === undefined || bytes === null) continue;
      let at = dict.stamp[e] === c.gen ? dict.offset[e]! : -1;
      if (at < 0) {
        at = c.heapUsed;
        if (at + bytes.length > c.heap.length) {
          const grown = new Uint8Array(Math.max(2 * c.heap.length, at + bytes.length));
          grown.set(c.heap.subarray(0, at));
          c.heap = grown;
        }
        c.heap.set(bytes, at);
        c.heapUsed = at + bytes.length;
        dict.stamp[e] = c.gen;
        dict.offset[e] = at;
      }
      c.fix.push(r, at);
    }
  }

  /** moves past `k` rows written by the range methods (every column must have been given them) */
  advance(k: number): void {
    this.row += k;
    if (this.row === CAP) this.flushChunk();
  }

  /** ends the current row (every column must have been given a value) */
  endRow(): void {
    this.row++;
    if (this.row === CAP) this.flushChunk();
  }

  /** hands the rows buffered to the sink; `last`: no chunk follows (no new buffers) */
  private flushChunk(last = false): void {
    const n = this.row;
    if (n === 0) return;
    const cols = this.cols.map((c): SealedColumn => {
      const validity = c.nulls ? c.validity.buffer : null;
      if (c.kind === 'int') return { kind: 'int', data: c.buf, validity, heap: null, fix: null, long: null, longRows: null, copies: null };
      if (c.kind === 'bool') return { kind: 'bool', data: c.data.buffer, validity, heap: null, fix: null, long: null, longRows: null, copies: null };
      const sealed: SealedColumn = {
        kind: 'text',
        data: c.data.buffer,
        validity,
        heap: c.heapUsed > 0 ? c.heap.slice(0, c.heapUsed) : null,
        fix: c.fix.length > 0 ? Int32Array.from(c.fix) : null,
        long: c.long.size > 0 ? [...c.long.keys()] : null,
        longRows: c.long.size > 0 ? Int32Array.from(c.long.values()) : null,
        copies: c.copies.length > 0 ? Int32Array.from(c.copies) : null,
      };
      c.heapUsed = 0;
      c.fix.length = 0;
      c.long.clear();
      c.copies.length = 0;
      // a new chunk: the TextDicts' heap offsets stamped with the old generation no longer hold
      c.gen = generations++;
      return sealed;
    });
    if (this.sink.write({ n, cols })) {
      // the sink kept the buffers: new ones for the next chunk (keeping each text column's heap)
      if (!last) {
        this.cols = this.cols.map((c, i) => {
          const fresh = emptyColumn(this.kinds[i]!);
          if (c.kind === 'text' && fresh.kind === 'text') fresh.heap = c.heap;
          return fresh;
        });
      }
    } else {
      for (const c of this.cols) {
        if (c.nulls) c.validity.fill(0xff);
        c.nulls = false;
      }
    }
    this.appended += n;
    this.row = 0;
  }

  /** appends what is buffered and flushes the appender into its table (in the connection's transaction) */
  close(): void {
    this.flushChunk(true);
    this.sink.close();
  }
}

/**
 * The native half: a sealed chunk copied into a DuckDB data chunk (a few memory copies per
 * column; the long strings assigned through the C API) and appended. Runs on the thread that
 * owns the DuckDB connection.
 */
export class NativeChunkSink implements ChunkSink {
  private readonly chunk: DuckDBDataChunk;

  constructor(
    private readonly appender: DuckDBAppender,
    kinds: readonly ColumnKind[],
  ) {
    this.chunk = DuckDBDataChunk.create(kinds.map(typeOf), CAP);
  }

  write(sealed: SealedChunk): boolean {
    const n = sealed.n;
    const raw = this.chunk.chunk;
    duckdb.data_chunk_reset(raw);
    duckdb.data_chunk_set_size(raw, n);
    sealed.cols.forEach((c, i) => {
      const vec = duckdb.data_chunk_get_vector(raw, i);
      if (c.kind !== 'text') duckdb.copy_data_to_vector(vec, 0, c.data, 0, (c.kind === 'int' ? 8 : 1) * n);
      else {
        const data = new Uint8Array(c.data);
        if (c.long && c.longRows) {
          c.long.forEach((v, k) => duckdb.vector_assign_string_element(vec, c.longRows![k]!, v));
          // the assigned string_t's (pointing into the vector's string heap) go into the buffer,
          // for their rows and for the rows repeating them; then the whole buffer goes back
          const snap = duckdb.vector_get_data(vec, 16 * n);
          for (const r of c.longRows) data.set(snap.subarray(16 * r, 16 * r + 16), 16 * r);
          const copies = c.copies ?? EMPTY;
          for (let k = 0; k < copies.length; k += 2) {
            const r = copies[k]!;
            const from = copies[k + 1]!;
            data.set(snap.subarray(16 * from, 16 * from + 16), 16 * r);
          }
        }
        if (c.heap) {
          // one string holding every long string of the chunk, in the vector's string heap; then
          // each row's pointer is its base plus the row's offset (string_t: length, prefix, pointer)
          duckdb.vector_assign_string_element_len(vec, 0, c.heap);
          const head = new Uint32Array(duckdb.vector_get_data(vec, 16).slice(0, 16).buffer);
          const lo = head[2]!;
          const hi = head[3]!;
          const w = new Uint32Array(c.data);
          const fix = c.fix ?? EMPTY;
          for (let k = 0; k < fix.length; k += 2) {
            const r = fix[k]!;
            const sum = lo + fix[k + 1]!;
            w[4 * r + 2] = sum >>> 0;
            w[4 * r + 3] = hi + (sum > 0xffffffff ? 1 : 0);
          }
        }
        duckdb.copy_data_to_vector(vec, 0, c.data, 0, 16 * n);
      }
      if (c.validity) {
        duckdb.vector_ensure_validity_writable(vec);
        duckdb.copy_data_to_vector_validity(vec, 0, c.validity, 0, Math.ceil(n / 64) * 8);
      }
    });
    this.appender.appendDataChunk(this.chunk);
    return false;
  }

  /** the rows appended so far go into the transaction (DuckDB also does it by itself every 204,800 rows) */
  flush(): void {
    this.appender.flushSync();
  }

  close(): void {
    this.appender.flushSync();
    this.appender.closeSync();
  }
}

const EMPTY = new Int32Array(0);

const utf8 = new TextEncoder();

/**
 * A dictionary of strings made ready for dictRange(): each entry's string_t (inline when its
 * UTF-8 is at most 12 bytes, else length and prefix, the pointer set at the flush) and the bytes
 * of the long ones. Built once per dictionary, however many rows and chunks use it.
 */
export class TextDict {
  readonly words: Uint32Array<ArrayBuffer>;
  readonly long: Array<Uint8Array | null>;
  /** the column generation (flush) in which an entry's bytes went into the heap, and where */
  readonly stamp: Int32Array<ArrayBuffer>;
  readonly offset: Int32Array<ArrayBuffer>;
  readonly size: number;

  constructor(values: readonly string[]) {
    const n = values.length;
    this.size = n;
    const bytes = new Uint8Array(16 * n);
    this.words = new Uint32Array(bytes.buffer);
    this.long = new Array<Uint8Array | null>(n).fill(null);
    this.stamp = new Int32Array(n).fill(-1);
    this.offset = new Int32Array(n);
    /** the entries that are not inline ASCII: encoded together below (one call, not one per entry) */
    const rest: number[] = [];
    for (let e = 0; e < n; e++) if (!inlineAscii(bytes, 16 * e, values[e]!)) rest.push(e);
    if (rest.length === 0) return;
    const joined = rest.length === 1 ? values[rest[0]!]! : rest.map((e) => values[e]!).join('');
    // all ASCII (the gateway's usual case): a character is a byte, so each entry is a slice
    const ascii = !NON_ASCII.test(joined);
    const all = ascii ? Buffer.from(joined, 'latin1') : null;
    let at = 0;
    for (const e of rest) {
      const v = values[e]!;
      const o = 16 * e;
      bytes.fill(0, o + 4, o + 16);
      const b = all ? all.subarray(at, at + v.length) : utf8.encode(v);
      at += v.length;
      this.words[4 * e] = b.length;
      if (b.length <= 12) {
        bytes.set(b, o + 4);
        continue;
      }
      bytes.set(b.subarray(0, 4), o + 4);
      this.long[e] = b;
    }
  }
}

const NON_ASCII = /[\u0080-\uffff]/;
