// A worker thread's first module: the rest of the code is TypeScript, run through tsx as
// `npm start` and the tests run it (a worker does not inherit the main thread's loader), so
// this registers tsx in the worker and then imports the entry named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
