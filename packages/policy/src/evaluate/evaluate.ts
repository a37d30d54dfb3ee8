/**
 * The policy evaluator: a pure function from a flow's facts to a decision and its reason.
 *
 * Precedence: allow list, block list, rules top-down (the first enabled rule that matches wins),
 * then default allow. Staged: with L3/L4 facts only, every condition is true, false or "unknown
 * until the application / URL is known". The first step that is true decides, unless an earlier
 * step is still unknown: then the result is `undecided` with what is needed. So a final result
 * at L3/L4 is exactly (decision and reason) what evaluation with the full facts gives.
 */
import type { PolicyRule } from '../rule.js';
import type { CompiledPolicy } from './compile.js';
import { flowView } from './flow-view.js';
import { matchList } from './list.js';
import { needsOf, NO, YES, type Match } from './match.js';
import type { Decision, FlowFacts } from './types.js';

export function evaluate(compiled: CompiledPolicy, facts: FlowFacts): Decision {
  const v = flowView(facts, compiled.knowledge, compiled.gatewayGroups);
  let pending: Match = NO;

  const allow = matchList(compiled.allowList, v);
  if (allow.match === YES) {
    return { decision: 'allow', reason: { kind: 'allowList', entry: allow.entry!.value }, log: true, profile: null };
  }
  pending |= allow.match;

  const block = matchList(compiled.blockList, v);
  if (block.match === YES) {
    if (pending !== NO) return undecided(pending);
    return { decision: 'block', reason: { kind: 'blockList', entry: block.entry!.value }, log: true, profile: null };
  }
  pending |= block.match;

  for (const r of compiled.rules) {
    if (!appliesToGateway(r.gatewayGroups, v.gatewayGroups)) continue;
    const m = r.match(v);
    if (m === NO) continue;
    if (m === YES) return pending !== NO ? undecided(pending) : ruleDecision(compiled, r.rule);
    pending |= m;
  }
  if (pending !== NO) return undecided(pending);
  return { decision: 'allow', reason: { kind: 'default' }, log: false, profile: compiled.defaultProfile };
}

function appliesToGateway(ruleGroups: ReadonlySet<string>, flowGroups: readonly string[]): boolean {
  if (ruleGroups.size === 0) return true;
  return flowGroups.some((g) => ruleGroups.has(g));
}

function ruleDecision(compiled: CompiledPolicy, rule: PolicyRule): Decision {
  return {
    decision: rule.action,
    reason: { kind: 'rule', id: rule.id, name: rule.name },
    log: rule.log,
    // the profile inspects what a rule allows; a blocked flow has nothing left to inspect
    profile: rule.action === 'allow' && rule.profileId !== null ? (compiled.profiles.get(rule.profileId) ?? null) : null,
  };
}

function undecided(pending: Match): Decision {
  return { decision: 'undecided', needs: needsOf(pending) };
}
