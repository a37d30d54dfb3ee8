/**
 * Gateways (manual §4): enrollment tokens, CSR-based enrollment, status for the gateway list
 * (online/offline after 15 minutes without contact, version, interfaces, last deployment).
 */
import { z } from 'zod';
import { GatewayStatus, type EnrollRequest, type EnrollResponse } from '@mamori/policy';
import { ApiError } from '../errors.js';
import { fingerprint256, signCsr, type KeyPairPem } from '../crypto/pki.js';
import { newId, newSecret, sha256 } from '../store/ids.js';
import type { GatewayRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { PolicyService } from './policy.js';

export const OFFLINE_AFTER_MS = 15 * 60 * 1000;
export const ENROLLMENT_TOKEN_MS = 7 * 24 * 3600 * 1000;

export const GatewayView = z.strictObject({
  id: z.string(),
  name: z.string(),
  hostname: z.string(),
  groups: z.array(z.string()),
  status: z.enum(['online', 'offline']),
  connected: z.boolean(),
  lastSeen: z.number().nullable(),
  enrolledAt: z.number(),
  version: z.string().nullable(),
  details: GatewayStatus.nullable(),
  lastDeployment: z
    .strictObject({
      version: z.number(),
      state: z.enum(['pending', 'succeeded', 'failed']),
      error: z.string().nullable(),
      at: z.number().nullable(),
    })
    .nullable(),
});
export type GatewayView = z.infer<typeof GatewayView>;

export function gatewayView(g: GatewayRow, now = Date.now()): GatewayView {
  const online = g.last_seen !== null && now - g.last_seen < OFFLINE_AFTER_MS;
  return {
    id: g.id,
    name: g.name,
    hostname: g.hostname,
    groups: JSON.parse(g.groups_json) as string[],
    status: online ? 'online' : 'offline',
    connected: g.connected === 1,
    lastSeen: g.last_seen,
    enrolledAt: g.enrolled_at,
    version: g.version,
    details: g.status_json ? GatewayStatus.parse(JSON.parse(g.status_json)) : null,
    lastDeployment: g.deploy_version !== null && g.deploy_state !== null ? { version: g.deploy_version, state: g.deploy_state, error: g.deploy_error, at: g.deploy_at } : null,
  };
}

export class GatewayService {
  constructor(
    private readonly store: Store,
    private readonly ca: () => KeyPairPem,
    private readonly syncUrl: () => string,
    private readonly policy: PolicyService,
  ) {}

  async createEnrollmentToken(tenantId: string, input: { name: string; groups: string[] }, actor: string): Promise<{ id: string; token: string; expiresAt: number }> {
    await this.checkGroups(tenantId, input.groups);
    const token = `mgt_${newSecret(32)}`;
    const id = newId('et');
    const expiresAt = Date.now() + ENROLLMENT_TOKEN_MS;
    const ts = this.store.tenant(tenantId);
    await ts.enrollmentTokens.insert({ tokenHash: sha256(token), id, name: input.name, groups: input.groups, expiresAt });
    await ts.audit.add({ actor, action: 'gateway.enrollment_token.create', target: id, after: { name: input.name, groups: input.groups } });
    return { id, token, expiresAt };
  }

  async checkGroups(tenantId: string, groups: string[]): Promise<void> {
    const { policy } = await this.policy.draft(tenantId);
    const known = new Set(policy.gatewayGroups.map((g) => g.id));
    const unknown = groups.filter((g) => !known.has(g));
    if (unknown.length) {
      throw new ApiError('validation.failed', {
        problems: unknown.map((id, i) => ({ path: `groups.${i}`, code: 'policy.reference.unknown' as const, message: { ja: `ゲートウェイグループ「${id}」は存在しません。`, en: `Unknown gatewayGroup "${id}".` } })),
      });
    }
  }

  async enroll(req: EnrollRequest): Promise<EnrollResponse> {
    const t = await this.store.consumeEnrollmentToken(sha256(req.token), Date.now());
    if (!t) throw new ApiError('gateway.enroll_token_invalid');
    const id = newId('gw');
    let certificatePem: string;
    try {
      certificatePem = await signCsr(this.ca(), req.csrPem, id);
    } catch {
      throw new ApiError('gateway.csr_invalid');
    }
    const ts = this.store.tenant(t.tenantId);
    await ts.gateways.insert({
      id,
      name: t.name,
      hostname: req.hostname,
      groups_json: JSON.stringify(t.groups),
      cert_fingerprint: fingerprint256(certificatePem),
      version: req.version,
      status_json: null,
      connected: 0,
      last_seen: Date.now(),
      enrolled_at: Date.now(),
      deploy_version: null,
      deploy_state: null,
      deploy_error: null,
      deploy_at: null,
    });
    await ts.audit.add({ actor: `gateway:${id}`, action: 'gateway.enroll', target: id, after: { name: t.name, hostname: req.hostname, version: req.version } });
    return { gatewayId: id, tenantId: t.tenantId, certificatePem, caPem: this.ca().certificatePem, syncUrl: this.syncUrl() };
  }
}
