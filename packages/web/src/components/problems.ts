import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';
import { currentLang } from '../i18n/index.js';

/**
 * Field errors for a form: the console's coded problems (dotted paths into the document) are
 * mapped onto the form's fields by path prefix, in the user's language.
 */
export function useProblems(prefix: string) {
  const { t } = useTranslation();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const clear = () => {
    setFields({});
    setGeneral(null);
  };
  const take = (e: unknown) => {
    const lang = currentLang();
    if (e instanceof ApiError) {
      const f: Record<string, string> = {};
      const rest: string[] = [];
      for (const p of e.problems) {
        const msg = p.message?.[lang] ?? p.code;
        if (prefix === '' || p.path === prefix || p.path.startsWith(prefix + '.')) {
          const key = prefix === '' ? p.path : p.path.slice(prefix.length + 1);
          f[key] = f[key] ? `${f[key]} ${msg}` : msg;
        } else rest.push(msg);
      }
      setFields(f);
      setGeneral(
        e.problems.length === 0 ? (e.status === 0 ? t('common.networkError') : e.text(lang)) : rest.length ? rest.join(' ') : Object.keys(f).length ? t('errors.fieldInvalid') : null,
      );
    } else {
      setFields({});
      setGeneral(e instanceof Error ? e.message : t('common.unknownError'));
    }
  };
  /** error for a field path; also matches deeper paths (a problem on "addresses.0" shows on "addresses") */
  const err = (key: string): string | undefined => {
    const hits = Object.entries(fields).filter(([k]) => k === key || k.startsWith(key + '.'));
    return hits.length ? hits.map(([, v]) => v).join(' ') : undefined;
  };
  return { err, general, take, clear, setFields, setGeneral };
}

export function errorText(e: unknown, t: (k: string) => string): string {
  if (e instanceof ApiError) return e.status === 0 ? t('common.networkError') : e.text(currentLang());
  return e instanceof Error ? e.message : t('common.unknownError');
}
