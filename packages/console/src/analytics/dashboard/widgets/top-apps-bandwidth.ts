import type { Widget } from '../widget.js';

export const topAppsBandwidth: Widget = {
  id: 'top-apps-bandwidth',
  title: { ja: '帯域幅上位のアプリケーション', en: 'Top applications by bandwidth' },
  defaultHours: 24,
  async load(ctx) {
    const rows = await ctx.events.rollup(ctx.tenantId, { metric: 'bandwidth.app', from: ctx.from, to: ctx.to, groupBy: 'k1', orderBy: 'bytes', limit: ctx.limit });
    return { kind: 'bar', unit: 'bytes', items: rows.map((r) => ({ key: r.k1!, value: r.bytesUp + r.bytesDown, detail: { bytesUp: r.bytesUp, bytesDown: r.bytesDown, sessions: r.count } })) };
  },
};
