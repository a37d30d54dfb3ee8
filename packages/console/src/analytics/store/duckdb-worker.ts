/**
 * The worker thread of DuckDbWorkerStore (duckdb-worker-store.ts): it owns the DuckDB store
 * (database, journal, loader) and answers the main thread's calls, so that parsing a batch
 * again, the loader's pass and DuckDB's appends run on another core than the HTTP server and
 * the batch checks. Messages: `{ id, op, args }` in, `{ id, ok, value | error }` out; the store's
 * test hooks are called back on the main thread (`{ hook, id, count }`, answered with
 * `{ hookReply, ok, error }`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EventBatch, isEventColumns } from '@mamori/policy';
import { fastEventBatch } from '../ingest/fast-validate.js';
import { DuckDbEventStore, type DuckDbEventStoreOptions } from './duckdb-store.js';
import type { IngestBatch, IngestHooks } from './event-store.js';

export interface WorkerInit {
  entry: string;
  opts: Omit<DuckDbEventStoreOptions, 'hooks' | 'now'>;
  /** the hooks the main thread has (called back over the port) */
  hooks: Array<keyof IngestHooks>;
}

export type WorkerCall =
  | { id: number; op: 'ingest'; tenantId: string; raw?: Uint8Array; batch?: IngestBatch }
  | { id: number; op: 'query'; method: 'groupBy' | 'raw' | 'count' | 'rollup' | 'purgeBefore' | 'lastEventByGateway' | 'execMaintenance' | 'flush' | 'compact' | 'stats' | 'close'; args: unknown[] };

const port = parentPort!;
const init = workerData as WorkerInit;

let hookSeq = 0;
const hookWaits = new Map<number, { resolve(): void; reject(err: Error): void }>();
const hooks: IngestHooks = {};
for (const name of init.hooks) {
  hooks[name] = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const id = hookSeq++;
      hookWaits.set(id, { resolve, reject });
      port.postMessage({ hook: name, id, count });
    });
}

/** a body the main thread checked: parsed again here, defaults of the row form filled in */
function parseChecked(raw: Uint8Array): IngestBatch {
  const v = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')) as unknown;
  if (isEventColumns(v)) return v;
  return fastEventBatch(v) ?? EventBatch.parse(v);
}

const errorOf = (err: unknown): { name: string; message: string } => ({
  name: err instanceof Error ? err.constructor.name : 'Error',
  message: err instanceof Error ? err.message : String(err),
});

try {
  const store = await DuckDbEventStore.open({ ...init.opts, hooks });
  const methods: Record<string, (...args: never[]) => unknown> = {
    groupBy: (t: string, q: never) => store.groupBy(t, q),
    raw: (t: string, q: never, after: never) => store.raw(t, q, after),
    count: (t: string, q: never) => store.count(t, q),
    rollup: (t: string, q: never) => store.rollup(t, q),
    purgeBefore: (t: string, cutoff: number) => store.purgeBefore(t, cutoff),
    lastEventByGateway: (t: string) => store.lastEventByGateway(t),
    execMaintenance: (sql: string) => store.execMaintenance(sql),
    flush: () => store.flush(),
    compact: () => store.compact(),
    stats: () => ({ loadTotals: store.loadTotals, lastLoad: store.lastLoad }),
    close: () => store.close(),
  };
  port.on('message', (m: WorkerCall | { hookReply: number; ok: boolean; error?: string }) => {
    if ('hookReply' in m) {
      const w = hookWaits.get(m.hookReply);
      hookWaits.delete(m.hookReply);
      if (m.ok) w?.resolve();
      else w?.reject(new Error(m.error));
      return;
    }
    const run = async (): Promise<unknown> => {
      if (m.op === 'ingest') {
        const batch = m.batch ?? parseChecked(m.raw!);
        return store.ingest(m.tenantId, batch, m.raw ? { rawJson: Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength) } : undefined);
      }
      const fn = methods[m.method];
      if (!fn) throw new Error(`event store worker: no method ${m.method}`);
      return fn(...(m.args as never[]));
    };
    run().then(
      (value) => {
        port.postMessage({ id: m.id, ok: true, value });
        if (m.op === 'query' && m.method === 'close') port.close();
      },
      (err: unknown) => port.postMessage({ id: m.id, ok: false, error: errorOf(err) }),
    );
  });
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ ready: false, error: errorOf(err) });
  port.close();
}
