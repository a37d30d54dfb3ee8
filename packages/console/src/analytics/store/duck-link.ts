/**
 * DuckDB on a thread of its own (duck-worker.ts), driven from the Node thread: connections whose
 * statements, queries and appends are posted to that thread and run there in order.
 *
 * Why: at 200k events/s the Node thread has no time to spare (HTTP, batch checks, the journal,
 * the loader's pass in JS: ~3.5 µs per event). DuckDB's part of an append (copying each chunk
 * into DuckDB's vectors, appending it, the appender's flush into the transaction: ~1.5 µs per event
 * measured with --cpu-prof) and its stalls (a flush waits for a running checkpoint) go to that
 * thread. Chunks cross as sealed buffers, moved and not copied (duckdb-chunks.ts ChunkAppender
 * fills them on this side).
 *
 * Failures keep the contract of a connection: a statement rejects with DuckDB's error; a failed
 * append rejects the connection's next statement; the thread's death rejects everything pending
 * and every later call.
 */
import type { Worker } from 'node:worker_threads';
import type { DuckDBValue } from '@duckdb/node-api';
import { ChunkAppender, recycleBuffers, type ChunkSink, type ColumnKind, type SealedChunk } from './duckdb-chunks.js';
import type { DuckCall, DuckRecycle, DuckReply, DuckWorkerInit } from './duck-worker.js';
import { errorFrom, startWorker } from './worker-start.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class DuckLink {
  private seq = 0;
  private conns = 0;
  private appenders = 0;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private stopped: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: DuckReply | DuckRecycle) => {
      if ('recycle' in m) {
        recycleBuffers(m.recycle);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.ok) p.resolve(m.value);
      else p.reject(errorFrom(m.error));
    });
    const stop = (err: Error): void => {
      this.stopped ??= err;
      for (const p of this.pending.values()) p.reject(this.stopped);
      this.pending.clear();
    };
    worker.on('error', (err) => stop(err));
    worker.on('exit', (code) => stop(new Error(`the DuckDB thread stopped (exit code ${code})`)));
    // the thread keeps the process alive only while a call waits for it
    worker.unref();
  }

  /** DuckDB opened on its own thread: `path` a file or ':memory:', `config` DuckDB's settings */
  static async open(path: string, config: Record<string, string>): Promise<DuckLink> {
    const data: Omit<DuckWorkerInit, 'entry'> = { path, config };
    return new DuckLink(await startWorker(new URL('./duck-worker.ts', import.meta.url), data, 'the DuckDB thread'));
  }

  /** an answered call */
  call<T>(msg: DistributiveOmit<Extract<DuckCall, { id: number }>, 'id'>): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.seq++;
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...msg, id });
    });
  }

  /** a call not answered (appends): a failure shows in the connection's next statement */
  post(msg: Exclude<DuckCall, { id: number }>, transfer: ArrayBuffer[] = []): void {
    if (this.stopped) throw this.stopped;
    this.worker.postMessage(msg, transfer);
  }

  async connect(): Promise<DuckConn> {
    const conn = this.conns++;
    await this.call({ op: 'connect', conn });
    return new DuckConn(this, conn, () => this.appenders++);
  }

  /** ms per step on DuckDB's thread since open (appends, flushes, checkpoints, waits) */
  stats(): Promise<Record<string, number>> {
    return this.call({ op: 'stats' });
  }

  /** the DuckDB thread's id in the kernel (Linux; null elsewhere): benchmarks read its CPU time in /proc */
  threadId(): Promise<number | null> {
    return this.call({ op: 'thread' });
  }

  /** closes every connection and the database, then the thread */
  async close(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.call({ op: 'close' });
    } finally {
      this.stopped = new Error('the DuckDB thread is closed');
      await this.worker.terminate();
    }
  }
}

/** Sealed chunks go to DuckDB's thread with their buffers moved. */
class PostedSink implements ChunkSink {
  constructor(
    private readonly link: DuckLink,
    private readonly ap: number,
  ) {}

  write(chunk: SealedChunk): boolean {
    const transfer: ArrayBuffer[] = [];
    for (const c of chunk.cols) {
      transfer.push(c.data);
      if (c.validity) transfer.push(c.validity);
      for (const a of [c.heap, c.fix, c.longRows, c.copies]) if (a) transfer.push(a.buffer);
    }
    this.link.post({ op: 'chunk', ap: this.ap, chunk }, transfer);
    return true;
  }

  close(): void {
    this.link.post({ op: 'appenderClose', ap: this.ap });
  }
}

/** A connection on DuckDB's thread: its calls run there one after the other, in this order. */
export class DuckConn {
  constructor(
    private readonly link: DuckLink,
    private readonly id: number,
    private readonly nextAppender: () => number,
  ) {}

  run(sql: string, params: DuckDBValue[] = []): Promise<{ rowsChanged: number }> {
    return this.link.call({ op: 'run', conn: this.id, sql, params, read: 'changed' });
  }

  /** the result's rows as arrays (DuckDB's value objects as numbers or text) */
  rows(sql: string, params: DuckDBValue[] = []): Promise<unknown[][]> {
    return this.link.call({ op: 'run', conn: this.id, sql, params, read: 'rows' });
  }

  /** the result's rows as objects by column name */
  objects(sql: string, params: DuckDBValue[] = []): Promise<Array<Record<string, unknown>>> {
    return this.link.call({ op: 'run', conn: this.id, sql, params, read: 'objects' });
  }

  /** CHECKPOINT on this connection; appender flushes on other connections wait for it on DuckDB's thread, not here */
  checkpoint(): Promise<void> {
    return this.link.call({ op: 'checkpoint', conn: this.id });
  }

  /** an appender into `table` (in the connection's transaction, if one is open when it is made) */
  appender(table: string, kinds: readonly ColumnKind[]): ChunkAppender {
    const ap = this.nextAppender();
    this.link.post({ op: 'appender', conn: this.id, ap, table, kinds: [...kinds] });
    return new ChunkAppender(new PostedSink(this.link, ap), kinds);
  }

  close(): Promise<void> {
    return this.link.call({ op: 'disconnect', conn: this.id });
  }
}
