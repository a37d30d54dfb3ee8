import type { Widget } from '../widget.js';

export const cncHosts: Widget = {
  id: 'cnc-hosts',
  title: { ja: 'C&Cコールバック先ホスト', en: 'C&C callback hosts' },
  defaultHours: 24 * 7,
  async load(ctx) {
    const rows = await ctx.events.rollup(ctx.tenantId, { metric: 'security.cncHost', from: ctx.from, to: ctx.to, groupBy: 'k1', limit: ctx.limit });
    return { kind: 'bar', unit: 'count', items: rows.map((r) => ({ key: r.k1!, value: r.count })) };
  },
};
