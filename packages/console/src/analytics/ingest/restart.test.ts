import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_TYPES, LogEvent } from '@mamori/policy';
import { generateEvents } from '../demo/generator.js';
import { DuckDbEventStore } from '../store/duckdb-store.js';
import type { EventStore } from '../store/event-store.js';
import { PostgresEventStore } from '../store/postgres-store.js';
import { SqliteEventStore } from '../store/sqlite-store.js';
import { startTestDatabase, uniqueSchema, type TestDatabase } from '../test-support/postgres.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const script = path.join(here, '..', 'test-support', 'crash-ingest.ts');
const T = Date.UTC(2026, 10, 25);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-an-restart-'));

function runChild(args: string[], crashAt = 'write'): Promise<{ stdout: string; signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MAMORI_CRASH_AT: crashAt } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => resolve({ stdout, stderr, signal, code }));
  });
}

async function total(store: EventStore): Promise<number> {
  let n = 0;
  for (const type of LOG_TYPES) n += await store.count('t1', { type, from: 0, to: T + 1, filters: [] });
  return n;
}

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
}, 60_000);
afterAll(async () => {
  await db.stop();
});

const cases: Array<[string, () => { args: string[]; open: () => Promise<EventStore> }]> = [
  ['sqlite', () => { const p = path.join(dir, 'e.sqlite'); return { args: ['sqlite', p], open: async () => new SqliteEventStore({ path: p }) }; }],
  ['duckdb', () => { const p = path.join(dir, 'e.duckdb'); return { args: ['duckdb', p], open: () => DuckDbEventStore.open({ path: p }) }; }],
  ['postgres', () => { const s = uniqueSchema('rs'); return { args: ['postgres', db.url, s], open: () => PostgresEventStore.open({ connectionString: db.url, schema: s }) }; }],
];

describe('console restart in the middle of a batch', { timeout: 120_000 }, () => {
  for (const [name, setup] of cases) {
    it(`${name}: keeps every acknowledged batch, loses nothing of the interrupted one once resent, and stores it once`, async () => {
      const { args, open } = setup();
      const child = await runChild(args);
      expect(child.stderr).not.toContain('Error');
      expect(child.signal).toBe('SIGKILL');
      expect(child.stdout).toContain('ACK {"accepted":2000,"duplicate":false}');
      expect(child.stdout).not.toContain('NOT REACHED');
      const store = await open();
      try {
        // the acknowledged batch is all there; nothing of the interrupted one
        expect(await total(store)).toBe(2000);
        expect(await store.count('t1', { type: 'access', from: 0, to: T + 1, filters: [{ field: 'id', op: 'prefix', value: 'crash-' }] })).toBe(0);
        // the gateway did not get an ack, so it resends: stored now, and only once
        const events = [...generateEvents({ seed: 2, from: T - 3_600_000, to: T, count: 2000, idPrefix: 'crash-' })].map((e) => LogEvent.parse(e));
        expect(await store.ingest('t1', { batchId: 'crash-1', gatewayId: 'gw1', events })).toEqual({ accepted: 2000, duplicate: false });
        expect(await store.ingest('t1', { batchId: 'crash-1', gatewayId: 'gw1', events })).toEqual({ accepted: 2000, duplicate: true });
        expect(await store.ingest('t1', { batchId: 'ok-1', gatewayId: 'gw1', events })).toEqual({ accepted: 2000, duplicate: true });
        expect(await total(store)).toBe(4000);
        const r = await store.rollup('t1', { metric: 'events', from: T - 2 * 3_600_000, to: T + 60_000, groupBy: 'none' });
        expect(r[0]?.count).toBe(4000);
      } finally {
        await store.close();
      }
    }, 120_000);
  }
});

describe('DuckDB journal: console restart after an acknowledged batch', { timeout: 120_000 }, () => {
  for (const at of ['acked', 'load'] as const) {
    it(`${at === 'acked' ? 'killed after the ack, before the load' : 'killed inside the load transaction'}: the acknowledged batch is there after restart, once`, async () => {
      const p = path.join(dir, `j-${at}.duckdb`);
      const child = await runChild(['duckdb', p], at);
      expect(child.stderr).not.toContain('Error');
      expect(child.signal).toBe('SIGKILL');
      expect(child.stdout).toContain('ACK2 {"accepted":2000,"duplicate":false}');
      expect(child.stdout).not.toContain('NOT REACHED');
      const store = await DuckDbEventStore.open({ path: p });
      try {
        expect(await total(store)).toBe(4000);
        expect(await store.count('t1', { type: 'access', from: 0, to: T + 1, filters: [{ field: 'id', op: 'prefix', value: 'crash-' }] })).toBeGreaterThan(0);
        const events = [...generateEvents({ seed: 2, from: T - 3_600_000, to: T, count: 2000, idPrefix: 'crash-' })].map((e) => LogEvent.parse(e));
        expect(await store.ingest('t1', { batchId: 'crash-1', gatewayId: 'gw1', events })).toEqual({ accepted: 2000, duplicate: true });
        expect(await total(store)).toBe(4000);
        const r = await store.rollup('t1', { metric: 'events', from: T - 2 * 3_600_000, to: T + 60_000, groupBy: 'none' });
        expect(r[0]?.count).toBe(4000);
      } finally {
        await store.close();
      }
      // the journal is empty once everything is loaded
      expect(fs.readdirSync(`${p}.journal`).filter((f) => fs.statSync(path.join(`${p}.journal`, f)).size > 0)).toEqual([]);
    }, 120_000);
  }
});
