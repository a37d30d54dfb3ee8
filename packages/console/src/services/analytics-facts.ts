/**
 * The console's side of the analytics contract (analytics/console-facts.ts): gateways, deployments,
 * admin-alert settings, tenants and mail, read from this console's store. Pass
 * `consoleFacts(services)` as `facts` to createAnalytics().
 */
import type { ConsoleFacts, DeploymentInfo, GatewayInfo } from '../analytics/console-facts.js';
import type { Services } from './services.js';
import { getAlertSettings } from './alerts.js';

const STATUS = { pending: 'pending', succeeded: 'success', failed: 'failed' } as const;

export function consoleFacts(s: Pick<Services, 'store' | 'mailer'>): ConsoleFacts {
  return {
    async gateways(tenantId) {
      const model = (await s.store.tenant(tenantId).info())?.model;
      return (await s.store.tenant(tenantId).gateways.list()).map((g): GatewayInfo => ({
        id: g.id,
        name: g.name,
        lastSeenAt: g.last_seen,
        connected: g.connected === 1,
        ...(g.version ? { version: g.version } : {}),
        ...(model ? { model: String(model) } : {}),
        ...(g.deploy_version !== null && g.deploy_state
          ? { lastDeployment: { version: g.deploy_version, status: STATUS[g.deploy_state], at: g.deploy_at ?? 0, ...(g.deploy_error ? { error: g.deploy_error } : {}) } }
          : {}),
      }));
    },
    async deployments(tenantId, limit) {
      const ts = s.store.tenant(tenantId);
      const out: DeploymentInfo[] = [];
      for (const v of (await ts.policy.versions()).slice(0, limit)) {
        const results = (await ts.deployments.forVersion(v.version)).map((d) => ({ gatewayId: d.gateway_id, status: STATUS[d.state], ...(d.error ? { error: d.error } : {}) }));
        out.push({ id: `${tenantId}:${v.version}`, version: v.version, at: v.created_at, by: v.created_by, results });
      }
      return out;
    },
    async alertSettings(tenantId) {
      const a = await getAlertSettings(s.store, tenantId);
      return { enabled: a.enabled, recipients: a.recipients, types: a.types };
    },
    async tenants() {
      return (await s.store.tenants.list()).map((t) => ({ id: t.id, name: t.name }));
    },
    async sendMail(tenantId, msg) {
      // attachments go out over SMTP; the outbox keeps their names
      for (const to of msg.to) {
        await s.mailer.send({ tenantId, to, subject: msg.subject, text: msg.text, ...(msg.attachments?.length ? { attachments: msg.attachments } : {}) });
      }
      return true;
    },
  };
}
