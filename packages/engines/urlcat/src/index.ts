export * from './taxonomy.js';
export * from './ut1-map.js';
export * from './db-format.js';
export { CategoryDbBuilder } from './db-builder.js';
export { CategoryDb, NO_CATSET, loadCategoryDb, loadCategoryDbFile, type LookupResult } from './category-db.js';
export { canonicalHost, parseListLine, splitUrl, type ListEntry, type ListMode } from './list-entry.js';
export { parseCidr, parseIPv4, parseIPv6, type Cidr } from './ip.js';
export { ImportReport, importListFiles, planUt1, type ListFile, type ProgressFn, type SkipRecord } from './list-import.js';
export { addSectionedList, buildStarterDb, loadIntelDb, loadStarterDb, starterDbPath, starterListPath } from './starter.js';
export {
  CATEGORY_RISK,
  SENSITIVITY_THRESHOLD,
  isDangerous,
  levelOf,
  reputation,
  type Reputation,
  type ReputationOptions,
  type RiskLevel,
  type Sensitivity,
} from './reputation/reputation.js';
export { SeenDomains } from './reputation/seen.js';
export { BRAND_LABELS } from './reputation/brands.js';
export { dgaLikeness } from './reputation/dga.js';
export { CloudLookup, type CloudAnswer, type CloudLookupOptions, type Source as CloudSource } from './cloud/cloud-lookup.js';
export { TtlCache } from './cloud/ttl-cache.js';
export { resolveCategories, type ResolvedCategories } from './cloud/resolve.js';
export { buildEdition, type EditionReport } from './edition.js';
