import { z } from 'zod';
import { TenantParams, type RouteRegistry } from '../http/registry.js';
import { analyticsFor } from '../analytics/console-routes.js';
import { parseLogQuery } from '../analytics/store/query-model.js';

const DAY = 86_400_000;
const Submission = z.strictObject({
  id: z.string(),
  subject: z.string(),
  sender: z.string(),
  recipient: z.string(),
  attachment: z.string(),
  submittedAt: z.number(),
  verdict: z.enum(['pending', 'safe', 'malicious', 'timeout']),
});

/**
 * §10 クラウドサンドボックス: the attachments the gateways reported as sent to the virtual analyzer,
 * i.e. their security events of threat type "sandbox" (block/detect = malicious, allow/bypass =
 * safe, tag = still being analysed). Empty until a gateway reports one; nothing is invented here.
 */
export function sandboxRoutes(r: RouteRegistry): void {
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/sandbox/submissions',
    area: 'sandbox',
    summary: 'Sandbox submissions of the last N days (default 30), newest first, from the gateways\' sandbox security events',
    access: 'tenantViewer',
    tenantScoped: true,
    params: TenantParams,
    query: z.strictObject({ days: z.coerce.number().int().min(1).max(366).default(30) }),
    response: z.strictObject({ submissions: z.array(Submission) }),
    handler: async ({ tenantId, query, services }) => {
      const a = await analyticsFor(services);
      const to = Date.now();
      const q = parseLogQuery({ type: 'security', from: to - query.days * DAY, to: to + 1, filters: [{ field: 'threatType', op: 'eq', value: 'sandbox' }], limit: 500 });
      const events = await a.events.raw(tenantId, q);
      const submissions = events.flatMap((e) => {
        if (e.type !== 'security') return [];
        const verdict = e.action === 'block' || e.action === 'detect' ? 'malicious' : e.action === 'tag' ? 'pending' : 'safe';
        return [{ id: e.id, subject: e.subject ?? '', sender: e.mailFrom ?? '', recipient: (e.mailTo ?? []).join(', '), attachment: e.fileName ?? e.fileSha256 ?? '', submittedAt: e.ts, verdict } as const];
      });
      return { submissions: submissions.sort((x, y) => y.submittedAt - x.submittedAt) };
    },
  });
}
