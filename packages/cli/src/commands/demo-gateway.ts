/**
 * The gateway part of `mamori demo`: a local gateway with the explicit proxy on 127.0.0.1:3128
 * ($MAMORI_PROXY_PORT), enrolled once in the demo tenant and following the console. When the
 * console cannot enroll it, the gateway still runs on its saved or built-in policy and says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startGateway, type RunningGateway } from '@mamori/gateway';
import type { DemoHook } from './demo-hooks.js';

export const gatewayDemoHook: DemoHook = {
  name: 'gateway',
  async start(ctx) {
    const dataDir = path.join(ctx.dataDir, 'gateway');
    const port = Number(process.env['MAMORI_PROXY_PORT'] ?? 3128);
    const proxy = { host: '127.0.0.1', port };
    const c = ctx.console;
    let gw: RunningGateway;
    try {
      const enrolled = fs.existsSync(path.join(dataDir, 'identity', 'gateway.json'));
      const token = enrolled ? undefined : await ctx.enrollmentToken('Demo gateway (127.0.0.1)');
      gw = await startGateway({
        dataDir,
        proxy,
        // intel: $MAMORI_INTEL_DB or the starter database, then what the console distributes
        // enrollment is on the API listener; the answer names the mutual-TLS sync URL
        console: { url: c.url, ...(token ? { token } : {}), caPem: c.services.gatewayCa.certificatePem },
      });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      ctx.print(`Gateway:        not enrolled (${why}); enforcing its saved or built-in policy`);
      // a busy port (another proxy on 3128) must not stop the demo: take any free port then
      gw = await startGateway({ dataDir, proxy: /EADDRINUSE/.test(why) ? { host: proxy.host, port: 0 } : proxy }).catch(() =>
        startGateway({ dataDir, proxy: { host: proxy.host, port: 0 } }),
      );
    }
    ctx.print(`Gateway proxy:  http://127.0.0.1:${gw.proxyAddress.port} (PAC: http://127.0.0.1:${gw.proxyAddress.port}/proxy.pac)${gw.identity ? `, enrolled as ${gw.identity.gatewayId}` : ''}`);
    return () => gw.close();
  },
};
