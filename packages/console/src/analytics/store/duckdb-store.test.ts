import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventStoreContract } from './event-store.contract.js';
import { DuckDbEventStore } from './duckdb-store.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-an-duck-'));
let n = 0;
eventStoreContract('duckdb', async (hooks) => DuckDbEventStore.open({ path: path.join(dir, `events-${n++}.duckdb`), threads: 2, ...(hooks ? { hooks } : {}) }));
