/** Start a WebProxy with a policy, static intel and the test PKI (for tests). */
import { Policy, defaultPolicyInput, type PolicyInput } from '@mamori/policy';
import { GatewayRuntime, MemorySink } from '../runtime.js';
import { compileEngine } from '../chain/compiled-engine.js';
import { staticIntel, type StaticIntelDoc } from '../chain/static-intel.js';
import { LeafCache } from '../tls/leaf-cache.js';
import { WebProxy, type WebProxyOptions } from '../proxies/http/web-proxy.js';
import { loopbackLookup, type Pki } from './origins.js';

export interface TestGateway {
  proxy: WebProxy;
  rt: GatewayRuntime;
  sink: MemorySink;
  port: number;
  url: string;
  close(): Promise<void>;
}

export function testPolicy(edit: (p: PolicyInput) => void = () => undefined): Policy {
  const p = defaultPolicyInput(10);
  edit(p);
  return Policy.parse(p);
}

export async function startTestGateway(pki: Pki, policy: Policy, intel: StaticIntelDoc, opts: WebProxyOptions = {}): Promise<TestGateway> {
  const i = staticIntel(intel);
  const sink = new MemorySink();
  const leaves = await LeafCache.create(pki.tenantCa);
  const rt = new GatewayRuntime({ engine: compileEngine(policy, 1, i), leaves }, i, sink);
  const proxy = new WebProxy(rt, { ...opts, upstream: { extraCaPem: [pki.upstreamCa.certificatePem], lookup: loopbackLookup, ...opts.upstream } });
  const addr = await proxy.listen(0, '127.0.0.1');
  return { proxy, rt, sink, port: addr.port, url: `http://127.0.0.1:${addr.port}`, close: () => proxy.close() };
}
