export * from './schema.js';
export * from './catalogue.js';
export * from './identify.js';
export * from './flow-facts.js';
export * from './ndpi.js';
export * from './ndpi-folder.js';
