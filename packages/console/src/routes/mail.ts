import { z } from 'zod';
import { TenantParams, type RouteRegistry } from '../http/registry.js';
import type { OutboxRow } from '../store/schema.js';

const MailView = z.strictObject({
  id: z.string(),
  tenantId: z.string().nullable(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  status: z.enum(['captured', 'sent', 'failed']),
  error: z.string().nullable(),
  createdAt: z.number(),
});
const view = (m: OutboxRow) => ({ id: m.id, tenantId: m.tenant_id, to: m.to_addr, subject: m.subject, text: m.text, status: m.status, error: m.error, createdAt: m.created_at });

export function mailRoutes(r: RouteRegistry): void {
  r.add({
    method: 'GET',
    url: '/api/outbox',
    area: 'mail',
    summary: 'Every mail the console sent or captured (without SMTP settings mail is only kept here)',
    access: 'operator',
    tenantScoped: false,
    response: z.strictObject({ mode: z.enum(['smtp', 'outbox']), mails: z.array(MailView) }),
    handler: async ({ services }) => ({ mode: services.mailer.mode, mails: (await services.store.outbox.listAll()).map(view) }),
  });
  r.add({
    method: 'GET',
    url: '/api/tenants/:tenantId/outbox',
    area: 'mail',
    summary: "Mail sent to the tenant's accounts and recipients",
    access: 'tenantAdmin',
    tenantScoped: true,
    params: TenantParams,
    response: z.strictObject({ mode: z.enum(['smtp', 'outbox']), mails: z.array(MailView) }),
    handler: async ({ tenantId, services }) => ({ mode: services.mailer.mode, mails: (await services.store.tenant(tenantId).outbox.list()).map(view) }),
  });
}
