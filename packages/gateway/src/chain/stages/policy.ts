/** The policy evaluator with the L7 facts gathered so far: lists, rules, categories, apps. */
import type { ChainFlowFacts } from '../policy-port.js';
import type { Stage } from '../runner.js';

export const policy: Stage = {
  name: 'policy',
  run(facts, tags, env) {
    const ff: ChainFlowFacts = {
      srcIp: facts.srcIp,
      dstHost: facts.host,
      dstPort: facts.dstPort,
      protocol: 'tcp',
      urlCategories: tags.categories,
      stage: facts.stage,
      ...(facts.dstIp !== undefined ? { dstIp: facts.dstIp } : {}),
      ...(facts.url !== undefined ? { url: facts.url } : {}),
      ...(tags.app !== undefined ? { app: tags.app } : {}),
      ...(tags.appFunction !== undefined ? { appFunction: tags.appFunction } : {}),
    };
    const d = env.policy.evaluate(ff);
    if (d.decision === 'undecided') return { kind: 'hold', needs: d.needs };
    if (d.decision === 'block') {
      return {
        kind: 'block',
        reason: {
          kind: d.reason.kind,
          ...(d.reason.id !== undefined ? { ruleId: d.reason.id } : {}),
          ...(d.reason.name !== undefined ? { ruleName: d.reason.name } : {}),
          ...(d.reason.entry !== undefined ? { entry: d.reason.entry } : {}),
          categories: tags.categories,
          ...(tags.app !== undefined ? { app: tags.app } : {}),
          ...(tags.appFunction !== undefined ? { appFunction: tags.appFunction } : {}),
          // a C&C destination blocked by a rule (e.g. the default cnc category rule) is still a C&C hit
          ...(tags.cnc !== undefined ? { threat: 'cnc' as const, detail: tags.cnc } : {}),
        },
      };
    }
    return { kind: 'tag', tags: { allowedBy: d.reason, profile: d.profile, log: d.log } };
  },
};
