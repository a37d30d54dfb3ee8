import type { Widget } from '../widget.js';

export const threatSummary: Widget = {
  id: 'threat-summary',
  title: { ja: '検出された脅威の種類', en: 'Threats by type' },
  defaultHours: 24 * 7,
  async load(ctx) {
    const rows = await ctx.events.rollup(ctx.tenantId, { metric: 'security.threat', from: ctx.from, to: ctx.to, groupBy: 'k1', limit: ctx.limit });
    return { kind: 'bar', unit: 'count', items: rows.map((r) => ({ key: r.k1!, value: r.count })) };
  },
};
