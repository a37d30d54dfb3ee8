/**
 * What analytics needs to know from the rest of the console (gateways, deployments, alert
 * recipients, mail). The console wires its store and mail outbox in; tests pass plain objects.
 */
export interface GatewayInfo {
  id: string;
  name: string;
  /** last contact (sync heartbeat or events), epoch ms; null if never */
  lastSeenAt: number | null;
  /** its sync channel is open right now (on any console node): online whatever the clock says */
  connected?: boolean;
  version?: string;
  model?: string;
  lastDeployment?: { version: number; status: 'success' | 'failed' | 'pending'; at: number; error?: string };
}

export interface DeploymentInfo {
  id: string;
  version: number;
  at: number;
  by?: string;
  results: Array<{ gatewayId: string; status: 'success' | 'failed' | 'pending'; error?: string }>;
}

/** the admin-alert types that the settings switch on and off (console services/alerts.ts ALERT_TYPES) */
export type AlertType = 'gatewayStatus' | 'cncCallback' | 'deploymentFailed';

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  attachments?: MailAttachment[];
}

export interface ConsoleFacts {
  gateways(tenantId: string): Promise<GatewayInfo[]>;
  deployments(tenantId: string, limit: number): Promise<DeploymentInfo[]>;
  /**
   * the admin-alert settings (§8): enabled, recipients and the switch per alert type (a type that
   * is off raises no alert; a type not listed is on)
   */
  alertSettings(tenantId: string): Promise<{ enabled: boolean; recipients: string[]; types?: Partial<Record<AlertType, boolean>> }>;
  tenants(): Promise<Array<{ id: string; name: string }>>;
  /** sends (or queues in the outbox) when mail is on; returns false when mail is off */
  sendMail(tenantId: string, msg: MailMessage): Promise<boolean>;
}

/** Facts for a console with no gateways and no mail (standalone use and tests). */
export function emptyFacts(overrides: Partial<ConsoleFacts> = {}): ConsoleFacts {
  return {
    gateways: async () => [],
    deployments: async () => [],
    alertSettings: async () => ({ enabled: false, recipients: [] }),
    tenants: async () => [],
    sendMail: async () => false,
    ...overrides,
  };
}
