import type { Widget } from '../widget.js';
import { HOUR, bucketOf, nextBucket, type Grain } from '../../store/rollups.js';

export const threatsOverTime: Widget = {
  id: 'threats-over-time',
  title: { ja: '脅威の推移', en: 'Threats over time' },
  defaultHours: 24 * 7,
  async load(ctx) {
    const span = ctx.to - ctx.from;
    const grain: Grain = span <= 3 * HOUR ? 'minute' : span <= 72 * HOUR ? 'hour' : 'day';
    const rows = await ctx.events.rollup(ctx.tenantId, { metric: 'security.threat', from: ctx.from, to: ctx.to, groupBy: 'bucketK1', grain });
    const buckets: number[] = [];
    for (let b = bucketOf(ctx.from, grain); b < ctx.to; b = nextBucket(b, grain)) buckets.push(b);
    const index = new Map(buckets.map((b, i) => [b, i]));
    const series = new Map<string, number[]>();
    for (const r of rows) {
      const i = index.get(r.bucket!);
      if (i === undefined) continue;
      const values = series.get(r.k1!) ?? buckets.map(() => 0);
      values[i]! += r.count;
      series.set(r.k1!, values);
    }
    return { kind: 'series', unit: 'count', grain, buckets, series: [...series.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, values]) => ({ key, values })) };
  },
};
