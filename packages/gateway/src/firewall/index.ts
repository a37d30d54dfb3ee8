export { compileRuleset, FirewallCompileError, TABLE } from './compile/compile.js';
export type * from './compile/types.js';
export { applyRuleset, removeRuleset, transactionText, type ApplyResult } from './apply.js';
export { Firewall, type DeployResult, type RuleCount } from './firewall.js';
export { DosEventReader } from './dos-events.js';
export { fqdnMatches } from './fqdn-cache.js';
export { localRunner, runCommand, nftFile, type CommandRunner, type CommandResult } from './nft-runner.js';
export { detectRouterCapability, routerMode, type RouterCapability, type RouterModeOptions, type RouterModeResult } from './router-mode.js';
export { addRouterOptions, routerInterfaces, type RouterFlags } from './router-flag.js';
