/**
 * Log events (manual §9): the four log types a gateway produces and the console stores.
 * アプリケーション帯域幅 / ポリシー施行 / インターネットアクセス / インターネットセキュリティ.
 */
import { z } from 'zod';

export const LOG_TYPES = ['bandwidth', 'policy', 'access', 'security'] as const;
export const LogType = z.enum(LOG_TYPES);
export type LogType = z.infer<typeof LogType>;

const common = {
  /** unique per gateway: `${gatewayId}:${sequence}` or a uuid */
  id: z.string().min(1).max(128),
  /** epoch milliseconds */
  ts: z.number().int().nonnegative(),
  srcIp: z.string().max(64),
  srcMac: z.string().max(32).optional(),
  user: z.string().max(128).optional(),
  dstIp: z.string().max(64).optional(),
  dstPort: z.number().int().min(0).max(65535).optional(),
  protocol: z.enum(['tcp', 'udp', 'icmp', 'icmpv6', 'other']).optional(),
};

export const Action = z.enum(['allow', 'block', 'tag', 'detect', 'bypass']);

/** アプリケーション帯域幅 */
export const BandwidthEvent = z.strictObject({
  ...common,
  type: z.literal('bandwidth'),
  app: z.string().max(64),
  appCategory: z.string().max(64).optional(),
  bytesUp: z.number().int().nonnegative(),
  bytesDown: z.number().int().nonnegative(),
  durationMs: z.number().int().nonnegative().optional(),
});

/** ポリシー施行 */
export const PolicyEvent = z.strictObject({
  ...common,
  type: z.literal('policy'),
  action: Action,
  /** "rule" | "allowList" | "blockList" | "default" */
  reasonKind: z.enum(['rule', 'allowList', 'blockList', 'default']),
  ruleId: z.string().max(64).optional(),
  ruleName: z.string().max(256).optional(),
  listEntry: z.string().max(2048).optional(),
  app: z.string().max(64).optional(),
  host: z.string().max(253).optional(),
  policyVersion: z.number().int().nonnegative().optional(),
});

/** インターネットアクセス */
export const AccessEvent = z.strictObject({
  ...common,
  type: z.literal('access'),
  action: Action,
  url: z.string().max(8192).optional(),
  host: z.string().max(253),
  method: z.string().max(16).optional(),
  status: z.number().int().optional(),
  categories: z.array(z.string().max(64)).max(16).default([]),
  reputation: z.number().int().min(0).max(100).optional(),
  app: z.string().max(64).optional(),
  appFunction: z.string().max(64).optional(),
  ruleId: z.string().max(64).optional(),
  decrypted: z.boolean().optional(),
  bytesUp: z.number().int().nonnegative().optional(),
  bytesDown: z.number().int().nonnegative().optional(),
  requestId: z.string().max(64).optional(),
});

export const THREAT_TYPES = ['malware', 'ips', 'webReputation', 'cnc', 'spam', 'phishing', 'dos', 'portScan', 'myNumber', 'contentFilter', 'sandbox', 'certificate'] as const;
export const ThreatType = z.enum(THREAT_TYPES);
export type ThreatType = z.infer<typeof ThreatType>;

/** インターネットセキュリティ */
export const SecurityEvent = z.strictObject({
  ...common,
  type: z.literal('security'),
  threatType: ThreatType,
  action: Action,
  /** signature name, list entry, rule sid, ... */
  signature: z.string().max(512),
  severity: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
  host: z.string().max(253).optional(),
  url: z.string().max(8192).optional(),
  fileName: z.string().max(512).optional(),
  fileSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  mailFrom: z.string().max(512).optional(),
  mailTo: z.array(z.string().max(512)).max(100).optional(),
  subject: z.string().max(1024).optional(),
});

export const LogEvent = z.discriminatedUnion('type', [BandwidthEvent, PolicyEvent, AccessEvent, SecurityEvent]);
export type LogEvent = z.infer<typeof LogEvent>;
export type LogEventInput = z.input<typeof LogEvent>;
export type BandwidthEvent = z.infer<typeof BandwidthEvent>;
export type PolicyEvent = z.infer<typeof PolicyEvent>;
export type AccessEvent = z.infer<typeof AccessEvent>;
export type SecurityEvent = z.infer<typeof SecurityEvent>;

/** A batch as shipped from a gateway's spool; the id makes re-sending idempotent. */
export const EventBatch = z.strictObject({
  batchId: z.string().min(1).max(128),
  gatewayId: z.string().min(1).max(64),
  events: z.array(LogEvent).max(10_000),
});
export type EventBatch = z.infer<typeof EventBatch>;

export const EventBatchAck = z.strictObject({
  batchId: z.string(),
  accepted: z.number().int().nonnegative(),
  duplicate: z.boolean(),
});
export type EventBatchAck = z.infer<typeof EventBatchAck>;
