/**
 * The stage runner: each stage sees the request facts and the tags so far and returns one
 * verdict from the closed set. Stages are registered in one table; order matters.
 */
import type { Intel } from './intel.js';
import type { PolicyEngine } from './policy-port.js';
import type { RequestFacts } from './facts.js';
import type { BlockReason, Tags, Verdict } from './verdict.js';
import { classify } from './stages/classify.js';
import { policy } from './stages/policy.js';
import { cnc } from './stages/cnc.js';
import { reputation } from './stages/reputation.js';

export interface ChainEnv {
  policy: PolicyEngine;
  intel: Intel;
}

export interface Stage {
  readonly name: string;
  run(facts: RequestFacts, tags: Readonly<Tags>, env: ChainEnv): Verdict;
}

export type ChainResult =
  | { outcome: 'allow'; tags: Tags }
  | { outcome: 'block'; tags: Tags; reason: BlockReason; stage: string }
  | { outcome: 'hold'; tags: Tags; needs: Array<'application' | 'url'> };

export const WEB_STAGES: readonly Stage[] = [classify, policy, cnc, reputation];

export function runChain(facts: RequestFacts, env: ChainEnv, stages: readonly Stage[] = WEB_STAGES): ChainResult {
  let tags: Tags = { categories: [] };
  for (const stage of stages) {
    const v = stage.run(facts, tags, env);
    switch (v.kind) {
      case 'continue':
        break;
      case 'tag':
        tags = { ...tags, ...v.tags };
        break;
      case 'block':
        return { outcome: 'block', tags, reason: v.reason, stage: stage.name };
      case 'hold':
        return { outcome: 'hold', tags, needs: v.needs };
    }
  }
  return { outcome: 'allow', tags };
}
