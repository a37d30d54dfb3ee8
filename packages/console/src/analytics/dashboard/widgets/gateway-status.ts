import type { Widget } from '../widget.js';
import { OFFLINE_AFTER_MS } from '../../alerts/rules.js';

export const gatewayStatus: Widget = {
  id: 'gateway-status',
  title: { ja: 'ゲートウェイのステータス', en: 'Gateway status' },
  defaultHours: 24,
  async load(ctx) {
    const [gateways, lastEvents] = await Promise.all([ctx.facts.gateways(ctx.tenantId), ctx.events.lastEventByGateway(ctx.tenantId)]);
    return {
      kind: 'table',
      columns: ['name', 'status', 'lastSeenAt', 'lastEventAt', 'version', 'lastDeployment'],
      rows: gateways.map((g) => {
        const seen = Math.max(g.lastSeenAt ?? 0, lastEvents[g.id] ?? 0);
        return {
          id: g.id,
          name: g.name,
          status: seen > 0 && ctx.now - seen < OFFLINE_AFTER_MS ? 'online' : 'offline',
          lastSeenAt: seen || null,
          lastEventAt: lastEvents[g.id] ?? null,
          version: g.version ?? null,
          lastDeployment: g.lastDeployment ? `${g.lastDeployment.version}: ${g.lastDeployment.status}` : null,
        };
      }),
    };
  },
};
