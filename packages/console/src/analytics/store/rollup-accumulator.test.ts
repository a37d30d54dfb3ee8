import { describe, expect, it } from 'vitest';
import { LogEvent, encodeEventColumns, type EventColumns, type LogType, type TypeColumns } from '@mamori/policy';
import { addColumnRollups } from './column-rollups.js';
import { movable } from './duckdb-worker-store.js';
import { generateEvents } from '../demo/generator.js';
import { groupRollupKeys } from './group-rollups.js';
import { computeRollupDeltas, RollupAccumulator } from './rollup-accumulator.js';
import { GRAINS, ROLLUP_METRICS, bucketOf, type Grain, type RollupMetric } from './rollups.js';

/** the rows as the registries define them (ROLLUP_METRICS per minute/hour/day, group rollups per hour/day), summed naively */
function reference(events: readonly LogEvent[], gatewayId: string): Map<string, [number, number, number]> {
  const out = new Map<string, [number, number, number]>();
  const cut = (s: string): string => (s.length > 512 ? s.slice(0, 512) : s);
  const add = (grain: Grain, ts: number, metric: string, k1: string, k2: string, up: number, down: number): void => {
    const key = JSON.stringify([grain, bucketOf(ts, grain), metric, k1, k2]);
    const s = out.get(key) ?? [0, 0, 0];
    s[0] += 1;
    s[1] += up;
    s[2] += down;
    out.set(key, s);
  };
  for (const ev of events) {
    const bw = ev.type === 'bandwidth' || ev.type === 'access';
    const up = bw ? (ev.bytesUp ?? 0) : 0;
    const down = bw ? (ev.bytesDown ?? 0) : 0;
    for (const grain of GRAINS) {
      add(grain, ev.ts, 'events', ev.type, gatewayId, up, down);
      for (const name of Object.keys(ROLLUP_METRICS) as RollupMetric[]) {
        if (name === 'events' || ROLLUP_METRICS[name].type !== ev.type) continue;
        for (const [k1, k2] of ROLLUP_METRICS[name].keys(ev)) add(grain, ev.ts, name, cut(k1), cut(k2), up, down);
      }
      if (grain !== 'minute') for (const [metric, k1, k2] of groupRollupKeys(ev, gatewayId)) add(grain, ev.ts, metric, k1, k2, up, down);
    }
  }
  return out;
}

const T = Date.UTC(2026, 10, 25, 14, 58);
const long = 'x'.repeat(240);
/** what the generator never makes: no categories, several, no host / dstIp on C&C, no rule name or id, a signature cut at 256 characters */
const odd: unknown[] = [
  { type: 'access', id: 'o1', ts: T, srcIp: '10.0.0.1', action: 'allow', host: 'a.example', categories: [] },
  { type: 'access', id: 'o2', ts: T + 1, srcIp: '10.0.0.1', user: 'u', action: 'block', host: `${long}.example`, categories: ['news', 'malware', 'x'], bytesUp: 5 },
  { type: 'security', id: 'o3', ts: T + 2, srcIp: '10.0.0.2', threatType: 'cnc', action: 'block', signature: `sig ${long}${long}` },
  { type: 'security', id: 'o4', ts: T + 3, srcIp: '10.0.0.2', threatType: 'cnc', action: 'detect', signature: 's', dstIp: '203.0.113.9' },
  { type: 'policy', id: 'o5', ts: T + 4, srcIp: '10.0.0.3', action: 'block', reasonKind: 'default' },
  { type: 'policy', id: 'o6', ts: T + 5, srcIp: '10.0.0.3', action: 'allow', reasonKind: 'rule', ruleId: 'r1' },
  { type: 'bandwidth', id: 'o7', ts: T + 6, srcIp: '10.0.0.4', user: long.slice(0, 128), app: 'zoom', bytesUp: 1, bytesDown: 2 },
  { type: 'bandwidth', id: 'o8', ts: T + 7, srcIp: '10.0.0.5', user: '', app: 'ゲーム', appCategory: '', bytesUp: 0, bytesDown: 9 },
  { type: 'security', id: 'o9', ts: T + 8, srcIp: '10.0.0.6', user: '田中', threatType: 'cnc', action: 'block', signature: 's', host: 'c2.example', dstIp: '203.0.113.1' },
];

describe('rollup accumulator', () => {
  const events = [
    ...[...generateEvents({ seed: 7, from: T - 3 * 3_600_000, to: T + 26 * 3_600_000, count: 6000, hosts: 60 })].map((e) => LogEvent.parse(e)),
    ...odd.map((e) => LogEvent.parse(e)),
  ].sort((a, b) => a.ts - b.ts);

  it('gives the rows of ROLLUP_METRICS and the group rollups, for every log type and the odd cases', () => {
    const got = new Map<string, [number, number, number]>();
    for (const d of computeRollupDeltas(events, 'gw1')) {
      const key = JSON.stringify([d.grain, d.bucket, d.metric, d.k1, d.k2]);
      expect(got.has(key)).toBe(false);
      got.set(key, [d.count, d.bytesUp, d.bytesDown]);
    }
    const want = reference(events, 'gw1');
    expect(got.size).toBe(want.size);
    expect(new Map([...got].sort())).toEqual(new Map([...want].sort()));
  });

  it('sums a batch in columns into the same rows as add() gives its events, from JSON arrays or as moved to the DuckDB worker (typed arrays)', () => {
    const rowsOf = (acc: RollupAccumulator): string[] => {
      const out: string[] = [];
      const grains = acc.grains();
      for (const g of GRAINS) grains[g].each((...row) => out.push(JSON.stringify([g, ...row])));
      return out.sort();
    };
    const want = new RollupAccumulator();
    const fromJson = new RollupAccumulator();
    const fromTyped = new RollupAccumulator();
    for (let i = 0; i < events.length; i += 1000) {
      const batch = { batchId: `b${i}`, gatewayId: i % 2000 === 0 ? 'gw1' : 'a-gateway-with-a-long-id', events: events.slice(i, i + 1000) };
      for (const ev of batch.events) want.add('t1', batch.gatewayId, ev);
      const cols = JSON.parse(JSON.stringify(encodeEventColumns(batch))) as EventColumns;
      for (const [type, tc] of Object.entries(cols.types) as Array<[LogType, TypeColumns]>) addColumnRollups(fromJson, 't1', batch.gatewayId, type, tc);
      for (const [type, tc] of Object.entries(movable(cols).cols.types) as Array<[LogType, TypeColumns]>) addColumnRollups(fromTyped, 't1', batch.gatewayId, type, tc);
    }
    const expected = rowsOf(want);
    expect(expected.length).toBeGreaterThan(1000);
    expect(rowsOf(fromJson)).toEqual(expected);
    expect(rowsOf(fromTyped)).toEqual(expected);
  });

  it('keeps tenants and gateways apart and reports the row count and first bucket per grain', () => {
    const acc = new RollupAccumulator();
    for (const ev of events) acc.add('t1', 'gw1', ev);
    for (const ev of events.slice(0, 100)) acc.add('t2', 'gw2', ev);
    const grains = acc.grains();
    for (const g of GRAINS) {
      let rows = 0;
      let first = Infinity;
      const tenants = new Set<string>();
      grains[g].each((tenant, bucket) => {
        rows++;
        tenants.add(tenant);
        first = Math.min(first, bucket);
      });
      expect(rows).toBe(grains[g].rows);
      expect(grains[g].firstBucket).toBe(first);
      expect([...tenants].sort()).toEqual(['t1', 't2']);
    }
    let t2 = 0;
    grains.minute.each((tenant, _b, metric, k1, k2, count) => {
      if (tenant === 't2' && metric === 'events') {
        expect(k2).toBe('gw2');
        t2 += count;
      }
    });
    expect(t2).toBe(100);
  });
});
