import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { eventStoreContract } from './event-store.contract.js';
import { DuckDbWorkerStore } from './duckdb-worker-store.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-an-duckw-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
eventStoreContract('duckdb (worker thread)', async (hooks) => DuckDbWorkerStore.open({ path: path.join(dir, `events-${n++}.duckdb`), threads: 2, ...(hooks ? { hooks } : {}) }));
