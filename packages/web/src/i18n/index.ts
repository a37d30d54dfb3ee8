import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { ja } from './ja.js';
import { en } from './en.js';

export type Lang = 'ja' | 'en';
const STORAGE_KEY = 'mamori.lang';

/** Japanese unless the browser prefers English (or the user chose it before). */
export function initialLang(): Lang {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (stored === 'ja' || stored === 'en') return stored;
  const langs = globalThis.navigator?.languages ?? [];
  for (const l of langs) {
    if (l.toLowerCase().startsWith('ja')) return 'ja';
    if (l.toLowerCase().startsWith('en')) return 'en';
  }
  return 'ja';
}

export function setLang(lang: Lang): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  void i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}

export function currentLang(): Lang {
  return i18next.language === 'en' ? 'en' : 'ja';
}

export function initI18n(): typeof i18next {
  const lng = initialLang();
  void i18next.use(initReactI18next).init({
    resources: { ja: { translation: ja }, en: { translation: en } },
    lng,
    fallbackLng: false,
    returnObjects: true,
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = lng;
  return i18next;
}
