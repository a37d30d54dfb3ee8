/**
 * Starts a worker thread on a TypeScript entry (through worker-boot.mjs) and waits for its first
 * message, `{ ready: true }` or `{ ready: false, error }`: the worker that failed to open is
 * terminated and its error thrown. Shared by DuckLink (DuckDB's thread) and DuckDbWorkerStore.
 */
import { Worker } from 'node:worker_threads';

export type WireError = { name: string; message: string };

/** an error that crossed a port as { name, message } */
export function errorFrom(e: WireError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/** `what` names the worker in the errors; `toError` turns the worker's own error into the one thrown */
export async function startWorker(entry: URL, data: Record<string, unknown>, what: string, toError: (e: WireError) => Error = errorFrom): Promise<Worker> {
  const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { ...data, entry: entry.href } });
  type Ready = { ready: boolean; error?: WireError };
  let onMessage: (m: Ready) => void = () => undefined;
  let onError: (e: Error) => void = () => undefined;
  let onExit: (code: number) => void = () => undefined;
  const ready = await new Promise<Ready>((resolve, reject) => {
    onMessage = resolve;
    onError = reject;
    onExit = (code) => reject(new Error(`${what} stopped while opening (exit code ${code})`));
    worker.once('message', onMessage).once('error', onError).once('exit', onExit);
  }).finally(() => worker.off('message', onMessage).off('error', onError).off('exit', onExit));
  if (!ready.ready) {
    await worker.terminate();
    throw toError(ready.error ?? { name: 'Error', message: `${what} did not open` });
  }
  return worker;
}
