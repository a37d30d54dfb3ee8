/**
 * Policy rules (manual §6-1..§6-3) and the allow/block lists (§6-4).
 */
import { z } from 'zod';
import { CountryCode, Id, Name } from './objects.js';
import { classifyListValue } from './list-value.js';

export { classifyListValue, type ListValueKind } from './list-value.js';
import { checked, issue } from './issue.js';

const ids = z.array(Id).default([]);

/** 送信元: すべて, or users / user groups / address+FQDN objects / MAC objects. */
export const RuleSource = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('any') }),
  z
    .strictObject({ type: z.literal('selected'), users: ids, groups: ids, addresses: ids, macs: ids })
    .superRefine((s, ctx) => {
      if (s.users.length + s.groups.length + s.addresses.length + s.macs.length === 0) ctx.addIssue(issue('policy.source.empty'));
    }),
]);
export type RuleSource = z.infer<typeof RuleSource>;

/** 送信先: すべて / IPアドレス/FQDNを指定する / 選択されたジオロケーション. */
export const RuleDestination = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('any') }),
  z.strictObject({ type: z.literal('addresses'), addresses: z.array(Id).min(1, { error: 'policy.destination.empty' }) }),
  z.strictObject({ type: z.literal('geo'), countries: z.array(CountryCode).min(1, { error: 'policy.destination.empty' }) }),
]);
export type RuleDestination = z.infer<typeof RuleDestination>;

/** サービス: すべて / サービスを指定する. */
export const RuleService = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('any') }),
  z.strictObject({ type: z.literal('selected'), services: z.array(Id).min(1, { error: 'policy.service.empty' }) }),
]);
export type RuleService = z.infer<typeof RuleService>;

/**
 * コンテンツタイプ: すべて / 選択したコンテンツタイプ. Identifiers are the catalogue's:
 * applications ("line"), application functions ("line:call"), application categories
 * ("network-protocols"), URL categories ("malware") and custom category ids.
 */
const CatalogId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'policy.id.invalid' });
export const RuleContent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('any') }),
  z
    .strictObject({
      type: z.literal('selected'),
      applications: z.array(CatalogId).default([]),
      applicationFunctions: z.array(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}:[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'policy.id.invalid' })).default([]),
      applicationCategories: z.array(CatalogId).default([]),
      urlCategories: z.array(CatalogId).default([]),
      customCategories: ids,
    })
    .superRefine((c, ctx) => {
      const n = c.applications.length + c.applicationFunctions.length + c.applicationCategories.length + c.urlCategories.length + c.customCategories.length;
      if (n === 0) ctx.addIssue(issue('policy.content.empty'));
    }),
]);
export type RuleContent = z.infer<typeof RuleContent>;

export const RuleAction = z.enum(['allow', 'block']);
export type RuleAction = z.infer<typeof RuleAction>;

export const PolicyRule = z.strictObject({
  id: Id,
  name: Name,
  description: z.string().max(512).optional(),
  enabled: z.boolean().default(true),
  /** empty: every gateway group */
  gatewayGroups: ids,
  source: RuleSource.default({ type: 'any' }),
  destination: RuleDestination.default({ type: 'any' }),
  service: RuleService.default({ type: 'any' }),
  content: RuleContent.default({ type: 'any' }),
  action: RuleAction,
  log: z.boolean().default(true),
  /** the security profile applied to what this rule allows */
  profileId: Id.nullable().default(null),
});
export type PolicyRule = z.infer<typeof PolicyRule>;
export type PolicyRuleInput = z.input<typeof PolicyRule>;

export const ListEntry = z.strictObject({
  value: z.string().trim().superRefine(checked((v) => classifyListValue(v) !== null, 'policy.list_entry.invalid')),
  comment: z.string().max(256).optional(),
});
export type ListEntry = z.infer<typeof ListEntry>;
