/** Per-user dashboard layout: which widgets, where, with which time range; kept in the meta store. */
import { z } from 'zod';
import type { MetaDb } from '../meta/meta-store.js';
import { WIDGETS, widgetById } from './registry.js';

export const DashboardLayout = z.strictObject({
  widgets: z
    .array(
      z.strictObject({
        widget: z.string().min(1).max(64),
        x: z.number().int().min(0).max(11),
        y: z.number().int().min(0).max(1000),
        w: z.number().int().min(1).max(12),
        h: z.number().int().min(1).max(20),
        hours: z.number().int().min(1).max(24 * 366).optional(),
      }),
    )
    .max(40),
});
export type DashboardLayout = z.infer<typeof DashboardLayout>;

export function defaultLayout(): DashboardLayout {
  return { widgets: WIDGETS.map((w, i) => ({ widget: w.id, x: (i % 2) * 6, y: Math.floor(i / 2) * 4, w: 6, h: 4 })) };
}

export function parseLayout(input: unknown): DashboardLayout {
  const r = DashboardLayout.safeParse(input);
  if (!r.success) throw new RangeError(`invalid dashboard layout: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  for (const w of r.data.widgets) if (!widgetById(w.widget)) throw new RangeError(`unknown widget "${w.widget}"`);
  return r.data;
}

export async function loadLayout(meta: MetaDb, tenantId: string, userId: string): Promise<DashboardLayout> {
  const row = await meta.selectFrom('analytics_dashboards').select('layout_json').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
  return row ? (JSON.parse(row.layout_json) as DashboardLayout) : defaultLayout();
}

export async function saveLayout(meta: MetaDb, tenantId: string, userId: string, input: unknown, now: number): Promise<DashboardLayout> {
  const layout = parseLayout(input);
  const layout_json = JSON.stringify(layout);
  await meta
    .insertInto('analytics_dashboards')
    .values({ tenant_id: tenantId, user_id: userId, layout_json, updated_at: now })
    .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ layout_json, updated_at: now }))
    .execute();
  return layout;
}
