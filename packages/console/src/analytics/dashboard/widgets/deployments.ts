import type { Widget } from '../widget.js';

export const deployments: Widget = {
  id: 'deployments',
  title: { ja: 'ポリシー配信', en: 'Deployments' },
  defaultHours: 24 * 30,
  async load(ctx) {
    const list = await ctx.facts.deployments(ctx.tenantId, ctx.limit);
    return {
      kind: 'table',
      columns: ['version', 'at', 'by', 'succeeded', 'failed', 'pending'],
      rows: list
        .filter((d) => d.at >= ctx.from && d.at < ctx.to)
        .map((d) => ({
          version: d.version,
          at: d.at,
          by: d.by ?? null,
          succeeded: d.results.filter((r) => r.status === 'success').length,
          failed: d.results.filter((r) => r.status === 'failed').length,
          pending: d.results.filter((r) => r.status === 'pending').length,
        })),
    };
  },
};
