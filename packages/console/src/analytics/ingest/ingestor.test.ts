import { afterAll, describe, expect, it } from 'vitest';
import { encodeEventColumns, LogEvent, type EventBatch } from '@mamori/policy';
import { generateEvents } from '../demo/generator.js';
import { SqliteEventStore } from '../store/sqlite-store.js';
import { IngestError, Ingestor } from './ingestor.js';

const T = Date.UTC(2026, 10, 25);
const rows = (batchId: string, seed: number): EventBatch => ({
  batchId, gatewayId: 'gw1', events: [...generateEvents({ seed, from: T - 3_600_000, to: T, count: 250, idPrefix: `${batchId}-` })].map((e) => LogEvent.parse(e)),
});
const byId = (b: EventBatch) => [...b.events].sort((x, y) => (x.id < y.id ? -1 : 1));

describe('Ingestor with batches in columns', () => {
  const store = new SqliteEventStore({ path: ':memory:' });
  afterAll(() => store.close());

  it('parses either form; a broken columns batch is a 400 naming the problems', () => {
    const r = rows('p1', 1);
    const cols = JSON.parse(JSON.stringify(encodeEventColumns(r))) as unknown;
    expect(Ingestor.parse(cols)).toBe(cols);
    expect(Ingestor.parse(JSON.parse(JSON.stringify(r)))).toEqual(r);
    const broken = { ...(cols as object), batchId: '' };
    expect(() => Ingestor.parse(broken)).toThrowError(new IngestError('analytics.bad_batch', 400, 'invalid event batch (columns): batchId: expected a string of 1 to 128 characters, got ""'));
  });

  it('stores a columns batch once, counts its events, and hands the rows to onCommitted', async () => {
    const committed: Array<[string, EventBatch]> = [];
    const ingestor = new Ingestor(store, { onCommitted: (t, b) => committed.push([t, b]) });
    const r = rows('c1', 2);
    const cols = encodeEventColumns(r);
    expect(await ingestor.ingest('t1', 'gw1', cols)).toEqual({ batchId: 'c1', accepted: 250, duplicate: false });
    expect(await ingestor.ingestBatch('t1', 'gw1', cols)).toEqual({ batchId: 'c1', accepted: 250, duplicate: true });
    expect(committed).toHaveLength(1);
    expect(committed[0]![0]).toBe('t1');
    expect(byId(committed[0]![1])).toEqual(byId(r));
    expect(await store.count('t1', { type: 'access', from: 0, to: T + 1, filters: [{ field: 'id', op: 'prefix', value: 'c1-' }] })).toBe(r.events.filter((e) => e.type === 'access').length);
    await expect(ingestor.ingestBatch('t1', 'gw2', encodeEventColumns(rows('c2', 3)))).rejects.toMatchObject({ statusCode: 403, code: 'analytics.gateway_mismatch' });
  });
});
