import { useQuery } from '@tanstack/react-query';
import type { Localized } from '@mamori/policy';
import { get } from '../api/client.js';
import type { Catalog } from '../api/types.js';
import { currentLang } from '../i18n/index.js';

export type FullCatalog = Catalog & { urlGroups?: Array<{ id: string; name: Localized }> };

/** The console's live catalogue when it has one, else the one built with the app. */
export function useCatalog() {
  return useQuery({
    queryKey: ['catalog'],
    queryFn: async (): Promise<FullCatalog> => {
      try {
        return await get<FullCatalog>('/api/catalog');
      } catch {
        return await get<FullCatalog>('/catalog.json');
      }
    },
    staleTime: Infinity,
  });
}

export function loc(n: Localized | undefined, fallback: string): string {
  return n ? n[currentLang()] : fallback;
}
