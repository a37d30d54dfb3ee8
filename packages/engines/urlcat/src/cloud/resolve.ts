/**
 * Categories of a host/URL: the local database first; only what it does not know goes to the
 * console (through a CloudLookup), and a console outage leaves the local (empty) answer.
 */
import type { CategoryDb } from '../category-db.js';
import { splitUrl } from '../list-entry.js';
import type { CloudLookup } from './cloud-lookup.js';

export interface ResolvedCategories {
  categories: readonly string[];
  source: 'local' | 'cache' | 'cloud' | 'fallback';
  error?: string;
}

export async function resolveCategories(db: CategoryDb, cloud: CloudLookup<string[]> | undefined, hostOrUrl: string): Promise<ResolvedCategories> {
  const isUrl = hostOrUrl.includes('/') || hostOrUrl.includes('?');
  const local = isUrl ? db.lookupUrl(hostOrUrl) : db.lookupHost(hostOrUrl);
  if (local.categories.length > 0 || !cloud) return { categories: local.categories, source: 'local' };
  const host = (isUrl ? (splitUrl(hostOrUrl)?.host ?? '') : hostOrUrl).toLowerCase().replace(/\.$/, '');
  if (host === '') return { categories: local.categories, source: 'local' };
  const answer = await cloud.lookup(host);
  if (answer.value === undefined) return { categories: local.categories, source: 'fallback', ...(answer.error ? { error: answer.error } : {}) };
  return { categories: answer.value, source: answer.source };
}
