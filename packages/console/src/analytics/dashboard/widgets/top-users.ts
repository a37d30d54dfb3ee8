import type { Widget } from '../widget.js';

export const topUsers: Widget = {
  id: 'top-users',
  title: { ja: '帯域幅上位のユーザ', en: 'Top users by bandwidth' },
  defaultHours: 24,
  async load(ctx) {
    const rows = await ctx.events.rollup(ctx.tenantId, { metric: 'bandwidth.user', from: ctx.from, to: ctx.to, groupBy: 'k1', orderBy: 'bytes', limit: ctx.limit });
    return { kind: 'bar', unit: 'bytes', items: rows.map((r) => ({ key: r.k1!, value: r.bytesUp + r.bytesDown, detail: { bytesUp: r.bytesUp, bytesDown: r.bytesDown } })) };
  },
};
