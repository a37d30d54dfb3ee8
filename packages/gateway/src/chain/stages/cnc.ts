/**
 * Bot (C&C) protection: a known C&C host or IP (tagged by classify) is blocked and reported as a
 * security event even when a rule allowed it, unless that rule's profile turned bot protection off.
 */
import type { Stage } from '../runner.js';

export const cnc: Stage = {
  name: 'cnc',
  run(_facts, tags) {
    if (tags.cnc === undefined) return { kind: 'continue' };
    if (tags.profile && !tags.profile.botProtection.enabled) return { kind: 'continue' };
    return { kind: 'block', reason: { kind: 'cnc', entry: tags.cnc, categories: tags.categories, threat: 'cnc' } };
  },
};
