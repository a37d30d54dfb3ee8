/**
 * Child process for the restart test: stores one batch (and says so once it is acknowledged),
 * then dies with SIGKILL in the middle of the next batch's transaction, after its raw events are
 * written and before the commit. Usage: crash-ingest.ts <duckdb|sqlite|postgres> <path|url> [schema]
 *
 * For the DuckDB store's journal, MAMORI_CRASH_AT picks the moment instead:
 *   acked: right after the second batch is acknowledged (in the journal, not loaded yet);
 *   load:  inside the load transaction of the second batch, before its commit.
 */
import { LogEvent } from '@mamori/policy';
import { generateEvents } from '../demo/generator.js';
import { DuckDbEventStore } from '../store/duckdb-store.js';
import type { EventStore, IngestHooks } from '../store/event-store.js';
import { PostgresEventStore } from '../store/postgres-store.js';
import { SqliteEventStore } from '../store/sqlite-store.js';

const [kind, where, schema] = process.argv.slice(2);
const at = process.env['MAMORI_CRASH_AT'] ?? 'write';
let armed = false;
const die = () => { if (armed) process.kill(process.pid, 'SIGKILL'); };
const hooks: IngestHooks = at === 'write' ? { afterEventsWritten: die } : at === 'load' ? { beforeLoadCommit: die } : {};
const store: EventStore =
  kind === 'duckdb' ? await DuckDbEventStore.open({ path: where!, hooks, loadDelayMs: 600_000 })
  : kind === 'sqlite' ? new SqliteEventStore({ path: where!, hooks })
  : await PostgresEventStore.open({ connectionString: where!, schema: schema!, hooks });
const T = Date.UTC(2026, 10, 25);
const events = (prefix: string, seed: number) => [...generateEvents({ seed, from: T - 3_600_000, to: T, count: 2000, idPrefix: prefix })].map((e) => LogEvent.parse(e));
const ack = await store.ingest('t1', { batchId: 'ok-1', gatewayId: 'gw1', events: events('ok-', 1) });
process.stdout.write(`ACK ${JSON.stringify(ack)}\n`);
if (store instanceof DuckDbEventStore) await store.flush();
armed = true;
const ack2 = await store.ingest('t1', { batchId: 'crash-1', gatewayId: 'gw1', events: events('crash-', 2) });
if (at === 'write') process.stdout.write('NOT REACHED\n');
process.stdout.write(`ACK2 ${JSON.stringify(ack2)}\n`);
if (at === 'acked') process.kill(process.pid, 'SIGKILL');
if (store instanceof DuckDbEventStore) await store.flush();
process.stdout.write('NOT REACHED\n');
