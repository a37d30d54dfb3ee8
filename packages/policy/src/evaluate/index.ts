export * from './types.js';
export { compilePolicy, type CompiledPolicy } from './compile.js';
export { evaluate } from './evaluate.js';
export { builtinAppCategory, builtinL4Apps } from './builtin.js';
export { normalizeHost, HostSet } from './host.js';
