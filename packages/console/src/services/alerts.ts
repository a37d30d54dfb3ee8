/**
 * Admin alert settings (manual §8, §5-1 ⑦): recipients and alert types, owned by the operator;
 * read-only for tenant roles. Sending comes with the analytics part (it reads these settings).
 */
import { z } from 'zod';
import type { Store } from '../store/store.js';

export const ALERT_TYPES = ['gatewayStatus', 'cncCallback', 'deploymentFailed'] as const;

export const AdminAlertSettings = z.strictObject({
  enabled: z.boolean(),
  recipients: z.array(z.email().max(254)).max(20),
  types: z.strictObject({
    /** ゲートウェイの状態の変更 */
    gatewayStatus: z.boolean(),
    /** C&Cコールバックの検出 */
    cncCallback: z.boolean(),
    /** ポリシー配信の失敗 */
    deploymentFailed: z.boolean(),
  }),
});
export type AdminAlertSettings = z.infer<typeof AdminAlertSettings>;

export function defaultAlertSettings(adminEmail: string): AdminAlertSettings {
  return { enabled: true, recipients: [adminEmail], types: { gatewayStatus: true, cncCallback: true, deploymentFailed: true } };
}

export async function getAlertSettings(store: Store, tenantId: string): Promise<AdminAlertSettings> {
  const raw = await store.tenant(tenantId).alerts.get();
  return raw ? AdminAlertSettings.parse(JSON.parse(raw)) : { enabled: true, recipients: [], types: { gatewayStatus: true, cncCallback: true, deploymentFailed: true } };
}
