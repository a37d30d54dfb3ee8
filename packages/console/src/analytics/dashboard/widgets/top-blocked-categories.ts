import type { Widget } from '../widget.js';

export const topBlockedCategories: Widget = {
  id: 'top-blocked-categories',
  title: { ja: 'ブロックされたURLカテゴリ上位', en: 'Top blocked URL categories' },
  defaultHours: 24 * 7,
  async load(ctx) {
    const rows = await ctx.events.rollup(ctx.tenantId, { metric: 'access.category', k2: 'block', from: ctx.from, to: ctx.to, groupBy: 'k1', limit: ctx.limit });
    return { kind: 'bar', unit: 'count', items: rows.map((r) => ({ key: r.k1!, value: r.count })) };
  },
};
