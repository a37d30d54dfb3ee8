/** Saved log-analysis queries ("favorites"), per user and tenant. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { MetaDb } from '../meta/meta-store.js';
import type { LogType } from '@mamori/policy';
import { parseLogQuery, QueryError } from '../store/query-model.js';

export const SavedQueryInput = z.strictObject({
  name: z.string().trim().min(1).max(128),
  favorite: z.boolean().default(true),
  /** a log query; a relative range (last N hours) is kept as `hours` instead of from/to */
  query: z.record(z.string(), z.unknown()),
  hours: z.number().int().min(1).max(24 * 366).optional(),
});

export interface SavedQuery {
  id: string;
  name: string;
  type: LogType;
  favorite: boolean;
  query: Record<string, unknown>;
  hours?: number;
  createdAt: number;
}

export async function saveQuery(meta: MetaDb, tenantId: string, userId: string, input: unknown, now: number, id: string = randomUUID()): Promise<SavedQuery> {
  const r = SavedQueryInput.safeParse(input);
  if (!r.success) throw new QueryError(`invalid saved query: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const v = r.data;
  // check the query now so that a saved query always runs
  const probe = { from: 0, to: 1, ...v.query };
  const q = parseLogQuery(probe);
  const stored = { query: v.query, hours: v.hours };
  const existing = await meta.selectFrom('analytics_saved_queries').select('id').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  if (existing) {
    await meta.updateTable('analytics_saved_queries').set({ name: v.name, log_type: q.type, query_json: JSON.stringify(stored), favorite: v.favorite ? 1 : 0 }).where('id', '=', id).execute();
  } else {
    await meta.insertInto('analytics_saved_queries').values({ id, tenant_id: tenantId, user_id: userId, name: v.name, log_type: q.type, query_json: JSON.stringify(stored), favorite: v.favorite ? 1 : 0, created_at: now }).execute();
  }
  return { id, name: v.name, type: q.type, favorite: v.favorite, query: v.query, ...(v.hours ? { hours: v.hours } : {}), createdAt: now };
}

export async function listSavedQueries(meta: MetaDb, tenantId: string, userId: string): Promise<SavedQuery[]> {
  const rows = await meta.selectFrom('analytics_saved_queries').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).orderBy('favorite', 'desc').orderBy('created_at').execute();
  return rows.map((r) => {
    const s = JSON.parse(r.query_json) as { query: Record<string, unknown>; hours?: number };
    return { id: r.id, name: r.name, type: r.log_type as LogType, favorite: Number(r.favorite) === 1, query: s.query, ...(s.hours ? { hours: s.hours } : {}), createdAt: Number(r.created_at) };
  });
}

export async function deleteSavedQuery(meta: MetaDb, tenantId: string, userId: string, id: string): Promise<boolean> {
  const r = await meta.deleteFrom('analytics_saved_queries').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
