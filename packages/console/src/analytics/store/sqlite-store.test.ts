import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventStoreContract } from './event-store.contract.js';
import { SqliteEventStore } from './sqlite-store.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-an-sqlite-'));
let n = 0;
eventStoreContract('sqlite', async (hooks) => new SqliteEventStore({ path: path.join(dir, `events-${n++}.db`), ...(hooks ? { hooks } : {}) }));
