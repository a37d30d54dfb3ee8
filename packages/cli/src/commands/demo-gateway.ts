/**
 * The gateway part of `mamori demo`: a local gateway with the explicit proxy on 127.0.0.1:3128
 * ($MAMORI_PROXY_PORT) and the DNS filter (UDP+TCP) on 127.0.0.1:5353 ($MAMORI_DNS_PORT),
 * enrolled once in the demo tenant and following the console. When the console cannot enroll
 * it, the gateway still runs on its saved or built-in policy and says so. A busy port does not
 * stop the demo: that listener takes a free port instead, and the printed address says which.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startGateway, type GatewayOptions, type RunningGateway } from '@mamori/gateway';
import type { DemoHook } from './demo-hooks.js';
import { systemResolver } from './gateway.js';

function envPort(name: string, def: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number (0-65535), got "${v}"`);
  return n;
}

/** start; when a listener's port is taken (EADDRINUSE names it), retry with a free port for it */
async function startWithFreePorts(o: GatewayOptions): Promise<RunningGateway> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startGateway(o);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      const busy = /EADDRINUSE.*:(\d+)/.exec(why)?.[1];
      if (!busy || attempt >= 2) throw e;
      if (o.proxy && String(o.proxy.port) === busy) o = { ...o, proxy: { ...o.proxy, port: 0 } };
      else if (o.dns && String(o.dns.port) === busy) o = { ...o, dns: { ...o.dns, port: 0 } };
      else throw e;
    }
  }
}

export const gatewayDemoHook: DemoHook = {
  name: 'gateway',
  async start(ctx) {
    const dataDir = path.join(ctx.dataDir, 'gateway');
    const proxy = { host: '127.0.0.1', port: envPort('MAMORI_PROXY_PORT', 3128) };
    const upstream = systemResolver();
    const dns = { host: '127.0.0.1', port: envPort('MAMORI_DNS_PORT', 5353), upstreams: [upstream] };
    const c = ctx.console;
    let gw: RunningGateway;
    try {
      const enrolled = fs.existsSync(path.join(dataDir, 'identity', 'gateway.json'));
      const token = enrolled ? undefined : await ctx.enrollmentToken('Demo gateway (127.0.0.1)');
      gw = await startWithFreePorts({
        dataDir,
        proxy,
        dns,
        // intel: --intel / $MAMORI_INTEL_DB or the starter database, then what the console distributes
        ...(ctx.intelFile ? { intelFile: ctx.intelFile } : {}),
        // enrollment is on the API listener; the answer names the mutual-TLS sync URL
        console: { url: c.url, ...(token ? { token } : {}), caPem: c.services.gatewayCa.certificatePem },
      });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      ctx.print(`Gateway:        not enrolled (${why}); enforcing its saved or built-in policy`);
      gw = await startWithFreePorts({ dataDir, proxy, dns, ...(ctx.intelFile ? { intelFile: ctx.intelFile } : {}) });
    }
    ctx.print(`Gateway proxy:  http://127.0.0.1:${gw.proxyAddress.port} (PAC: http://127.0.0.1:${gw.proxyAddress.port}/proxy.pac)${gw.identity ? `, enrolled as ${gw.identity.gatewayId}` : ''}`);
    ctx.print(`DNS filter:     127.0.0.1:${gw.dnsPort ?? '-'} (UDP and TCP; forwards to ${upstream.host}:${upstream.port}; blocked names answer 0.0.0.0 / ::)`);
    return () => gw.close();
  },
};
