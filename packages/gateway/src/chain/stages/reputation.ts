/** Web reputation with the sensitivity of the profile that allowed the request. */
import type { Stage } from '../runner.js';

const DEFAULT_THRESHOLD = { low: 90, medium: 70, high: 50 } as const;

export const reputation: Stage = {
  name: 'reputation',
  run(_facts, tags, env) {
    const profile = tags.profile;
    if (!profile || !profile.webReputation.enabled || !tags.reputation) return { kind: 'continue' };
    const { sensitivity } = profile.webReputation;
    const score = tags.reputation.score;
    const dangerous = env.intel.isDangerous ? env.intel.isDangerous(score, sensitivity) : score >= DEFAULT_THRESHOLD[sensitivity];
    if (!dangerous) return { kind: 'continue' };
    return {
      kind: 'block',
      reason: {
        kind: 'reputation',
        detail: `${tags.reputation.level} (${score})`,
        categories: tags.categories,
        threat: 'webReputation',
        ...(tags.reputation.reasons[0] !== undefined ? { entry: tags.reputation.reasons[0] } : {}),
      },
    };
  },
};
