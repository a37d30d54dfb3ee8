/**
 * Console ⇄ gateway protocol. Enrollment is HTTPS (one-time token → client certificate); after
 * that the gateway holds a WebSocket over mutual TLS at /api/gateway/sync carrying these JSON
 * messages, one per frame. Log events are POSTed in batches to /api/gateway/events with the same
 * client certificate (see events.ts: EventBatch → EventBatchAck).
 */
import { z } from 'zod';
import { Policy } from './policy.js';

export const PROTOCOL_VERSION = 1;

/** POST /api/gateway/enroll (plain TLS, the token authenticates) */
export const EnrollRequest = z.strictObject({
  token: z.string().min(16).max(256),
  /** PKCS#10 certificate signing request, PEM, ECDSA P-256 key generated on the gateway */
  csrPem: z.string().min(100).max(16_384),
  hostname: z.string().max(253),
  version: z.string().max(64),
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollResponse = z.strictObject({
  gatewayId: z.string(),
  tenantId: z.string(),
  /** the client certificate, signed by the console's gateway CA */
  certificatePem: z.string(),
  /** the CA that signs the console's server and gateway certificates: pin it */
  caPem: z.string(),
  /** where to connect for sync (wss://host:port/api/gateway/sync) */
  syncUrl: z.string(),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

export const InterfaceStatus = z.strictObject({
  name: z.string(),
  role: z.enum(['lan', 'wan', 'other']).default('other'),
  addresses: z.array(z.string()),
  mac: z.string().optional(),
  up: z.boolean(),
  rxBytes: z.number().nonnegative().optional(),
  txBytes: z.number().nonnegative().optional(),
});
export type InterfaceStatus = z.infer<typeof InterfaceStatus>;

/** What the gateway says about itself, on connect and every heartbeat. */
export const GatewayStatus = z.strictObject({
  version: z.string(),
  mode: z.enum(['explicit-proxy', 'router']),
  /** why it is not in router mode, when it is not (not root, no nftables, not configured) */
  modeReason: z.string().optional(),
  uptimeSec: z.number().nonnegative(),
  policyVersion: z.number().int().nonnegative().nullable(),
  intelVersion: z.string().nullable(),
  interfaces: z.array(InterfaceStatus),
  spoolPending: z.number().int().nonnegative().default(0),
});
export type GatewayStatus = z.infer<typeof GatewayStatus>;

/** The tenant CA for HTTPS decryption, pushed with every deployment. */
export const DecryptionCa = z.strictObject({
  certificatePem: z.string(),
  /** PKCS#8 PEM; travels only over the mutual-TLS channel and is kept 0600 on the gateway */
  privateKeyPem: z.string(),
});

export const Deployment = z.strictObject({
  version: z.number().int().positive(),
  policy: Policy,
  decryptionCa: DecryptionCa,
  /** the deploying gateway's group ids, to select rules by gateway group */
  gatewayGroups: z.array(z.string()),
});
export type Deployment = z.infer<typeof Deployment>;

// console → gateway
export const ServerMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('welcome'), gatewayId: z.string(), protocol: z.literal(PROTOCOL_VERSION), serverTime: z.number() }),
  z.strictObject({ type: z.literal('deploy'), deployment: Deployment }),
  z.strictObject({ type: z.literal('intel'), version: z.string(), url: z.string(), sha256: z.string() }),
  z.strictObject({ type: z.literal('ping'), ts: z.number() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

// gateway → console
export const GatewayMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), protocol: z.literal(PROTOCOL_VERSION), status: GatewayStatus }),
  z.strictObject({ type: z.literal('status'), status: GatewayStatus }),
  z.strictObject({
    type: z.literal('deployResult'),
    version: z.number().int().positive(),
    ok: z.boolean(),
    /** why it failed: compile error, nftables apply error, ... */
    error: z.string().max(4096).optional(),
  }),
  z.strictObject({ type: z.literal('pong'), ts: z.number() }),
]);
export type GatewayMessage = z.infer<typeof GatewayMessage>;
