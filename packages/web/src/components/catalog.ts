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

export interface ContentIds {
  applications: string[];
  applicationFunctions: string[];
  applicationCategories: string[];
  urlCategories: string[];
}

/**
 * The display names of a rule's content types in the user's language: application categories,
 * applications, "application: function" and URL categories, from the catalogue (the id only when
 * the catalogue does not know it).
 */
export function contentNames(c: ContentIds, catalog: FullCatalog | undefined): string[] {
  const apps = new Map((catalog?.applications ?? []).map((a) => [a.id, a]));
  const appCats = new Map((catalog?.applicationCategories ?? []).map((x) => [x.id, x.name]));
  const urlCats = new Map((catalog?.urlCategories ?? []).map((x) => [x.id, x.name]));
  const fn = (fid: string) => {
    const [appId = fid, f = ''] = fid.split(':');
    const app = apps.get(appId);
    const fname = app?.functions.find((x) => x.id === f)?.name;
    return `${loc(app?.name, appId)}: ${loc(fname, f)}`;
  };
  return [
    ...c.applicationCategories.map((id) => loc(appCats.get(id), id)),
    ...c.applications.map((id) => loc(apps.get(id)?.name, id)),
    ...c.applicationFunctions.map(fn),
    ...c.urlCategories.map((id) => loc(urlCats.get(id), id)),
  ];
}
