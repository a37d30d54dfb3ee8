/**
 * Compile a policy version once into lookup structures; evaluate() touches only this form.
 */
import type { Policy } from '../policy.js';
import type { SecurityProfile } from '../profile.js';
import { classifyListValue } from '../rule.js';
import { compileList, type CompiledList } from './list.js';
import { compileRule, indexObjects, type CompiledRule } from './rule-match.js';
import type { CompileOptions, Knowledge } from './types.js';

export interface CompiledPolicy {
  readonly policy: Policy;
  readonly knowledge: Knowledge;
  readonly gatewayGroups: readonly string[];
  readonly allowList: CompiledList;
  readonly blockList: CompiledList;
  /** enabled rules only, in order */
  readonly rules: readonly CompiledRule[];
  readonly profiles: ReadonlyMap<string, SecurityProfile>;
  /**
   * The profile applied to traffic that no rule decided (default allow): the policy's first
   * profile, which is the model's 初期設定のプロファイル in a default policy. null when there is none.
   */
  readonly defaultProfile: SecurityProfile | null;
}

/**
 * Throws an Error naming the offending value when the policy holds something its schema would
 * have refused (validate with validatePolicy() first; compile errors are then impossible).
 */
export function compilePolicy(policy: Policy, knowledge: Knowledge = {}, opts: CompileOptions = {}): CompiledPolicy {
  const ix = indexObjects(policy.objects, classifyListValue);
  return {
    policy,
    knowledge,
    gatewayGroups: opts.gatewayGroups ?? [],
    allowList: compileList(policy.allowList),
    blockList: compileList(policy.blockList),
    rules: policy.rules.filter((r) => r.enabled).map((r) => compileRule(r, ix)),
    profiles: new Map(policy.profiles.map((p) => [p.id, p])),
    defaultProfile: policy.profiles[0] ?? null,
  };
}
