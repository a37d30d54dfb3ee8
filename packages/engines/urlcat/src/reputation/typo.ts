/**
 * Typo-squats: a label one edit away (a letter added, dropped, replaced, or two neighbours
 * swapped) from a brand's label. Only brands of 6+ letters: shorter names have too many honest
 * neighbours.
 */
import { BRAND_LABELS } from './brands.js';

/** brands whose one-edit neighbours are mostly honest names (xcloud, payplay, ...) */
const COMMON_NEIGHBOURS = new Set(['icloud', 'paypay', 'mynumber', 'office', 'outlook', 'yamato']);
const LONG_BRANDS = BRAND_LABELS.filter((b) => b.length >= 6 && /^[a-z]+$/.test(b) && !COMMON_NEIGHBOURS.has(b));

/** true when a and b differ by exactly one insertion, deletion, substitution or adjacent swap */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** the brand a label imitates by one edit, if any */
export function typoOf(label: string): string | undefined {
  if (label.length < 5 || label.length > 40) return undefined;
  for (const b of LONG_BRANDS) if (oneEditApart(label, b)) return b;
  return undefined;
}
