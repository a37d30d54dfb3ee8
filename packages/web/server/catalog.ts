/**
 * The content-type catalogue the rule editor offers (applications with their functions,
 * application categories, URL categories), taken from the engines' own data and written next
 * to the built app as dist/catalog.json. The console may serve a live one at /api/catalog.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultCatalogue } from '@mamori/appid';

interface Localized {
  ja: string;
  en: string;
}
export interface CatalogJson {
  applications: Array<{ id: string; name: Localized; category: string; functions: Array<{ id: string; name: Localized }> }>;
  applicationCategories: Array<{ id: string; name: Localized }>;
  urlCategories: Array<{ id: string; name: Localized; group?: string }>;
  urlGroups: Array<{ id: string; name: Localized }>;
}

interface UrlcatModule {
  URL_CATEGORIES: ReadonlyArray<{ id: string; group: string; en: string; ja: string }>;
  RISK_GROUPS: ReadonlyArray<{ id: string; en: string; ja: string }>;
}

async function urlTaxonomy(): Promise<UrlcatModule | null> {
  // the URL category engine may not be installed in every checkout; the picker then offers none
  const specifier = '@mamori/urlcat';
  try {
    const m = (await import(specifier)) as Partial<UrlcatModule>;
    return m.URL_CATEGORIES && m.RISK_GROUPS ? (m as UrlcatModule) : null;
  } catch {
    return null;
  }
}

export async function buildCatalog(): Promise<CatalogJson> {
  const cat = defaultCatalogue();
  const fnNames = new Map(cat.taxonomy.functions.map((f) => [f.id, f.name]));
  const url = await urlTaxonomy();
  return {
    applications: cat.apps.map((a) => ({
      id: a.id,
      name: a.name,
      category: a.category,
      functions: a.functions.map((f) => ({ id: f, name: fnNames.get(f) ?? { ja: f, en: f } })),
    })),
    applicationCategories: cat.taxonomy.categories.map((c) => ({ id: c.id, name: c.name })),
    urlCategories: (url?.URL_CATEGORIES ?? []).map((c) => ({ id: c.id, name: { ja: c.ja, en: c.en }, group: c.group })),
    urlGroups: (url?.RISK_GROUPS ?? []).map((g) => ({ id: g.id, name: { ja: g.ja, en: g.en } })),
  };
}

export async function writeCatalog(distDir: string): Promise<void> {
  fs.mkdirSync(distDir, { recursive: true });
  fs.writeFileSync(path.join(distDir, 'catalog.json'), JSON.stringify(await buildCatalog()));
}
