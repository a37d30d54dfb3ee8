/**
 * What the chain needs from the policy evaluator (CONTRACTS.md "Evaluator API"), as a port so
 * the data plane does not care how the compiled policy is produced. The agent adapts
 * `compilePolicy/evaluate` of @mamori/policy to it.
 */
import type { SecurityProfile } from '@mamori/policy';

export interface ChainFlowFacts {
  srcIp: string;
  dstIp?: string;
  dstHost?: string;
  dstPort: number;
  protocol: 'tcp' | 'udp';
  url?: string;
  app?: string;
  appFunction?: string;
  urlCategories?: string[];
  stage?: 'l4' | 'l7';
}

export interface PolicyReason {
  kind: 'allowList' | 'blockList' | 'rule' | 'default';
  id?: string;
  name?: string;
  entry?: string;
}

export type PolicyDecision =
  | { decision: 'allow' | 'block'; reason: PolicyReason; log: boolean; profile: SecurityProfile | null }
  | { decision: 'undecided'; needs: Array<'application' | 'url'> };

export interface PolicyEngine {
  /** deployed version, null for the built-in policy used before the first deployment */
  readonly version: number | null;
  evaluate(facts: ChainFlowFacts): PolicyDecision;
  /** true when some profile of the policy turns HTTPS decryption on */
  readonly decryptionWanted: boolean;
}
