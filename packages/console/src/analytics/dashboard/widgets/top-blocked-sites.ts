import type { Widget } from '../widget.js';

export const topBlockedSites: Widget = {
  id: 'top-blocked-sites',
  title: { ja: 'ブロックされたサイト上位', en: 'Top blocked sites' },
  defaultHours: 24 * 7,
  async load(ctx) {
    const rows = await ctx.events.rollup(ctx.tenantId, { metric: 'access.blockedHost', from: ctx.from, to: ctx.to, groupBy: 'k1', limit: ctx.limit });
    return { kind: 'bar', unit: 'count', items: rows.map((r) => ({ key: r.k1!, value: r.count })) };
  },
};
