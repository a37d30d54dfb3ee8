/**
 * The thread that owns DuckDB for DuckLink (duck-link.ts): the database, its connections and
 * appenders live here, so that DuckDB's own work on the JS side — copying a sealed chunk into a
 * data chunk and appending it, the appender's flush into the transaction (where DuckDB sorts the
 * rows into row groups), and waiting on a checkpoint — happens off the Node thread that takes the
 * events in and runs the loader's pass.
 *
 * Every call names a connection; a connection's calls run one after the other in the order they
 * were posted (so a chunk posted before COMMIT is in the transaction COMMIT ends), the
 * connections' calls beside each other as DuckDB allows. Chunks and appender closes are not
 * answered: a failure among them is kept on the connection and is the answer to its next answered
 * call (the loader's next statement, which then rolls the transaction back).
 *
 * A checkpoint holds up an appender's flush into a transaction (measured: 2-4 s for a checkpoint of
 * ~1M events), and that flush blocks the thread that calls it: it would stall every connection
 * here. So an appender's flush at its close waits for a running checkpoint on its connection's
 * queue, the other connections (queries, the next segment's appends) going on; and before
 * DuckDB's own flush every 204,800 rows, a table's appends go on into another DuckDB appender
 * while a checkpoint runs (their rows stay in the appenders' buffers until it is over).
 */
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { NativeChunkSink, type ColumnKind, type SealedChunk } from './duckdb-chunks.js';

export interface DuckWorkerInit {
  entry: string;
  path: string;
  config: Record<string, string>;
}

export type DuckCall =
  | { op: 'connect'; id: number; conn: number }
  | { op: 'run'; id: number; conn: number; sql: string; params: DuckDBValue[]; read: 'changed' | 'rows' | 'objects' }
  | { op: 'checkpoint'; id: number; conn: number }
  | { op: 'appender'; conn: number; ap: number; table: string; kinds: ColumnKind[] }
  | { op: 'chunk'; ap: number; chunk: SealedChunk }
  | { op: 'appenderClose'; ap: number }
  | { op: 'disconnect'; id: number; conn: number }
  | { op: 'stats'; id: number }
  | { op: 'thread'; id: number }
  | { op: 'close'; id: number };

export type DuckReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { name: string; message: string } };
/** a chunk's buffers, copied into DuckDB, sent back for new chunks (duckdb-chunks.ts recycleBuffers) */
export interface DuckRecycle {
  recycle: ArrayBuffer[];
}

/**
 * DuckDB's appender moves its rows into the transaction by itself every 204,800 rows (100
 * chunks); this flushes a chunk before, so that the flush happens where it can wait for a
 * running checkpoint instead of blocking the thread
 */
const FLUSH_ROWS = 204_800 - 2048;

interface Conn {
  c: DuckDBConnection | null;
  queue: Promise<void>;
  /** a failure of an unanswered call, answered to the next answered call */
  failed: Error | null;
}
interface Appender {
  conn: Conn;
  table: string;
  kinds: ColumnKind[];
  /**
   * DuckDB appenders into the table, the last one taking the chunks: while a checkpoint runs, one
   * more is opened instead of flushing the full one (the flush would wait for the checkpoint)
   */
  sinks: NativeChunkSink[];
  /** rows in the last sink since its last flush */
  sinceFlush: number;
}

const port = parentPort!;
const init = workerData as DuckWorkerInit;

/** ms per step on this thread (DuckLink.stats: benchmarks) */
const times: Record<string, number> = {};
const lap = (name: string, t: number): void => {
  times[name] = (times[name] ?? 0) + (performance.now() - t);
};

/** values as the main thread can take them: DuckDB's value objects (decimals, timestamps...) as numbers or text */
function plainValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const d = v as { toDouble?: () => number };
  if (typeof d.toDouble === 'function') return d.toDouble();
  return String(v);
}

/** this thread's id in the kernel (Linux: /proc/thread-self), null elsewhere */
function threadId(): number | null {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return null;
  }
}

const errorOf = (err: unknown): { name: string; message: string } => ({
  name: err instanceof Error ? err.constructor.name : 'Error',
  message: err instanceof Error ? err.message : String(err),
});

try {
  const instance = await DuckDBInstance.create(init.path, init.config);
  const conns = new Map<number, Conn>();
  const appenders = new Map<number, Appender>();
  /** the checkpoint that runs, if any */
  let checkpointing: Promise<unknown> | null = null;

  const reply = (id: number, p: Promise<unknown>): void => {
    p.then(
      (value) => port.postMessage({ id, ok: true, value } satisfies DuckReply),
      (err: unknown) => port.postMessage({ id, ok: false, error: errorOf(err) } satisfies DuckReply),
    );
  };
  /** runs `fn` after the connection's earlier calls */
  const enqueue = <T>(conn: Conn, fn: () => Promise<T> | T): Promise<T> => {
    const run = conn.queue.then(fn);
    conn.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
  /** an answered call: the failure of an earlier unanswered one comes first */
  const answered = <T>(conn: Conn, fn: (c: DuckDBConnection) => Promise<T>): Promise<T> =>
    enqueue(conn, () => {
      if (conn.failed) {
        const err = conn.failed;
        conn.failed = null;
        throw err;
      }
      if (!conn.c) throw new Error('the DuckDB connection is closed');
      return fn(conn.c);
    });
  const connOf = (id: number): Conn => {
    const c = conns.get(id);
    if (!c) throw new Error(`no DuckDB connection ${id}`);
    return c;
  };
  const waitForCheckpoint = async (): Promise<void> => {
    if (!checkpointing) return;
    const t = performance.now();
    await checkpointing.catch(() => undefined);
    lap('wait for the checkpoint', t);
  };

  const handle = (m: DuckCall): void => {
    switch (m.op) {
      case 'connect': {
        const conn: Conn = { c: null, queue: Promise.resolve(), failed: null };
        conns.set(m.conn, conn);
        reply(
          m.id,
          enqueue(conn, async () => {
            conn.c = await instance.connect();
          }),
        );
        return;
      }
      case 'run': {
        const { sql, params, read } = m;
        reply(
          m.id,
          answered(connOf(m.conn), async (c) => {
            if (read === 'changed') return { rowsChanged: Number((await c.run(sql, params)).rowsChanged) };
            const r = await c.runAndReadAll(sql, params);
            if (read === 'rows') return r.getRows().map((row) => row.map(plainValue));
            return r.getRowObjects().map((o) => {
              const out: Record<string, unknown> = {};
              for (const [k, v] of Object.entries(o)) out[k] = plainValue(v);
              return out;
            });
          }),
        );
        return;
      }
      case 'checkpoint':
        reply(
          m.id,
          answered(connOf(m.conn), async (c) => {
            const run = c.run('CHECKPOINT');
            checkpointing = run;
            const t = performance.now();
            try {
              await run;
            } finally {
              if (checkpointing === run) checkpointing = null;
              lap('checkpoint', t);
            }
          }),
        );
        return;
      case 'appender': {
        const conn = connOf(m.conn);
        const a: Appender = { conn, table: m.table, kinds: m.kinds, sinks: [], sinceFlush: 0 };
        appenders.set(m.ap, a);
        void enqueue(conn, async () => {
          if (conn.failed || !conn.c) return;
          try {
            a.sinks.push(new NativeChunkSink(await conn.c.createAppender(m.table), m.kinds));
          } catch (err) {
            conn.failed = err instanceof Error ? err : new Error(String(err));
          }
        });
        return;
      }
      case 'chunk': {
        const a = appenders.get(m.ap);
        if (!a) return;
        void enqueue(a.conn, async () => {
          const sink = a.sinks.at(-1);
          if (a.conn.failed || !sink || !a.conn.c) return;
          try {
            let to = sink;
            if (a.sinceFlush + m.chunk.n > FLUSH_ROWS) {
              if (checkpointing) {
                to = new NativeChunkSink(await a.conn.c.createAppender(a.table), a.kinds);
                a.sinks.push(to);
                times['appenders opened beside a checkpoint'] = (times['appenders opened beside a checkpoint'] ?? 0) + 1;
              } else {
                const t = performance.now();
                sink.flush();
                lap('appender flush', t);
              }
              a.sinceFlush = 0;
            }
            const t = performance.now();
            to.write(m.chunk);
            lap('append chunks', t);
            a.sinceFlush += m.chunk.n;
            // copied: the buffers go back to be filled again
            const back: ArrayBuffer[] = [];
            for (const c of m.chunk.cols) {
              back.push(c.data);
              if (c.validity) back.push(c.validity);
            }
            port.postMessage({ recycle: back } satisfies DuckRecycle, back);
          } catch (err) {
            a.conn.failed = err instanceof Error ? err : new Error(String(err));
          }
        });
        return;
      }
      case 'appenderClose': {
        const a = appenders.get(m.ap);
        if (!a) return;
        appenders.delete(m.ap);
        void enqueue(a.conn, async () => {
          if (a.conn.failed) {
            for (const sink of a.sinks) {
              try {
                sink.close();
              } catch {
                // the transaction is rolled back anyway
              }
            }
            return;
          }
          try {
            await waitForCheckpoint();
            const t = performance.now();
            for (const sink of a.sinks) sink.close();
            lap('appender flush', t);
          } catch (err) {
            a.conn.failed = err instanceof Error ? err : new Error(String(err));
          }
        });
        return;
      }
      case 'disconnect': {
        const conn = connOf(m.conn);
        reply(
          m.id,
          enqueue(conn, () => {
            conn.c?.closeSync();
            conn.c = null;
            conns.delete(m.conn);
          }),
        );
        return;
      }
      case 'stats':
        reply(m.id, Promise.resolve({ ...times }));
        return;
      case 'thread':
        reply(m.id, Promise.resolve(threadId()));
        return;
      case 'close':
        reply(
          m.id,
          (async () => {
            await Promise.all([...conns.values()].map((c) => c.queue));
            for (const c of conns.values()) c.c?.closeSync();
            conns.clear();
            instance.closeSync();
          })(),
        );
        return;
    }
  };

  port.on('message', (m: DuckCall) => {
    try {
      handle(m);
    } catch (err) {
      if ('id' in m) port.postMessage({ id: m.id, ok: false, error: errorOf(err) } satisfies DuckReply);
    }
  });
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ ready: false, error: errorOf(err) });
  port.close();
}
