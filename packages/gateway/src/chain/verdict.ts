/**
 * The closed set of verdicts every inspection stage returns (Envoy-style filter statuses):
 * continue, block with a reason, tag (add facts for later stages), hold (needs more data).
 */
import type { SecurityProfile, ThreatType } from '@mamori/policy';
import type { PolicyReason } from './policy-port.js';
import type { Reputation } from './intel.js';

export interface BlockReason {
  /** what decided: a policy rule/list, or a security engine */
  kind: 'allowList' | 'blockList' | 'rule' | 'default' | 'cnc' | 'reputation' | 'certificate' | 'badRequest' | 'file';
  ruleId?: string;
  ruleName?: string;
  /** list entry or C&C indicator as written */
  entry?: string;
  categories?: string[];
  app?: string;
  appFunction?: string;
  /** free text for the page and the log (certificate error code, reputation level, file SHA-256 ...) */
  detail?: string;
  /** when set, the block is a security event of this type */
  threat?: ThreatType;
}

export interface Tags {
  categories: string[];
  /** C&C indicator matched by the host or IP */
  cnc?: string;
  reputation?: Reputation;
  app?: string;
  appFunction?: string;
  appCategory?: string;
  /** the policy decision once made */
  allowedBy?: PolicyReason;
  profile?: SecurityProfile | null;
  log?: boolean;
}

export type Verdict =
  | { kind: 'continue' }
  | { kind: 'tag'; tags: Partial<Tags> }
  | { kind: 'block'; reason: BlockReason }
  | { kind: 'hold'; needs: Array<'application' | 'url'> };

export const CONTINUE: Verdict = { kind: 'continue' };
