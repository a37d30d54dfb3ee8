/** Tag the request with URL categories, reputation and the application (function). */
import type { Stage } from '../runner.js';

export const classify: Stage = {
  name: 'classify',
  run(facts, _tags, env) {
    const target = facts.url ?? facts.host;
    const categories = env.intel.categorize?.(target) ?? [];
    const app = env.intel.identifyApp?.({
      port: facts.dstPort,
      protocol: 'tcp',
      host: facts.host,
      ...(facts.sni !== undefined ? { sni: facts.sni } : {}),
      ...(facts.method !== undefined ? { method: facts.method } : {}),
      ...(facts.path !== undefined ? { path: facts.path } : {}),
      ...(facts.alpn !== undefined ? { alpn: facts.alpn } : {}),
    });
    // reputation is a property of the site: per host, so that its cache serves every URL of it
    const reputation = env.intel.reputation?.(facts.host);
    let cncHit = env.intel.cnc?.(facts.host) ?? (facts.dstIp !== undefined ? env.intel.cnc?.(facts.dstIp) : undefined);
    if (cncHit === undefined && categories.includes('cnc')) cncHit = facts.host;
    return {
      kind: 'tag',
      tags: {
        categories,
        ...(cncHit !== undefined ? { cnc: cncHit } : {}),
        ...(reputation ? { reputation } : {}),
        ...(app ? { app: app.app, appCategory: app.category ?? env.intel.appCategory?.(app.app) } : {}),
        ...(app?.function ? { appFunction: app.function.includes(':') ? app.function : `${app.app}:${app.function}` } : {}),
      },
    };
  },
};
