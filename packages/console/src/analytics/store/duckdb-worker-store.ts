/**
 * The DuckDB event store on a worker thread: the embedded default. The main thread (HTTP, TLS,
 * batch checks, every other console request) hands each batch to the worker as the request
 * body it checked; the worker (duckdb-worker.ts) parses it again and runs DuckDbEventStore:
 * the journal append and its fdatasync, the acknowledgement, the loader's pass and DuckDB's
 * appends, and every query. On this 2-core machine that puts the loader on the second core
 * instead of sharing the event loop with the acknowledgements (bench/src/events-bench.ts
 * measures both stores).
 *
 * Everything DuckDbEventStore guarantees holds unchanged (it is the same code, behind a port):
 * acknowledged after the journal's fdatasync, idempotent by batch id, no loss across a restart,
 * back-pressure (EventStoreOverloadedError crosses the port as itself).
 */
import type { Worker } from 'node:worker_threads';
import { errorFrom, startWorker, type WireError } from './worker-start.js';
import { LOG_TYPES, columnKinds, isEventColumns, type EventColumns, type ListColumn, type TextColumn, type TypeColumns } from '@mamori/policy';
import type { DuckDbEventStore, DuckDbEventStoreOptions } from './duckdb-store.js';
import type { WorkerCall, WorkerInit } from './duckdb-worker.js';
import { EventStoreOverloadedError, type EventStore, type IngestBatch, type IngestHooks, type IngestOptions, type IngestResult, type StoredEvent } from './event-store.js';
import type { GroupRow, LogQuery } from './query-model.js';
import type { RollupQuery, RollupRow } from './rollups.js';
import type { RowCursor } from './sql-builder.js';

export type DuckDbWorkerStoreOptions = Omit<DuckDbEventStoreOptions, 'now'>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { name: string; message: string } };
type HookCall = { hook: keyof IngestHooks; id: number; count: number };

/**
 * A checked batch in columns with its index and integer arrays as typed arrays (integers as
 * Float64Array, NaN for null), so that postMessage moves them instead of copying element by
 * element; the dictionaries and boolean columns are copied. The DuckDB loader reads both shapes.
 */
export function movable(c: EventColumns): { cols: EventColumns; buffers: ArrayBuffer[] } {
  const buffers: ArrayBuffer[] = [];
  const ints = (a: ArrayLike<number>): Int32Array => {
    const t = Int32Array.from(a);
    buffers.push(t.buffer);
    return t;
  };
  const types: EventColumns['types'] = {};
  for (const type of LOG_TYPES) {
    const tc = c.types[type];
    if (!tc) continue;
    const kinds = columnKinds(type);
    const cols: Record<string, unknown> = {};
    for (const [name, col] of Object.entries(tc.cols)) {
      const kind = kinds.get(name);
      if (kind === 'int') {
        const a = col as Array<number | null>;
        const t = new Float64Array(a.length);
        for (let k = 0; k < a.length; k++) t[k] = a[k] ?? Number.NaN;
        buffers.push(t.buffer);
        cols[name] = t;
      } else if (kind === 'text') cols[name] = { d: (col as TextColumn).d, i: ints((col as TextColumn).i) };
      else if (kind === 'list') cols[name] = { d: (col as ListColumn).d, n: ints((col as ListColumn).n), i: ints((col as ListColumn).i) };
      else cols[name] = col;
    }
    types[type] = { n: tc.n, cols: cols as TypeColumns['cols'] };
  }
  return { cols: { ...c, types }, buffers };
}

function toError(e: WireError): Error {
  return e.name === 'EventStoreOverloadedError' ? new EventStoreOverloadedError(e.message) : errorFrom(e);
}

export class DuckDbWorkerStore implements EventStore {
  readonly kind = 'duckdb' as const;
  private seq = 0;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private stopped: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly hooks: IngestHooks,
  ) {
    worker.on('message', (m: Reply | HookCall) => {
      if ('hook' in m) {
        void this.runHook(m);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(toError(m.error));
    });
    const stop = (err: Error): void => {
      this.stopped ??= err;
      for (const p of this.pending.values()) p.reject(this.stopped);
      this.pending.clear();
    };
    worker.on('error', (err) => stop(err));
    worker.on('exit', (code) => stop(new Error(`the event store worker stopped (exit code ${code})`)));
  }

  static async open(opts: DuckDbWorkerStoreOptions): Promise<DuckDbWorkerStore> {
    const { hooks = {}, ...rest } = opts;
    const init: Omit<WorkerInit, 'entry'> = { opts: rest, hooks: Object.keys(hooks) as Array<keyof IngestHooks> };
    const worker = await startWorker(new URL('./duckdb-worker.ts', import.meta.url), init, 'the event store worker', toError);
    return new DuckDbWorkerStore(worker, hooks);
  }

  private async runHook(m: HookCall): Promise<void> {
    try {
      await this.hooks[m.hook]?.(m.count);
      this.worker.postMessage({ hookReply: m.id, ok: true });
    } catch (err) {
      this.worker.postMessage({ hookReply: m.id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private call<T>(msg: DistributiveOmit<WorkerCall, 'id'>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.seq++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  private query<T>(method: Extract<WorkerCall, { op: 'query' }>['method'], ...args: unknown[]): Promise<T> {
    return this.call<T>({ op: 'query', method, args });
  }

  /**
   * The body as received goes to the worker (a copy, moved, not cloned: the worker parses it
   * again); a batch without one (demo data, tests) is cloned.
   */
  ingest(tenantId: string, batch: IngestBatch, opts?: IngestOptions): Promise<IngestResult> {
    if (opts?.rawJson) {
      const raw = new Uint8Array(opts.rawJson);
      if (isEventColumns(batch)) {
        // the checked columns go along (their arrays moved, not copied): the worker need not parse the body again
        const { cols, buffers } = movable(batch);
        return this.call({ op: 'ingest', tenantId, raw, batch: cols }, [raw.buffer, ...buffers]);
      }
      return this.call({ op: 'ingest', tenantId, raw }, [raw.buffer]);
    }
    return this.call({ op: 'ingest', tenantId, batch });
  }

  groupBy(tenantId: string, q: LogQuery): Promise<GroupRow[]> {
    return this.query('groupBy', tenantId, q);
  }

  raw(tenantId: string, q: LogQuery, after?: RowCursor): Promise<StoredEvent[]> {
    return this.query('raw', tenantId, q, after);
  }

  count(tenantId: string, q: Pick<LogQuery, 'type' | 'from' | 'to' | 'filters'>): Promise<number> {
    return this.query('count', tenantId, q);
  }

  rollup(tenantId: string, q: RollupQuery): Promise<RollupRow[]> {
    return this.query('rollup', tenantId, q);
  }

  purgeBefore(tenantId: string, cutoffMs: number): Promise<number> {
    return this.query('purgeBefore', tenantId, cutoffMs);
  }

  lastEventByGateway(tenantId: string): Promise<Record<string, number>> {
    return this.query('lastEventByGateway', tenantId);
  }

  /** Maintenance and benchmark use only (bulk loads): runs a statement with no parameters. */
  execMaintenance(text: string): Promise<number> {
    return this.query('execMaintenance', text);
  }

  /** Loads everything acknowledged so far (tests, benchmarks). */
  flush(): Promise<void> {
    return this.query('flush');
  }

  compact(): Promise<void> {
    return this.query('compact');
  }

  /** the loader's figures (DuckDbEventStore.loadTotals and lastLoad) */
  stats(): Promise<Pick<DuckDbEventStore, 'loadTotals' | 'lastLoad'>> {
    return this.query('stats');
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    await this.query('close');
    await exited;
  }
}
