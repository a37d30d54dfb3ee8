/**
 * The browser-safe part of the policy package (`@mamori/policy/browser`): schemas, messages,
 * object parsers and defaults, without the evaluator (which needs node:url for IDNA). The web app
 * imports values from here so that nothing Node-only ends up in its bundle.
 */
export * from './messages.js';
export * from './issue.js';
export * from './address.js';
export * from './objects.js';
export * from './profile.js';
export * from './rule.js';
export * from './policy.js';
export * from './defaults.js';
