/**
 * DuckDB event store (@duckdb/node-api, columnar), fed through a durable ingest journal:
 * ingest() appends the batch to the journal (ingest-journal.ts) and acknowledges it once an
 * fdatasync covers it; a background loader takes the journal a segment at a time into DuckDB in
 * one transaction per segment (raw events, rollup deltas, batch records, the segment's number),
 * in one pass in JS over the batches (duckdb-loader.ts: columnar appends, rollups summed in JS),
 * taken from memory when the segment was written by this process, else read back from its file;
 * the per-transaction cost is shared by every batch of the segment. DuckDB itself runs on a
 * thread of its own (duck-link.ts): the loader's pass fills DuckDB's vectors in JS on the Node
 * thread and hands each full chunk over; appends, flushes, commits and queries run there.
 * A load starts a while after a batch arrives (loadDelayMs, 3 s), at once when enough events
 * are in the current segment (500,000), and before every query: a query sees every batch
 * acknowledged before it started.
 * Resent batches are found in memory (batches not loaded yet or acknowledged in the last ten
 * minutes) or in ingested_batches, which is only asked when the batch's key hash is among those
 * of the stored batches (kept in memory); the load also drops any batch ingested_batches already
 * holds. When more than maxUnloadedEvents wait for the loader, ingest() refuses (back-pressure).
 *
 * The rollup rows are kept in one table per grain (rollups_minute, _hour, _day: a month of day
 * rows is a small scan, not a pass over every minute row) with no primary key: an upsert through DuckDB's ART index costs more
 * than the rest of the load, so each load appends its deltas and every rollup query SUMs them
 * (it does anyway). Compaction merges the rows of the buckets touched since the last compaction
 * once enough delta rows piled up (250,000, or as many as the last compaction left, if more), so
 * the table stays under about two rows per key and bucket.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { DuckDBValue } from '@duckdb/node-api';
import { LOG_TYPES, batchEventCount } from '@mamori/policy';
import { DuckLink, type DuckConn } from './duck-link.js';
import { EventStoreOverloadedError, type IngestBatch, type IngestHooks, type IngestOptions, type IngestResult } from './event-store.js';
import { journalLine, journalLineOfRaw, loadBatches, readSegment, type JournalBatch, type LoadResult } from './duckdb-loader.js';
import { ROLLUP_COLUMNS, rollupTableOf } from './rollup-sql.js';
import { IngestJournal, type JournalSegment } from './ingest-journal.js';
import type { Sql } from './sql-builder.js';
import { BATCHES_DDL, SqlEventStore, eventTableDdl, type Row } from './sql-event-store.js';
import { GRAINS, type Grain } from './rollups.js';

export interface DuckDbEventStoreOptions {
  /** file path, or ':memory:' */
  path: string;
  /** the ingest journal's directory (default: the database path + ".journal"; a temp dir for ':memory:') */
  journalDir?: string;
  hooks?: IngestHooks;
  now?: () => number;
  /**
   * DuckDB's threads (default: the machine's cores less one, at least one: defaultDuckDbThreads).
   * The loader's JS and the ingest path run on the Node thread, DuckDB's appends on its own JS
   * thread (duck-link.ts); a DuckDB thread per core besides competes with them for the CPU during
   * loads (commit, checkpoint) and costs more CPU than it saves (2 cores, 8M events offered at
   * 200k/s with DuckDB's thread: threads 2 kept up with 125k/s, 1 with 180-195k/s).
   */
  threads?: number;
  /**
   * compact the rollup rows after this many appended delta rows (default 250,000), or after as
   * many as the last compaction left in the buckets it merged, if more: each compaction then
   * merges at most about twice the rows it rewrites, whatever the spread of the events
   */
  compactAfterRows?: number;
  /**
   * ms between the first unloaded batch and its load (default 3000). A query loads everything
   * acknowledged before it first, whatever this delay: it only sets how big background loads get
   * (at 1 s, a stream of 200k/s was loaded in 200k-event pieces, which DuckDB writes through its
   * WAL and checkpoints again: see loadAtEvents).
   */
  loadDelayMs?: number;
  /**
   * load at once when this many events are in the current journal segment (default 500,000).
   * Loads cost less per event the bigger they are (appenders, commit, fewer rollup delta rows),
   * and above all: a table that gets more than a row group (122,880 rows) in one transaction is
   * written by DuckDB straight into the database file at commit (optimistic writes) instead of
   * through the WAL, then again by a checkpoint. With 500k-event loads the two big tables
   * (access ~45 %, bandwidth ~35 % of generateEvents' events) go that way: the WAL grows ~50
   * bytes per event instead of ~180, and a checkpoint (3-4 s per 256MB of WAL, which holds up the
   * loads' appender flushes) comes every ~5M events instead of every ~1.4M (events-bench, 3M
   * events closed loop: 247k/s loaded, no checkpoint, against 155-215k/s with 250k and 1 s).
   */
  loadAtEvents?: number;
  /** refuse batches while this many events wait for the loader (default 2,000,000) */
  maxUnloadedEvents?: number;
  /**
   * the loader takes batches from memory while at most this many events wait (default: as many as
   * maxUnloadedEvents lets wait); beyond, it reads the journal back and parses it again. Parsed
   * batches in columns hold ~165 bytes of heap per event (2M events: ~315 MiB, measured with
   * generateEvents' batches); reading them back cost ~1.3 µs per event on the Node thread, exactly
   * when the loader was behind (500,000 before: a burst of 1.4M events made the loader slower still).
   */
  keepParsedEvents?: number;
  /**
   * The size of DuckDB's WAL at which the loader checkpoints, between two loads (default '256MB';
   * DuckDB's own checkpoint_threshold is 16MB, and is set here to four times this value, so that it
   * only acts if the loader's checkpoints keep failing). A segment load of ~100k events writes more
   * WAL than 16MB: with DuckDB's default every load's commit checkpointed, rewriting the tables'
   * open row groups each time (0.4-1.1 s per 80k-event load here, against ~0.15 s without). A
   * checkpoint of ~1M events takes 3-4 s on one thread; when DuckDB ran it at the end of a commit
   * it also blocked the next load's appends on the Node thread (events-bench --ingest 3000000:
   * 2-4 s per checkpoint), so the loader runs it itself beside the next load, whose appends only
   * wait for it at their flush (checkpointIfDue). The WAL is replayed when the store opens after a crash.
   */
  checkpointThreshold?: string;
}

/**
 * DuckDB's threads by default: every core but one, which stays for the Node thread (HTTP, checks,
 * journal, the loader's JS). On the 2-core machine this was measured on, that is one thread: 1M
 * events over 1 h through the store (bench/src/events-bench.ts --threads 1|2, three runs each,
 * alternating) were acknowledged and loaded at 192.6k/127k/159k events/s with one DuckDB thread
 * and 125k/148k/133k with two (CPU until the last acknowledgement: 6.6-9.0 µs per event against
 * 8.3-10.0); the log-analysis queries over 50M events stayed at p95 43 ms (40.8 ms with two
 * threads, an earlier session).
 */
export function defaultDuckDbThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/** bytes of a size such as '256MB', '1.5GiB' or '4096B' (KB, MB… powers of 1000; KiB, MiB… of 1024) */
export function sizeBytes(size: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(i?)B$/i.exec(size);
  if (!m) throw new Error(`checkpointThreshold: a size such as '256MB' (got ${JSON.stringify(size)})`);
  const power = ' KMGT'.indexOf((m[2] || ' ').toUpperCase());
  return Math.round(Number(m[1]) * (m[3] ? 1024 : 1000) ** power);
}

/** refuse batches while this many events wait for the loader (maxUnloadedEvents' default) */
const MAX_UNLOADED_EVENTS = 2_000_000;

/** DuckDB's default max_vacuum_tasks, for the checkpoint after a purge (vacuum()) */
const VACUUM_TASKS = 100;

/** loadAtEvents' and loadDelayMs' defaults */
const LOAD_AT_EVENTS = 500_000;
const LOAD_DELAY_MS = 3000;

/** compact the rollup rows once this many delta rows were appended since the last compaction */
const COMPACT_AFTER_ROWS = 250_000;

/** batches acknowledged since open stay in memory this long after (then ingested_batches has them) */
const KEEP_KEYS_MS = 10 * 60_000;

/**
 * A 48-bit hash of a batch key. The store keeps the hashes of every batch it holds in memory
 * (a few bytes per batch), so a new batch needs no lookup in ingested_batches; only a hash that
 * is already there (a resend, or rarely a collision) is looked up.
 */
function keyHash(key: string): number {
  return createHash('sha1').update(key).digest().readUIntBE(0, 6);
}

const rollupRowsDdl = (grain: Grain): string => `CREATE TABLE IF NOT EXISTS ${rollupTableOf(grain)} (
  tenant_id TEXT NOT NULL, grain TEXT NOT NULL, bucket BIGINT NOT NULL, metric TEXT NOT NULL,
  k1 TEXT NOT NULL, k2 TEXT NOT NULL, count BIGINT NOT NULL, bytes_up BIGINT NOT NULL, bytes_down BIGINT NOT NULL)`;

/** the last journal segment whose rows are in the database (segments load in order) */
const JOURNAL_STATE_DDL = 'CREATE TABLE IF NOT EXISTS journal_state (loaded_through BIGINT NOT NULL)';

/** integers bind as BIGINT so that comparisons with BIGINT columns keep zone-map pruning */
function toDuck(params: Sql['params']): DuckDBValue[] {
  return params.map((v) => (typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v));
}

function plain(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** a segment staged (stageSegment) and not committed yet */
interface Staged {
  r: LoadResult;
  t0: number;
  parseMs: number;
}
interface Staging {
  s: JournalSegment;
  conn: DuckConn;
  done: Promise<Staged>;
}

interface Known {
  result: Promise<IngestResult>;
  at: number;
  /** its segment is in the database */
  loaded?: boolean;
}

export class DuckDbEventStore extends SqlEventStore {
  readonly kind = 'duckdb' as const;
  private queue: Promise<unknown> = Promise.resolve();
  /** delta rows appended since the last compaction, and the first bucket they touch per grain */
  private uncompacted = 0;
  private dirtyFrom: Partial<Record<Grain, number>> = {};
  /** rows the last compaction left in the buckets it merged */
  private compactedRows = 0;
  /** batches seen since open (until loaded KEEP_KEYS_MS ago) */
  private readonly known = new Map<string, Known>();
  /** keyHash() of every batch stored or being stored */
  private readonly hashes = new Set<number>();
  /** rotated segments not loaded yet, oldest first */
  private readonly rotated: JournalSegment[] = [];
  /** events appended and not yet loaded */
  private unloaded = 0;
  private loadChain: Promise<void> = Promise.resolve();
  private loadQueued: Promise<void> | null = null;
  /** the segment whose COMMIT runs (loadPending) */
  private committing: Promise<void> | null = null;
  /** the checkpoint that runs (checkpointIfDue), on the writer: compaction and exec() wait for it */
  private checkpointing: Promise<void> | null = null;
  /** which of `loaders` the next segment load uses */
  private turn = 0;
  private loadTimer: NodeJS.Timeout | null = null;
  private closing = false;
  /** events acknowledged and not loaded yet (benchmarks, back-pressure) */
  get backlog(): number {
    return this.unloaded;
  }

  /** what the last segment load did and how long each step took (benchmarks, MAMORI_LOAD_TRACE) */
  lastLoad: { events: number; rollupRows: number; fromMemory: boolean; ms: Record<string, number> } | null = null;
  /** the same summed over every load since open, and the compactions (benchmarks) */
  readonly loadTotals = { loads: 0, events: 0, rollupRows: 0, compactions: 0, checkpoints: 0, vacuums: 0, ms: {} as Record<string, number> };
  private readonly appending = new Set<Promise<unknown>>();

  private constructor(
    private readonly link: DuckLink,
    private readonly writer: DuckConn,
    private readonly reader: DuckConn,
    /** the two connections segment loads alternate on: one commits while the next is appended */
    private readonly loaders: [DuckConn, DuckConn],
    private readonly journal: IngestJournal,
    private readonly tempJournalDir: string | null,
    private readonly opts: DuckDbEventStoreOptions,
  ) {
    super();
    this.walFile = opts.path === ':memory:' ? null : `${opts.path}.wal`;
    this.checkpointBytes = sizeBytes(opts.checkpointThreshold ?? '256MB');
  }

  /** DuckDB's WAL (none in memory) and its size at which the loader checkpoints */
  private readonly walFile: string | null;
  private readonly checkpointBytes: number;

  static async open(opts: DuckDbEventStoreOptions): Promise<DuckDbEventStore> {
    const threshold = opts.checkpointThreshold ?? '256MB';
    const thresholdBytes = sizeBytes(threshold);
    const config: Record<string, string> = {};
    config['threads'] = String(opts.threads ?? defaultDuckDbThreads());
    const link = await DuckLink.open(opts.path, config);
    let store: DuckDbEventStore;
    try {
      store = await DuckDbEventStore.setUp(link, opts, thresholdBytes);
    } catch (err) {
      await link.close().catch(() => undefined);
      throw err;
    }
    return store;
  }

  private static async setUp(link: DuckLink, opts: DuckDbEventStoreOptions, thresholdBytes: number): Promise<DuckDbEventStore> {
    const writer = await link.connect();
    // the loader checkpoints between loads (checkpointIfDue); DuckDB's own, at the end of a
    // commit, only if the WAL got four times bigger than that (a checkpoint that kept failing)
    await writer.run(`SET checkpoint_threshold = '${4 * thresholdBytes}B'`);
    // no vacuum in the checkpoints beside the loads: every load leaves a partly filled row group per
    // big table (written at its commit), and vacuuming merged them all again at each checkpoint, whose
    // time then grew with the store (16M events at full speed: two checkpoints of 4 and 20 s, 179k/s
    // loaded; without: 4 s each, 209k/s). Deleted rows (retention) are vacuumed after each purge.
    await writer.run(`SET max_vacuum_tasks = 0`);
    for (const t of LOG_TYPES) await writer.run(eventTableDdl(t, 'duckdb'));
    for (const g of GRAINS) await writer.run(rollupRowsDdl(g));
    // stores made before the rollups were kept per grain have one `rollups` table (the oldest
    // with a primary key): its rows move to the grain tables
    const old = await writer.rows("SELECT 1 FROM duckdb_tables() WHERE table_name = 'rollups' AND schema_name = 'main' AND NOT temporary");
    if (old.length > 0) {
      await writer.run('BEGIN TRANSACTION');
      for (const g of GRAINS) await writer.run(`INSERT INTO ${rollupTableOf(g)} (${ROLLUP_COLUMNS}) SELECT ${ROLLUP_COLUMNS} FROM rollups WHERE grain = '${g}' ORDER BY tenant_id, metric, bucket`);
      await writer.run('DROP TABLE rollups');
      await writer.run('COMMIT');
    }
    await writer.run(BATCHES_DDL);
    await writer.run(JOURNAL_STATE_DDL);
    await writer.run('DROP TABLE IF EXISTS rollup_staging');
    const state = (await writer.objects('SELECT MAX(loaded_through) AS s FROM journal_state'))[0]?.['s'];
    if (state === null || state === undefined) await writer.run('INSERT INTO journal_state VALUES (0)');
    const loadedThrough = state === null || state === undefined ? 0 : Number(state);
    const reader = await link.connect();
    const loaders: [DuckConn, DuckConn] = [await link.connect(), await link.connect()];
    const temp = opts.journalDir ? null : opts.path === ':memory:' ? fs.mkdtempSync(`${os.tmpdir()}/mamori-duck-journal-`) : null;
    const dir = opts.journalDir ?? temp ?? `${opts.path}.journal`;
    const { journal, leftover } = IngestJournal.open(dir, loadedThrough);
    const store = new DuckDbEventStore(link, writer, reader, loaders, journal, temp, opts);
    // a crash left acknowledged batches in the journal: load them before taking new ones
    for (const seg of leftover) {
      if (seg.seq <= loadedThrough) fs.rmSync(seg.file, { force: true });
      else store.rotated.push(seg);
    }
    if (store.rotated.length > 0) await store.flush();
    const keys = await reader.rows('SELECT tenant_id, gateway_id, batch_id FROM ingested_batches');
    for (const r of keys) store.hashes.add(keyHash(`${String(r[0])}\u0000${String(r[1])}\u0000${String(r[2])}`));
    return store;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  ingest(tenantId: string, batch: IngestBatch, opts?: IngestOptions): Promise<IngestResult> {
    const key = `${tenantId}\u0000${batch.gatewayId}\u0000${batch.batchId}`;
    const known = this.known.get(key);
    if (known) return known.result.then((r) => ({ accepted: r.accepted, duplicate: true }));
    if (this.closing) return Promise.reject(new Error('the event store is closed'));
    const max = this.opts.maxUnloadedEvents ?? MAX_UNLOADED_EVENTS;
    if (this.unloaded > 0 && this.unloaded + batchEventCount(batch) > max) {
      this.requestLoad().catch(() => undefined);
      return Promise.reject(new EventStoreOverloadedError(`${this.unloaded} events wait to be loaded into the event store`));
    }
    const entry: Known = { result: this.append(tenantId, batch, key, opts?.rawJson), at: (this.opts.now ?? Date.now)() };
    this.known.set(key, entry);
    const done = entry.result.then(
      () => undefined,
      () => {
        if (this.known.get(key) === entry) this.known.delete(key);
      },
    );
    this.appending.add(done);
    void done.finally(() => this.appending.delete(done));
    return entry.result;
  }

  private async append(tenantId: string, batch: IngestBatch, key: string, rawJson?: Buffer): Promise<IngestResult> {
    const n = batchEventCount(batch);
    this.unloaded += n;
    try {
      const h = keyHash(key);
      const maybeStored = this.hashes.has(h);
      this.hashes.add(h);
      if (maybeStored) {
        const seen = await this.reader.objects('SELECT accepted FROM ingested_batches WHERE tenant_id = ? AND gateway_id = ? AND batch_id = ?', [tenantId, batch.gatewayId, batch.batchId]);
        const prev = seen[0];
        if (prev) {
          this.unloaded -= n;
          return { accepted: Number(prev['accepted']), duplicate: true };
        }
      }
      // the body as received when there is one (no second serialisation), else the batch as JSON
      const line = rawJson ? journalLineOfRaw(tenantId, rawJson) : journalLine(tenantId, batch);
      await this.opts.hooks?.afterEventsWritten?.(n);
      const keep = this.unloaded <= (this.opts.keepParsedEvents ?? this.opts.maxUnloadedEvents ?? MAX_UNLOADED_EVENTS);
      await this.journal.append(line, n, key, keep ? ({ tenantId, batch } satisfies JournalBatch) : undefined);
    } catch (err) {
      this.unloaded -= n;
      throw err;
    }
    this.scheduleLoad();
    return { accepted: n, duplicate: false };
  }

  private scheduleLoad(): void {
    // the events of the current segment only: a load takes all of it, so that each load is that big
    // (counting those of segments already on their way made a load queued behind a running one
    // take what came meanwhile, often half as many)
    if (this.journal.pendingEvents >= (this.opts.loadAtEvents ?? LOAD_AT_EVENTS)) {
      this.requestLoad().catch(() => undefined);
      return;
    }
    if (this.loadTimer) return;
    this.loadTimer = setTimeout(() => {
      this.loadTimer = null;
      this.requestLoad().catch(() => undefined);
    }, this.opts.loadDelayMs ?? LOAD_DELAY_MS);
    this.loadTimer.unref();
  }

  /**
   * Loads everything acknowledged so far (a request made while a load runs gets the next one;
   * requests made before that next one starts share it).
   */
  private requestLoad(): Promise<void> {
    if (this.loadQueued) return this.loadQueued;
    const p = this.loadChain.then(() => {
      this.loadQueued = null;
      return this.serialize(() => this.loadPending());
    });
    this.loadQueued = p;
    this.loadChain = p.catch(() => undefined);
    return p;
  }

  /** Waits until every batch acknowledged so far is loaded (best effort: a failing load is retried later). */
  private async visible(): Promise<void> {
    if (this.rotated.length === 0 && !this.journal.hasPending && !this.loadQueued && !this.committing) return;
    await this.requestLoad().catch(() => undefined);
    await this.committed().catch(() => undefined);
  }

  /**
   * Loads the rotated segments in order. Each is appended in a transaction of its own on one of
   * two connections, and its COMMIT (DuckDB writes the WAL on a pool thread) runs while the next
   * segment is appended on the other: a segment commits only after the one before it did, and a
   * failed commit rolls back the next one too (both stay in the journal for the next load).
   * The last commit may still run when this returns: flush() and queries wait for it.
   */
  private async loadPending(): Promise<void> {
    if (this.loadTimer) {
      clearTimeout(this.loadTimer);
      this.loadTimer = null;
    }
    await this.maybeCompact();
    const seg = await this.journal.rotate();
    if (seg) this.rotated.push(seg);
    // run ahead by one: a segment is committed after the next one's pass has posted its rows, so
    // that while DuckDB's thread waits (a checkpoint holds up the appenders' flush) the Node
    // thread fills the next segment's chunks, which DuckDB's thread appends meanwhile
    let ahead: Staging | null = null;
    let next = 0;
    try {
      while (next < this.rotated.length || ahead) {
        let cur: Staging | null = null;
        if (next < this.rotated.length) {
          this.checkpointIfDue();
          const s = this.rotated[next++]!;
          const conn = this.loaders[this.turn]!;
          this.turn = this.turn === 0 ? 1 : 0;
          cur = { s, conn, done: (await this.stageSegment(conn, s)).done };
        }
        if (ahead) {
          const a = ahead;
          ahead = cur;
          const staged = await a.done;
          const before = this.committing;
          if (before) {
            try {
              await before;
            } catch (err) {
              await a.conn.run('ROLLBACK').catch(() => undefined);
              throw err;
            }
          }
          this.rotated.shift();
          next--;
          const c = this.commitSegment(a.conn, a.s, staged);
          this.committing = c;
          const clear = (): void => {
            if (this.committing === c) this.committing = null;
          };
          void c.then(clear, clear);
        } else ahead = cur;
      }
    } catch (err) {
      // the segment staged ahead goes too (loaded again, in order, by the next load)
      if (ahead) await ahead.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    // forget loaded batches received before the window (ingested_batches has them)
    const cutoff = (this.opts.now ?? Date.now)() - KEEP_KEYS_MS;
    for (const [k, v] of this.known) {
      if (v.at >= cutoff) break;
      if (v.loaded) this.known.delete(k);
    }
  }

  /**
   * Merges the loads' rollup rows once enough piled up, after the commit in flight, between loads
   * (a failed compaction only leaves more rows to sum). Measured beside the loads instead (on a
   * connection of its own): two compactions took 9.7 s instead of ~0.3-0.7 s each and the
   * checkpoint 7 s instead of ~4 (8M events offered at 200k/s), so it stays between them.
   */
  private async maybeCompact(): Promise<void> {
    if (this.uncompacted < Math.max(this.opts.compactAfterRows ?? COMPACT_AFTER_ROWS, this.compactedRows)) return;
    await this.committed().catch(() => undefined);
    await this.checkpointing;
    const c = performance.now();
    await this.compactRollups().catch(() => undefined);
    this.loadTotals.compactions++;
    this.loadTotals.ms['compaction (after commit)'] = (this.loadTotals.ms['compaction (after commit)'] ?? 0) + (performance.now() - c);
  }

  /**
   * Starts a checkpoint once DuckDB's WAL reached checkpointThreshold, after the commit in flight;
   * returns it while it runs (else null). The next segment is staged meanwhile: its appends go into
   * the appenders' buffers, which a checkpoint does not hold up, and only the appenders' flush into
   * the transaction (which waits for the checkpoint, blocking the Node thread) waits for it
   * (loadBatches' `checkpoint`). DuckDB's own checkpoint, at the end of a commit, blocked the next
   * load's flush for as long as it wrote (seconds per million events) with the Node thread stuck in
   * it. A failed checkpoint is left to the next load (the WAL stays; DuckDB replays it on open).
   */
  private checkpointIfDue(): Promise<void> | null {
    if (this.checkpointing) return this.checkpointing;
    if (this.walBytes() < this.checkpointBytes) return null;
    const run = (async () => {
      await this.committed().catch(() => undefined);
      const c = performance.now();
      const done = await this.writer.checkpoint().then(
        () => true,
        () => false,
      );
      if (done) this.loadTotals.checkpoints++;
      this.loadTotals.ms['checkpoint (beside the next load)'] = (this.loadTotals.ms['checkpoint (beside the next load)'] ?? 0) + (performance.now() - c);
    })();
    this.checkpointing = run;
    void run.finally(() => {
      if (this.checkpointing === run) this.checkpointing = null;
    });
    return run;
  }

  /** the size of DuckDB's WAL file (0 when there is none) */
  private walBytes(): number {
    if (!this.walFile) return 0;
    try {
      return fs.statSync(this.walFile).size;
    } catch {
      return 0;
    }
  }

  /** waits for the commit in flight, if any (its failure is thrown) */
  private async committed(): Promise<void> {
    while (this.committing) await this.committing;
  }

  /**
   * A segment's rows appended in an open transaction on `w`: resolves once the loader's pass has
   * posted them, with `done`, which resolves once DuckDB's thread has appended every one (the
   * transaction rolled back if anything failed).
   */
  private async stageSegment(w: DuckConn, seg: JournalSegment): Promise<{ done: Promise<Staged> }> {
    const t0 = performance.now();
    const batches = seg.payloads ? (seg.payloads as JournalBatch[]) : readSegment(seg.file);
    const parseMs = performance.now() - t0;
    await w.run('BEGIN TRANSACTION');
    let r: LoadResult;
    try {
      r = await loadBatches(w, batches, (this.opts.now ?? Date.now)(), this.opts.hooks?.beforeLoadCommit);
    } catch (err) {
      await w.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    // a row per load (not an UPDATE of one row: two loads' transactions overlap, and would conflict on it);
    // answered after every row posted before it, and with the failure of any of them
    const done = w.run('INSERT INTO journal_state VALUES (?)', [BigInt(seg.seq)]).then(
      () => ({ r, t0, parseMs }),
      async (err: unknown) => {
        await w.run('ROLLBACK').catch(() => undefined);
        throw err;
      },
    );
    // awaited by the load loop (a failure before then is not unhandled)
    done.catch(() => undefined);
    return { done };
  }

  /** commits a staged segment; then its batches count as loaded and its file goes */
  private async commitSegment(w: DuckConn, seg: JournalSegment, staged: Staged): Promise<void> {
    const { r, t0, parseMs } = staged;
    const c = performance.now();
    try {
      await w.run('COMMIT');
    } catch (err) {
      await w.run('ROLLBACK').catch(() => undefined);
      // loaded again, first, by the next load
      this.rotated.unshift(seg);
      throw err;
    }
    const commitMs = performance.now() - c;
    this.unloaded -= seg.events;
    for (const k of seg.keys) {
      const e = this.known.get(k);
      if (e) e.loaded = true;
    }
    this.uncompacted += r.rollupRows;
    for (const g of GRAINS) {
      const b = r.touched[g];
      if (b !== undefined && !(this.dirtyFrom[g]! <= b)) this.dirtyFrom[g] = b;
    }
    this.lastLoad = { events: r.events, rollupRows: r.rollupRows, fromMemory: seg.payloads !== null, ms: { [seg.payloads ? 'batches from memory' : 'read + parse segment']: parseMs, ...r.timing, commit: commitMs, total: performance.now() - t0 } };
    const tot = this.loadTotals;
    tot.loads++;
    tot.events += r.events;
    tot.rollupRows += r.rollupRows;
    for (const [k, v] of Object.entries(this.lastLoad.ms)) tot.ms[k] = (tot.ms[k] ?? 0) + v;
    const T = process.env['MAMORI_LOAD_TRACE'] ? this.lastLoad : null;
    if (T) process.stderr.write(`load ${seg.seq}: ${T.events} events, ${T.rollupRows} rollup rows, WAL ${this.walBytes()} bytes: ${Object.entries(T.ms).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}\n`);
    fs.rmSync(seg.file, { force: true });
  }

  /**
   * Merges the rollup rows of every bucket touched since the last compaction into one row per
   * key (one transaction; readers see either the old rows or the merged ones, same sums).
   * Runs on the writer, between loads. Also drops the journal_state rows older than the newest.
   */
  private async compactRollups(): Promise<void> {
    const grains = Object.entries(this.dirtyFrom) as Array<[Grain, number]>;
    this.uncompacted = 0;
    this.dirtyFrom = {};
    if (grains.length === 0) return;
    const w = this.writer;
    await w.run('BEGIN TRANSACTION');
    let merged = 0;
    try {
      for (const [g, b] of grains) {
        const table = rollupTableOf(g);
        const where = `bucket >= ${BigInt(b).toString()}`;
        await w.run(`CREATE OR REPLACE TEMP TABLE rollup_merge AS SELECT tenant_id, grain, bucket, metric, k1, k2, SUM(count)::BIGINT AS count, SUM(bytes_up)::BIGINT AS bytes_up, SUM(bytes_down)::BIGINT AS bytes_down FROM ${table} WHERE ${where} GROUP BY ALL`);
        await w.run(`DELETE FROM ${table} WHERE ${where}`);
        // clustered by tenant, metric and bucket, so that zone maps skip most row groups
        merged += Number((await w.run(`INSERT INTO ${table} SELECT * FROM rollup_merge ORDER BY tenant_id, metric, bucket`)).rowsChanged);
        await w.run('DROP TABLE rollup_merge');
      }
      // journal_state gets a row per load; the newest is the one that counts
      await w.run('DELETE FROM journal_state WHERE loaded_through < (SELECT MAX(loaded_through) FROM journal_state)');
      await w.run('COMMIT');
    } catch (err) {
      await w.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
    this.compactedRows = merged;
  }

  /**
   * Retention: the rows before the cutoff go (SqlEventStore), then, when any went, a checkpoint
   * that vacuums (the loads' checkpoints do not: see open()), so that their space is reused.
   */
  override async purgeBefore(tenantId: string, cutoffMs: number): Promise<number> {
    const n = await super.purgeBefore(tenantId, cutoffMs);
    // best effort: the rows are gone either way, and the next purge vacuums again
    if (n > 0) await this.vacuum().catch(() => undefined);
    return n;
  }

  /** A checkpoint with vacuum (row groups with deleted rows rewritten, emptied ones dropped), on the writer, between loads. */
  vacuum(): Promise<void> {
    return this.serialize(async () => {
      await this.committed().catch(() => undefined);
      await this.checkpointing;
      const c = performance.now();
      await this.writer.run(`SET max_vacuum_tasks = ${VACUUM_TASKS}`);
      try {
        await this.writer.checkpoint();
        this.loadTotals.vacuums++;
      } finally {
        await this.writer.run('SET max_vacuum_tasks = 0');
        this.loadTotals.ms['vacuum'] = (this.loadTotals.ms['vacuum'] ?? 0) + (performance.now() - c);
      }
    });
  }

  /** Compacts the rollup rows now (tests, maintenance). */
  compact(): Promise<void> {
    return this.serialize(async () => {
      await this.committed().catch(() => undefined);
      await this.checkpointing;
      this.dirtyFrom = { minute: 0, hour: 0, day: 0 };
      await this.compactRollups();
    });
  }

  protected override rollupTable(grain: Grain): string {
    return rollupTableOf(grain);
  }

  protected async all(text: string, params: Sql['params']): Promise<Row[]> {
    await this.visible();
    const rows = await this.reader.objects(text.replace(/ LIKE /g, ' ILIKE '), toDuck(params));
    return rows.map((o) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(o)) out[k] = plain(v);
      return out;
    });
  }

  protected async exec(text: string, params: Sql['params']): Promise<number> {
    await this.visible();
    return this.serialize(async () => {
      // the writer may still run a checkpoint (DuckDB's thread queues the statement behind it anyway)
      await this.checkpointing;
      const r = await this.writer.run(text, toDuck(params));
      return Number(r.rowsChanged);
    });
  }

  /** ms per step on DuckDB's thread since open: chunks appended, appender flushes, checkpoints, waits for them (benchmarks) */
  threadTimes(): Promise<Record<string, number>> {
    return this.link.stats();
  }

  /** the DuckDB thread's id in the kernel (Linux), for benchmarks that read its CPU time */
  threadId(): Promise<number | null> {
    return this.link.threadId();
  }

  /** Loads everything acknowledged so far (tests, benchmarks: the end of an ingestion run). */
  async flush(): Promise<void> {
    await this.requestLoad();
    await this.committed();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.appending]);
    // what is acknowledged goes into the database now; a failed load stays in the journal for the next open
    await this.flush().catch(() => undefined);
    await this.journal.close();
    if (this.loadTimer) clearTimeout(this.loadTimer);
    await this.queue;
    await this.committed().catch(() => undefined);
    await this.checkpointing;
    await this.link.close();
    if (this.tempJournalDir) fs.rmSync(this.tempJournalDir, { recursive: true, force: true });
  }
}
