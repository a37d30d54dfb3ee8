/**
 * The policy document: everything a tenant configures under ポリシー, deployed as one version.
 * It is also the body of the backup file (.ce) and of the deploy message.
 */
import { z } from 'zod';
import { AddressObject, CustomCategory, GatewayGroup, MacObject, ServiceObject, User, UserGroup } from './objects.js';
import { SecurityProfile } from './profile.js';
import { ListEntry, PolicyRule } from './rule.js';
import { issue, toProblems, type Problem } from './issue.js';
import { message } from './messages.js';

export const POLICY_SCHEMA_VERSION = 1;

export const PolicyObjects = z.strictObject({
  addresses: z.array(AddressObject).default([]),
  macs: z.array(MacObject).default([]),
  services: z.array(ServiceObject).default([]),
  users: z.array(User).default([]),
  userGroups: z.array(UserGroup).default([]),
  customCategories: z.array(CustomCategory).default([]),
});
export type PolicyObjects = z.infer<typeof PolicyObjects>;

const PolicyShape = z.strictObject({
  schemaVersion: z.literal(POLICY_SCHEMA_VERSION),
  /** gateway model the policy was made for: 10, 50 or 100 users */
  model: z.literal([10, 50, 100]),
  objects: PolicyObjects.prefault({}),
  gatewayGroups: z.array(GatewayGroup).default([]),
  profiles: z.array(SecurityProfile).default([]),
  /** ordered: applied top-down, first enabled match wins */
  rules: z.array(PolicyRule).default([]),
  allowList: z.array(ListEntry).default([]),
  blockList: z.array(ListEntry).default([]),
});

export const Policy = PolicyShape.superRefine((p, ctx) => {
  // ids are unique per kind; names of rules and profiles are unique (the UI lists them by name)
  const uniq = (items: Array<{ id: string; name?: string }>, path: string, checkNames: boolean) => {
    const seenIds = new Set<string>();
    const seenNames = new Set<string>();
    items.forEach((it, i) => {
      if (seenIds.has(it.id)) ctx.addIssue(issue('policy.id.duplicate', { id: it.id }, [...path.split('.'), i, 'id']));
      seenIds.add(it.id);
      if (checkNames && it.name !== undefined) {
        if (seenNames.has(it.name)) ctx.addIssue(issue('policy.name.duplicate', { name: it.name }, [...path.split('.'), i, 'name']));
        seenNames.add(it.name);
      }
    });
    return seenIds;
  };
  const addressIds = uniq(p.objects.addresses, 'objects.addresses', true);
  const macIds = uniq(p.objects.macs, 'objects.macs', true);
  const serviceIds = uniq(p.objects.services, 'objects.services', true);
  const userIds = uniq(p.objects.users, 'objects.users', false);
  const groupIds = uniq(p.objects.userGroups, 'objects.userGroups', true);
  const customIds = uniq(p.objects.customCategories, 'objects.customCategories', true);
  const gwGroupIds = uniq(p.gatewayGroups, 'gatewayGroups', true);
  const profileIds = uniq(p.profiles, 'profiles', true);
  uniq(p.rules, 'rules', true);

  const ref = (set: Set<string>, id: string, kind: string, path: PropertyKey[]) => {
    if (!set.has(id)) ctx.addIssue(issue('policy.reference.unknown', { kind, id }, path));
  };
  p.objects.userGroups.forEach((g, i) => g.members.forEach((m, j) => ref(userIds, m, 'user', ['objects', 'userGroups', i, 'members', j])));
  p.rules.forEach((r, i) => {
    const base = ['rules', i];
    r.gatewayGroups.forEach((g, j) => ref(gwGroupIds, g, 'gatewayGroup', [...base, 'gatewayGroups', j]));
    if (r.source.type === 'selected') {
      r.source.users.forEach((x, j) => ref(userIds, x, 'user', [...base, 'source', 'users', j]));
      r.source.groups.forEach((x, j) => ref(groupIds, x, 'userGroup', [...base, 'source', 'groups', j]));
      r.source.addresses.forEach((x, j) => ref(addressIds, x, 'address', [...base, 'source', 'addresses', j]));
      r.source.macs.forEach((x, j) => ref(macIds, x, 'mac', [...base, 'source', 'macs', j]));
    }
    if (r.destination.type === 'addresses') {
      r.destination.addresses.forEach((x, j) => ref(addressIds, x, 'address', [...base, 'destination', 'addresses', j]));
    }
    if (r.service.type === 'selected') r.service.services.forEach((x, j) => ref(serviceIds, x, 'service', [...base, 'service', 'services', j]));
    if (r.content.type === 'selected') {
      r.content.customCategories.forEach((x, j) => ref(customIds, x, 'customCategory', [...base, 'content', 'customCategories', j]));
    }
    if (r.profileId !== null && !profileIds.has(r.profileId)) ctx.addIssue(issue('policy.profile.missing', { id: r.profileId }, [...base, 'profileId']));
  });
  for (const list of ['allowList', 'blockList'] as const) {
    const seen = new Set<string>();
    p[list].forEach((e, i) => {
      const k = e.value.toLowerCase();
      if (seen.has(k)) ctx.addIssue(issue('policy.list_entry.duplicate', { value: e.value }, [list, i, 'value']));
      seen.add(k);
    });
  }
});
export type Policy = z.infer<typeof Policy>;
export type PolicyInput = z.input<typeof Policy>;

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** Validate any value against a schema of this package and report coded, translated problems. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): ValidationResult<z.infer<S>> {
  const r = schema.safeParse(input, { reportInput: true });
  return r.success ? { ok: true, value: r.data } : { ok: false, problems: toProblems(r.error) };
}

export function validatePolicy(input: unknown): ValidationResult<Policy> {
  return validate(Policy, input);
}

/** Parse JSON text then validate; a JSON syntax error is a problem at the root. */
export function parsePolicyJson(text: string): ValidationResult<Policy> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return { ok: false, problems: [{ path: '', code: 'policy.json.invalid', message: message('policy.json.invalid', { detail }) }] };
  }
  return validatePolicy(data);
}
