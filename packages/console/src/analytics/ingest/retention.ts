/**
 * Per-tenant retention: raw events older than the tenant's setting (default 90 days) are purged;
 * rollup buckets wholly before the cutoff go with them.
 */
import type { Clock } from '../clock.js';
import type { MetaDb } from '../meta/meta-store.js';
import type { EventStore } from '../store/event-store.js';

export const DEFAULT_RETENTION_DAYS = 90;
export const MAX_RETENTION_DAYS = 3650;

export async function getRetentionDays(meta: MetaDb, tenantId: string): Promise<number> {
  const row = await meta.selectFrom('analytics_retention').select('days').where('tenant_id', '=', tenantId).executeTakeFirst();
  return row ? Number(row.days) : DEFAULT_RETENTION_DAYS;
}

export async function setRetentionDays(meta: MetaDb, tenantId: string, days: number): Promise<void> {
  if (!Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) throw new RangeError(`retention must be 1..${MAX_RETENTION_DAYS} days, got ${days}`);
  await meta
    .insertInto('analytics_retention')
    .values({ tenant_id: tenantId, days })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ days }))
    .execute();
}

/** Applies retention for the given tenants; returns the raw events removed per tenant. */
export async function applyRetention(events: EventStore, meta: MetaDb, clock: Clock, tenantIds: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tenantIds) {
    const days = await getRetentionDays(meta, t);
    out[t] = await events.purgeBefore(t, clock.now() - days * 86_400_000);
  }
  return out;
}
