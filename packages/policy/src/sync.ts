/**
 * Console ⇄ gateway protocol. Enrollment is HTTPS (one-time token → client certificate); after
 * that the gateway holds a WebSocket over mutual TLS at /api/gateway/sync carrying these JSON
 * messages, one per frame. Log events are POSTed in batches to /api/gateway/events with the same
 * client certificate (see events.ts: EventBatch → EventBatchAck).
 */
import { z } from 'zod';
import { Policy } from './policy.js';
import { classifyListValue } from './list-value.js';
import { checked } from './issue.js';

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

/**
 * A tenant's reclassification: the entry (a host, "*.host" for a domain and its subdomains,
 * "host/path" or an IP, as in the allow/block lists) gets these URL categories instead of the
 * intel database's. Validated on the console (known category ids); travels with deployments.
 */
export const Reclassification = z.strictObject({
  entry: z.string().trim().min(1).max(2048).superRefine(checked((v) => classifyListValue(v) !== null, 'policy.list_entry.invalid')),
  categories: z.array(z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(64)).min(1).max(16),
  note: z.string().max(512).optional(),
});
export type Reclassification = z.infer<typeof Reclassification>;

/** Tenant intel deployed with the policy (optional: older consoles do not send it). */
export const TenantIntel = z.strictObject({
  reclassifications: z.array(Reclassification).max(20_000).default([]),
});
export type TenantIntel = z.infer<typeof TenantIntel>;

export const Deployment = z.strictObject({
  version: z.number().int().positive(),
  policy: Policy,
  decryptionCa: DecryptionCa,
  /** the deploying gateway's group ids, to select rules by gateway group */
  gatewayGroups: z.array(z.string()),
  intel: TenantIntel.optional(),
});
export type Deployment = z.infer<typeof Deployment>;

// console → gateway
export const ServerMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('welcome'), gatewayId: z.string(), protocol: z.literal(PROTOCOL_VERSION), serverTime: z.number() }),
  z.strictObject({ type: z.literal('deploy'), deployment: Deployment }),
  /** the console's active intel database: download `url` (a path on the mutual-TLS origin) and check its SHA-256 */
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

// cloud lookups: gateway → console over mutual TLS (POST /api/gateway/intel/lookup, /files)
export const CloudLookupRequest = z.strictObject({
  /** hosts or absolute URLs the gateway's own database has no category for */
  items: z.array(z.string().min(1).max(2048)).min(1).max(100),
});
export type CloudLookupRequest = z.infer<typeof CloudLookupRequest>;

export const CloudVerdict = z.strictObject({
  query: z.string(),
  categories: z.array(z.string()),
  /** where the categories came from: the tenant's reclassification, the console's database, nothing */
  source: z.enum(['reclassified', 'database', 'none']),
  reputation: z.strictObject({ score: z.number().min(0).max(100), level: z.enum(['safe', 'low', 'medium', 'high', 'dangerous']), reasons: z.array(z.string()) }),
});
export type CloudVerdict = z.infer<typeof CloudVerdict>;

export const CloudLookupResponse = z.strictObject({
  /** the console's active intel database version */
  intelVersion: z.string(),
  results: z.array(CloudVerdict),
});
export type CloudLookupResponse = z.infer<typeof CloudLookupResponse>;

export const FileLookupRequest = z.strictObject({
  sha256: z.array(z.string().regex(/^[0-9a-fA-F]{64}$/)).min(1).max(100),
});
export const FileVerdict = z.strictObject({
  sha256: z.string(),
  verdict: z.enum(['malicious', 'unknown']),
  name: z.string().optional(),
});
export type FileVerdict = z.infer<typeof FileVerdict>;
export const FileLookupResponse = z.strictObject({ results: z.array(FileVerdict) });
