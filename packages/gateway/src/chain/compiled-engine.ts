/** The policy evaluator of @mamori/policy behind the chain's PolicyEngine port. */
import { compilePolicy, evaluate, type Knowledge, type Policy } from '@mamori/policy';
import type { Intel } from './intel.js';
import type { ChainFlowFacts, PolicyDecision, PolicyEngine } from './policy-port.js';

export function knowledgeFrom(intel: Intel): Knowledge {
  return {
    ...(intel.categorize ? { urlCategories: (h: string) => intel.categorize!(h) } : {}),
    ...(intel.appCategory ? { appCategory: (a: string) => intel.appCategory!(a) } : {}),
  };
}

/** Compile once; throws (with the evaluator's message) when the policy cannot be compiled. */
export function compileEngine(policy: Policy, version: number | null, intel: Intel, gatewayGroups: string[] = []): PolicyEngine {
  const compiled = compilePolicy(policy, knowledgeFrom(intel), { gatewayGroups });
  const decryptionWanted = policy.profiles.some((p) => p.httpsDecryption.enabled);
  return {
    version,
    decryptionWanted,
    evaluate(facts: ChainFlowFacts): PolicyDecision {
      return evaluate(compiled, facts);
    },
  };
}
