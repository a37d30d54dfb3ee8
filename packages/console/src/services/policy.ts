/**
 * Policy editing as a draft, and Deploy all (manual §6): every change is validated with the
 * policy schemas before it is stored; the draft is compared with the last deployed version;
 * Deploy all snapshots a numbered version and pushes it to the tenant's gateways.
 */
import type { z } from 'zod';
import type {
  ListEntry} from '@mamori/policy';
import {
  AddressObject,
  CustomCategory,
  GatewayGroup,
  MacObject,
  PolicyRule,
  SecurityProfile,
  ServiceObject,
  User,
  UserGroup,
  defaultPolicy,
  validatePolicy,
  type Deployment,
  type Policy,
} from '@mamori/policy';
import { ApiError } from '../errors.js';
import type { Store } from '../store/store.js';
import { tenantIntelFromStore } from '../intel/console-intel.js';

export const DRAFT_DIFFERS_MESSAGE = {
  ja: '設定が変更されました。[すべて配信]をクリックして変更を反映してください。',
  en: 'The settings have changed. Click [Deploy all] to apply the changes.',
};

/** The id-keyed parts of a policy, each edited through the same CRUD routes. */
export interface CollectionDef {
  /** URL segment under /policy/ */
  path: string;
  label: string;
  schema: z.ZodType<{ id: string }>;
  get(p: Policy): Array<{ id: string }>;
  set(p: Policy, items: Array<{ id: string }>): void;
}

const coll = <K extends string>(path: K, label: string, schema: z.ZodType<{ id: string }>, get: (p: Policy) => Array<{ id: string }>, set: (p: Policy, v: never[]) => void): CollectionDef => ({
  path,
  label,
  schema,
  get,
  set: set as CollectionDef['set'],
});

export const COLLECTIONS: CollectionDef[] = [
  coll('rules', 'policy rule', PolicyRule, (p) => p.rules, (p, v) => (p.rules = v)),
  coll('profiles', 'security profile', SecurityProfile, (p) => p.profiles, (p, v) => (p.profiles = v)),
  coll('gateway-groups', 'gateway group', GatewayGroup, (p) => p.gatewayGroups, (p, v) => (p.gatewayGroups = v)),
  coll('addresses', 'address object', AddressObject as unknown as z.ZodType<{ id: string }>, (p) => p.objects.addresses, (p, v) => (p.objects.addresses = v)),
  coll('macs', 'MAC address object', MacObject, (p) => p.objects.macs, (p, v) => (p.objects.macs = v)),
  coll('services', 'service object', ServiceObject, (p) => p.objects.services, (p, v) => (p.objects.services = v)),
  coll('users', 'user', User, (p) => p.objects.users, (p, v) => (p.objects.users = v)),
  coll('user-groups', 'user group', UserGroup, (p) => p.objects.userGroups, (p, v) => (p.objects.userGroups = v)),
  coll('custom-categories', 'custom URL category', CustomCategory, (p) => p.objects.customCategories, (p, v) => (p.objects.customCategories = v)),
];

export const LISTS = [
  { path: 'allow-list', key: 'allowList' },
  { path: 'block-list', key: 'blockList' },
] as const;

/** Stable JSON (sorted keys) so that equal documents compare equal. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .filter((k) => o[k] !== undefined)
        .map((k) => [k, sortKeys(o[k])]),
    );
  }
  return v;
}

export interface DraftState {
  policy: Policy;
  updatedAt: number;
  updatedBy: string;
  deployedVersion: number | null;
  differs: boolean;
}

export interface PolicyHub {
  /** sends the deployment when the gateway is connected; false when it is not */
  deploy(gatewayId: string, deployment: Deployment): boolean;
}

export type DecryptionCaSource = (tenantId: string) => Promise<{ certificatePem: string; privateKeyPem: string }>;

export class PolicyService {
  constructor(
    private readonly store: Store,
    private readonly hub: () => PolicyHub,
    private readonly decryptionCa: DecryptionCaSource,
  ) {}

  async initDraft(store: Store, tenantId: string, model: 10 | 50 | 100, by: string): Promise<void> {
    await store.tenant(tenantId).policy.putDraft(canonicalJson(defaultPolicy(model)), by);
  }

  async draft(tenantId: string, store: Store = this.store): Promise<DraftState> {
    const ts = store.tenant(tenantId);
    const d = await ts.policy.draft();
    if (!d) throw new ApiError('tenant.not_found');
    const latest = await ts.policy.latestVersion();
    return {
      policy: JSON.parse(d.json) as Policy,
      updatedAt: d.updatedAt,
      updatedBy: d.updatedBy,
      deployedVersion: latest?.version ?? null,
      differs: latest ? canonicalJson(JSON.parse(latest.json)) !== d.json : true,
    };
  }

  /**
   * Apply a change to the draft: mutate a copy, validate the whole policy, store it and audit
   * before/after. A rejected change stores nothing.
   */
  async change<T>(tenantId: string, actor: string, action: string, target: string, mutate: (p: Policy) => { before: unknown; after: unknown; result: T }): Promise<T> {
    return this.store.transaction(async (tx) => {
      const { policy } = await this.draft(tenantId, tx);
      const copy = structuredClone(policy);
      const r = mutate(copy);
      const v = validatePolicy(copy);
      if (!v.ok) throw new ApiError('policy.invalid', { problems: v.problems });
      await tx.tenant(tenantId).policy.putDraft(canonicalJson(v.value), actor);
      await tx.tenant(tenantId).audit.add({ actor, action, target, before: r.before, after: r.after });
      return r.result;
    });
  }

  async replaceDraft(tenantId: string, actor: string, input: unknown, action = 'policy.replace'): Promise<Policy> {
    return this.change(tenantId, actor, action, 'policy', (p) => {
      const v = validatePolicy(input);
      if (!v.ok) throw new ApiError('policy.invalid', { problems: v.problems });
      const before = structuredClone(p);
      Object.assign(p, v.value);
      return { before, after: v.value, result: v.value };
    });
  }

  /** Deploy all: snapshot a new numbered version and push it to every gateway of the tenant. */
  async deployAll(tenantId: string, actor: string): Promise<{ version: number; gateways: Array<{ gatewayId: string; name: string; state: 'pending'; connected: boolean }> }> {
    const { version, gateways } = await this.store.transaction(async (tx) => {
      const ts = tx.tenant(tenantId);
      const { policy } = await this.draft(tenantId, tx);
      const latest = await ts.policy.latestVersion();
      const version = (latest?.version ?? 0) + 1;
      await ts.policy.insertVersion(version, canonicalJson(policy), actor);
      const gws = await ts.gateways.list();
      for (const g of gws) {
        await ts.deployments.upsert(version, g.id, 'pending', null);
        await ts.gateways.update(g.id, { deploy_version: version, deploy_state: 'pending', deploy_error: null, deploy_at: Date.now() });
      }
      await ts.audit.add({ actor, action: 'policy.deploy', target: `version ${version}`, after: { version, gateways: gws.map((g) => g.id) } });
      return { version, gateways: gws };
    });
    const out = [];
    for (const g of gateways) {
      const d = await this.deploymentFor(tenantId, g.id);
      const connected = d ? this.hub().deploy(g.id, d) : false;
      out.push({ gatewayId: g.id, name: g.name, state: 'pending' as const, connected });
    }
    return { version, gateways: out };
  }

  /** The latest deployed version as a deploy message for one gateway (undefined: none yet). */
  async deploymentFor(tenantId: string, gatewayId: string): Promise<Deployment | undefined> {
    const ts = this.store.tenant(tenantId);
    const latest = await ts.policy.latestVersion();
    const gw = await ts.gateways.get(gatewayId);
    if (!latest || !gw) return undefined;
    return {
      version: latest.version,
      policy: JSON.parse(latest.json) as Policy,
      decryptionCa: await this.decryptionCa(tenantId),
      gatewayGroups: JSON.parse(gw.groups_json) as string[],
      intel: await tenantIntelFromStore(this.store, tenantId),
    };
  }

  async recordResult(tenantId: string, gatewayId: string, version: number, ok: boolean, error: string | undefined): Promise<void> {
    const ts = this.store.tenant(tenantId);
    const state = ok ? 'succeeded' : 'failed';
    await ts.deployments.upsert(version, gatewayId, state, ok ? null : (error ?? 'unknown error'));
    await ts.gateways.update(gatewayId, { deploy_version: version, deploy_state: state, deploy_error: ok ? null : (error ?? 'unknown error'), deploy_at: Date.now() });
  }

  static listEntries(p: Policy, key: 'allowList' | 'blockList'): ListEntry[] {
    return p[key];
  }
}
