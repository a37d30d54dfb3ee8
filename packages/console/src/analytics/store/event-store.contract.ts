/**
 * The behaviour every event store must have; each implementation's test file runs it.
 * Expected values come from a plain-JS evaluation of the same queries over the same events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_TYPES, type EventBatch, type LogEvent, type LogType } from '@mamori/policy';
import { LogEvent as LogEventSchema } from '@mamori/policy';
import type { EventStore, IngestHooks, StoredEvent } from './event-store.js';
import { cursorOf } from './event-store.js';
import { FIELDS, cellOf, fieldOf } from './fields.js';
import { parseLogQuery, type Filter, type LogQuery } from './query-model.js';
import { GRAINS, HOUR, MINUTE, ROLLUP_METRICS, bucketOf, type RollupMetric } from './rollups.js';
import { generateEvents } from '../demo/generator.js';

export type StoreFactory = (hooks?: IngestHooks) => Promise<EventStore>;

const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
const T1 = T0 + 2 * 86_400_000 + 5 * HOUR + 17 * MINUTE;

function makeEvents(n: number, seed: number, prefix: string): LogEvent[] {
  return [...generateEvents({ seed, from: T0, to: T1, count: n, idPrefix: prefix })].map((e) => LogEventSchema.parse(e));
}

function batches(events: LogEvent[], size: number, gatewayId: string): EventBatch[] {
  const out: EventBatch[] = [];
  for (let i = 0; i < events.length; i += size) out.push({ batchId: `${gatewayId}-b${i / size}`, gatewayId, events: events.slice(i, i + size) });
  return out;
}

type Cell = string | number | boolean | null;
function cell(ev: LogEvent, gw: string, field: string): Cell {
  return cellOf(ev, gw, fieldOf(ev.type, field)!);
}

function matches(ev: LogEvent, gw: string, f: Filter): boolean {
  const def = fieldOf(ev.type, f.field)!;
  const v = cell(ev, gw, f.field);
  const lc = (x: unknown): string => String(x).toLowerCase();
  switch (f.op) {
    case 'eq': return def.kind === 'list' ? v !== null && lc(v).includes(`,${lc(f.value)},`) : v !== null && v === f.value;
    case 'ne': return v === null || v !== f.value;
    case 'in': return v !== null && (f.value as Cell[]).includes(v);
    case 'contains': return v !== null && lc(v).includes(lc(f.value));
    case 'prefix': return v !== null && lc(v).startsWith((def.kind === 'list' ? ',' : '') + lc(f.value));
    case 'has': return v !== null && lc(v).includes(`,${lc(f.value)},`);
    case 'gt': return v !== null && Number(v) > Number(f.value);
    case 'gte': return v !== null && Number(v) >= Number(f.value);
    case 'lt': return v !== null && Number(v) < Number(f.value);
    case 'lte': return v !== null && Number(v) <= Number(f.value);
    case 'exists': return v !== null;
    case 'missing': return v === null;
  }
}

export function eventStoreContract(name: string, factory: StoreFactory): void {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore;
    const tenant = `t-${name}`;
    const other = `o-${name}`;
    const gwA = 'gw-a';
    const gwB = 'gw-b';
    const evA = makeEvents(3000, 7, 'a-');
    const evB = makeEvents(1200, 11, 'b-');
    const all: Array<[LogEvent, string]> = [...evA.map((e) => [e, gwA] as [LogEvent, string]), ...evB.map((e) => [e, gwB] as [LogEvent, string])];

    beforeAll(async () => {
      store = await factory();
      for (const b of batches(evA, 500, gwA)) expect(await store.ingest(tenant, b)).toEqual({ accepted: b.events.length, duplicate: false });
      for (const b of batches(evB, 400, gwB)) await store.ingest(tenant, b);
      // another tenant's data must never show up
      for (const b of batches(makeEvents(300, 99, 'x-'), 300, gwA)) await store.ingest(other, b);
    });
    afterAll(async () => {
      await store.close();
    });

    const q = (type: LogType, extra: Partial<LogQuery> = {}): LogQuery => parseLogQuery({ type, from: T0, to: T1, ...extra });
    const expected = (type: LogType, filters: Filter[]) => all.filter(([e, gw]) => e.type === type && filters.every((f) => matches(e, gw, f)));

    it('stores each batch once: a resent batch is acknowledged as a duplicate and not counted again', async () => {
      const first = batches(evA, 500, gwA)[0]!;
      expect(await store.ingest(tenant, first)).toEqual({ accepted: 500, duplicate: true });
      let total = 0;
      for (const t of LOG_TYPES) total += await store.count(tenant, q(t));
      expect(total).toBe(evA.length + evB.length);
      // the same batch id from another gateway is a different batch
      const tiny: EventBatch = { batchId: first.batchId, gatewayId: 'gw-c', events: first.events.slice(0, 3).map((e) => ({ ...e, id: `c-${e.id}` })) };
      const t2 = `${tenant}-c`;
      expect(await store.ingest(t2, tiny)).toEqual({ accepted: 3, duplicate: false });
      expect(await store.ingest(t2, tiny)).toEqual({ accepted: 3, duplicate: true });
    });

    it('stores concurrent batches (and a batch sent twice at once) exactly once each', async () => {
      const t = `${tenant}-conc`;
      const evs = makeEvents(1200, 21, 'k-');
      const bs = batches(evs, 100, 'gw-k');
      const acks = await Promise.all([...bs, bs[3]!, bs[7]!].map((b) => store.ingest(t, b)));
      expect(acks.filter((a) => !a.duplicate)).toHaveLength(bs.length);
      expect(acks.filter((a) => a.duplicate)).toEqual([{ accepted: 100, duplicate: true }, { accepted: 100, duplicate: true }]);
      let n = 0;
      for (const type of LOG_TYPES) n += await store.count(t, q(type));
      expect(n).toBe(1200);
      const r = await store.rollup(t, { metric: 'events', from: T0, to: T1 + MINUTE, groupBy: 'none' });
      expect(r[0]?.count).toBe(1200);
    });

    it('keeps tenants apart', async () => {
      for (const t of LOG_TYPES) {
        expect(await store.count(tenant, q(t))).toBe(all.filter(([e]) => e.type === t).length);
      }
      let otherTotal = 0;
      for (const t of LOG_TYPES) otherTotal += await store.count(other, q(t));
      expect(otherTotal).toBe(300);
      expect(await store.count('nobody', q('access'))).toBe(0);
    });

    it('applies every filter operator on every field', async () => {
      let checked = 0;
      for (const type of LOG_TYPES) {
        const sample = all.filter(([e]) => e.type === type);
        for (const def of FIELDS[type]) {
          const present = sample.map(([e, gw]) => cell(e, gw, def.name)).filter((v): v is string | number | boolean => v !== null);
          const filters: Filter[] = [{ field: def.name, op: 'exists' }, { field: def.name, op: 'missing' }];
          if (present.length > 0) {
            const v = present[Math.floor(present.length / 3)]!;
            if (def.kind === 'list') {
              const item = String(v).split(',').filter(Boolean)[0]!;
              filters.push({ field: def.name, op: 'has', value: item }, { field: def.name, op: 'eq', value: item }, { field: def.name, op: 'contains', value: item.slice(1, 4) }, { field: def.name, op: 'prefix', value: item.slice(0, 3) });
            } else {
              filters.push({ field: def.name, op: 'eq', value: v }, { field: def.name, op: 'ne', value: v });
              const w = present[Math.floor((present.length * 2) / 3)]!;
              if (def.kind !== 'bool') filters.push({ field: def.name, op: 'in', value: [v as string | number, w as string | number] });
              if (def.kind === 'text') {
                const s = String(v);
                filters.push({ field: def.name, op: 'contains', value: s.slice(1, Math.max(2, Math.min(6, s.length))) }, { field: def.name, op: 'prefix', value: s.slice(0, 3) });
              }
              if (def.kind === 'int') for (const op of ['gt', 'gte', 'lt', 'lte'] as const) filters.push({ field: def.name, op, value: v as number });
            }
          }
          for (const f of filters) {
            const want = expected(type, [f]).length;
            const got = await store.count(tenant, q(type, { filters: [f] }));
            expect({ type, f, got }).toEqual({ type, f, got: want });
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(150);
    });

    it('treats LIKE wildcards in filter values literally', async () => {
      expect(await store.count(tenant, q('access', { filters: [{ field: 'host', op: 'contains', value: '%' }] }))).toBe(0);
      expect(await store.count(tenant, q('access', { filters: [{ field: 'host', op: 'contains', value: '_' }] }))).toBe(0);
    });

    it('groups by every field with top-N, ordered by count then key', async () => {
      for (const type of LOG_TYPES) {
        for (const def of FIELDS[type]) {
          if (def.name === 'id' || def.name === 'ts') continue;
          const rows = await store.groupBy(tenant, q(type, { groupBy: [def.name], limit: 5 }));
          const counts = new Map<string, number>();
          for (const [e, gw] of expected(type, [])) {
            const k = JSON.stringify(cell(e, gw, def.name));
            counts.set(k, (counts.get(k) ?? 0) + 1);
          }
          const top = [...counts.values()].sort((a, b) => b - a).slice(0, 5);
          expect({ field: def.name, counts: rows.map((r) => r.count) }).toEqual({ field: def.name, counts: top });
          for (const r of rows) {
            const stored = r.keys[def.name] ?? null;
            const key = def.kind === 'bool' && stored !== null ? JSON.stringify(stored === true) : JSON.stringify(stored);
            expect(counts.get(key)).toBe(r.count);
          }
        }
      }
    });

    it('groups by two fields with filters and sums bytes', async () => {
      const f: Filter[] = [{ field: 'action', op: 'eq', value: 'allow' }];
      const rows = await store.groupBy(tenant, q('access', { groupBy: ['user', 'host'], filters: f, orderBy: 'bytes', limit: 3 }));
      const acc = new Map<string, { up: number; down: number; n: number }>();
      for (const [e] of expected('access', f)) {
        if (e.type !== 'access') continue;
        const k = JSON.stringify([e.user ?? null, e.host]);
        const a = acc.get(k) ?? { up: 0, down: 0, n: 0 };
        a.up += e.bytesUp ?? 0;
        a.down += e.bytesDown ?? 0;
        a.n++;
        acc.set(k, a);
      }
      const top = [...acc.entries()].sort((a, b) => b[1].up + b[1].down - (a[1].up + a[1].down)).slice(0, 3);
      expect(rows.map((r) => [JSON.stringify([r.keys['user'], r.keys['host']]), r.bytesUp, r.bytesDown, r.count])).toEqual(top.map(([k, a]) => [k, a.up, a.down, a.n]));
    });

    it('drills down to raw events, newest first, paging with a cursor without gaps or repeats', async () => {
      const f: Filter[] = [{ field: 'threatType', op: 'eq', value: 'cnc' }];
      const want = expected('security', f).sort(([a, ga], [b, gb]) => b.ts - a.ts || (gb < ga ? -1 : gb > ga ? 1 : 0) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0));
      const seen: StoredEvent[] = [];
      let page = await store.raw(tenant, q('security', { filters: f, limit: 7 }));
      while (page.length > 0) {
        seen.push(...page);
        page = await store.raw(tenant, q('security', { filters: f, limit: 7 }), cursorOf(page[page.length - 1]!));
      }
      expect(seen.map((e) => `${e.gatewayId}/${e.id}`)).toEqual(want.map(([e, gw]) => `${gw}/${e.id}`));
      const [first, gw] = want[0]!;
      const { ...stored } = seen[0]!;
      expect(stored).toEqual({ ...first, gatewayId: gw });
    });

    it('pages raw events with an offset, across the time windows it reads newest first', async () => {
      const newestFirst = (rows: Array<[LogEvent, string]>) => rows.sort(([a, ga], [b, gb]) => b.ts - a.ts || (gb < ga ? -1 : gb > ga ? 1 : 0) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0)).map(([e, gw]) => `${gw}/${e.id}`);
      const ids = (rows: StoredEvent[]) => rows.map((e) => `${e.gatewayId}/${e.id}`);
      const wantAll = newestFirst(expected('access', []));
      for (const [limit, offset] of [[10, 0], [10, 25], [40, 300], [100, wantAll.length - 30]] as const) {
        expect(ids(await store.raw(tenant, q('access', { limit, offset })))).toEqual(wantAll.slice(offset, offset + limit));
      }
      // a rare value: the page is filled from many windows, and a range holding fewer rows than the page returns them all
      const f: Filter[] = [{ field: 'threatType', op: 'eq', value: 'phishing' }];
      const rare = newestFirst(expected('security', f));
      expect(ids(await store.raw(tenant, q('security', { filters: f, limit: 10, offset: 3 })))).toEqual(rare.slice(3, 13));
      expect(ids(await store.raw(tenant, q('security', { filters: f, limit: 10_000 })))).toEqual(rare);
    });

    it('keeps rollups equal to raw counts for every grain, metric total and any minute-aligned range', async () => {
      const ranges: Array<[number, number]> = [
        [T0, T1],
        [T0 + 13 * MINUTE, T0 + 26 * HOUR + 7 * MINUTE],
        [bucketOf(T0 + 30 * HOUR, 'day'), bucketOf(T0 + 30 * HOUR, 'day') + 86_400_000],
        [T0 + 5 * HOUR + 3 * MINUTE, T0 + 5 * HOUR + 44 * MINUTE],
      ];
      for (const [from, to] of ranges) {
        for (const t of LOG_TYPES) {
          const raw = await store.count(tenant, { type: t, from, to, filters: [] });
          const r = await store.rollup(tenant, { metric: 'events', from, to, k1: t, groupBy: 'none' });
          expect({ t, from, to, n: r[0]?.count ?? 0 }).toEqual({ t, from, to, n: raw });
        }
        const apps = await store.rollup(tenant, { metric: 'bandwidth.app', from, to, groupBy: 'k1', orderBy: 'bytes', limit: 5 });
        const rawApps = await store.groupBy(tenant, parseLogQuery({ type: 'bandwidth', from, to, groupBy: ['app'], orderBy: 'bytes', limit: 5 }));
        expect(apps.map((a) => [a.k1, a.count, a.bytesUp, a.bytesDown])).toEqual(rawApps.map((a) => [a.keys['app'], a.count, a.bytesUp, a.bytesDown]));
      }
      // each grain alone sums to the whole
      for (const grain of GRAINS) {
        const series = await store.rollup(tenant, { metric: 'events', from: T0, to: T1 + 86_400_000, groupBy: 'bucket', grain, k1: 'security' });
        expect(series.reduce((s, r) => s + r.count, 0)).toBe(all.filter(([e]) => e.type === 'security').length);
      }
      // every metric's keys match a JS recount
      for (const metric of Object.keys(ROLLUP_METRICS) as RollupMetric[]) {
        if (metric === 'events') continue;
        const rows = await store.rollup(tenant, { metric, from: T0, to: T1 + MINUTE, groupBy: 'k1k2', limit: 10_000 });
        const counts = new Map<string, number>();
        for (const [e] of all) for (const [k1, k2] of ROLLUP_METRICS[metric].type === e.type ? ROLLUP_METRICS[metric].keys(e) : []) counts.set(`${k1}|${k2}`, (counts.get(`${k1}|${k2}`) ?? 0) + 1);
        expect(new Map(rows.map((r) => [`${r.k1}|${r.k2}`, r.count]))).toEqual(counts);
      }
    });

    it('reports the last event time per gateway', async () => {
      const last = await store.lastEventByGateway(tenant);
      expect(last[gwA]).toBe(Math.max(...evA.map((e) => e.ts)));
      expect(last[gwB]).toBe(Math.max(...evB.map((e) => e.ts)));
    });

    it('purges a tenant’s events before a cutoff (retention) and leaves other tenants alone', async () => {
      const t = `${tenant}-ret`;
      const evs = makeEvents(400, 5, 'r-');
      await store.ingest(t, { batchId: 'r1', gatewayId: gwA, events: evs });
      const cutoff = T0 + 86_400_000;
      const removed = await store.purgeBefore(t, cutoff);
      expect(removed).toBe(evs.filter((e) => e.ts < cutoff).length);
      let left = 0;
      for (const type of LOG_TYPES) left += await store.count(t, { type, from: 0, to: T1 + 1, filters: [] });
      expect(left).toBe(evs.filter((e) => e.ts >= cutoff).length);
      // rollup buckets wholly before the cutoff are gone; a bucket straddling it is kept whole
      const r = await store.rollup(t, { metric: 'events', from: 0, to: T1 + HOUR, groupBy: 'bucket', grain: 'minute' });
      expect(r.reduce((s, x) => s + x.count, 0)).toBe(left);
      const nextDay = bucketOf(cutoff, 'day') + 86_400_000;
      const fromNextDay = await store.rollup(t, { metric: 'events', from: nextDay, to: T1 + HOUR, groupBy: 'none' });
      expect(fromNextDay[0]?.count).toBe(evs.filter((e) => e.ts >= nextDay).length);
      let otherTotal = 0;
      for (const type of LOG_TYPES) otherTotal += await store.count(other, q(type));
      expect(otherTotal).toBe(300);
    });

    it('rolls back a batch that fails mid-way: nothing is stored and a resend stores it once', async () => {
      let fail = true;
      const s2 = await factory({ afterEventsWritten: () => { if (fail) throw new Error('injected failure'); } });
      try {
        const t = `${tenant}-rb`;
        const b: EventBatch = { batchId: 'rb1', gatewayId: gwA, events: makeEvents(50, 3, 'rb-') };
        await expect(s2.ingest(t, b)).rejects.toThrow('injected failure');
        let n = 0;
        for (const type of LOG_TYPES) n += await s2.count(t, { type, from: 0, to: T1 + 1, filters: [] });
        expect(n).toBe(0);
        fail = false;
        expect(await s2.ingest(t, b)).toEqual({ accepted: 50, duplicate: false });
        expect(await s2.ingest(t, b)).toEqual({ accepted: 50, duplicate: true });
        for (const type of LOG_TYPES) n += await s2.count(t, { type, from: 0, to: T1 + 1, filters: [] });
        expect(n).toBe(50);
      } finally {
        await s2.close();
      }
    });
  });
}
