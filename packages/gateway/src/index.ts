/** @mamori/gateway: the data plane (web proxy, TLS interception, chain, DNS filter, spool) and the agent. */
export { GatewayRuntime, MemorySink, type ActivePolicy, type EventSink, type RuntimeCounters } from './runtime.js';
export { WebProxy, splitHostPort, type WebProxyOptions, type OriginalDst } from './proxies/http/web-proxy.js';
export { DEFAULT_LIMITS, type ProxyLimits } from './proxies/http/limits.js';
export { pacFile } from './proxies/http/pac.js';
export { LeafCache } from './tls/leaf-cache.js';
export { generateCa, loadCa, issueWithNewKey, type PemPair } from './tls/x509.js';
export { parseClientHello } from './tls/client-hello.js';
export { runChain, WEB_STAGES, type Stage, type ChainEnv, type ChainResult } from './chain/runner.js';
export type { Verdict, BlockReason, Tags } from './chain/verdict.js';
export type { Intel, Reputation, AppFacts, AppResult } from './chain/intel.js';
export type { PolicyEngine, PolicyDecision, ChainFlowFacts } from './chain/policy-port.js';
export { compileEngine } from './chain/compiled-engine.js';
export { staticIntel, StaticIntelDoc } from './chain/static-intel.js';
export { renderBlockPage, pickLanguage, describeReason } from './chain/block-page.js';
export { Spool, type SpoolOptions, type SpoolEventInput } from './spool/spool.js';
