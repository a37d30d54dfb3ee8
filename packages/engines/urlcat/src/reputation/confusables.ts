/**
 * Characters that render like ASCII letters (a subset of Unicode's confusables, the ones phishing
 * kits use: Cyrillic, Greek, Latin with diacritics, fullwidth), plus digit-for-letter swaps.
 */
const MAP: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', с: 'c', ԁ: 'd', е: 'e', ё: 'e', һ: 'h', і: 'i', ї: 'i', ј: 'j', к: 'k', ӏ: 'l', м: 'm', н: 'h',
  о: 'o', р: 'p', ԛ: 'q', г: 'r', ѕ: 's', т: 't', ц: 'u', ѵ: 'v', ԝ: 'w', х: 'x', у: 'y', з: '3', ь: 'b', п: 'n',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y', ϲ: 'c',
  // Latin look-alikes and diacritics
  à: 'a', á: 'a', â: 'a', ã: 'a', ä: 'a', å: 'a', ā: 'a', ą: 'a', ç: 'c', ć: 'c', č: 'c', ď: 'd', đ: 'd',
  è: 'e', é: 'e', ê: 'e', ë: 'e', ē: 'e', ę: 'e', ě: 'e', ğ: 'g', ģ: 'g', ì: 'i', í: 'i', î: 'i', ï: 'i', ı: 'i',
  ī: 'i', ķ: 'k', ĺ: 'l', ļ: 'l', ľ: 'l', ł: 'l', ñ: 'n', ń: 'n', ň: 'n', ò: 'o', ó: 'o', ô: 'o', õ: 'o',
  ö: 'o', ø: 'o', ō: 'o', ŕ: 'r', ř: 'r', ś: 's', š: 's', ş: 's', ţ: 't', ť: 't', ù: 'u', ú: 'u', û: 'u',
  ü: 'u', ū: 'u', ů: 'u', ý: 'y', ÿ: 'y', ź: 'z', ż: 'z', ž: 'z', ɑ: 'a', ɡ: 'g', ɩ: 'i', ɪ: 'i', ʟ: 'l',
  ʀ: 'r', ꞵ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ᴏ: 'o', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ᴢ: 'z',
};

const DIGITS: Record<string, string> = { '0': 'o', '1': 'l', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b' };

/** Maps look-alike characters to the ASCII letter they imitate; fullwidth forms fold to ASCII. */
export function skeleton(label: string): string {
  let out = '';
  for (const ch of label.normalize('NFKC').toLowerCase()) out += MAP[ch] ?? ch;
  return out;
}

/** Skeleton with digit swaps too (paypa1 → paypal, g00gle → google). */
export function digitSkeleton(label: string): string {
  let out = '';
  for (const ch of label) out += DIGITS[ch] ?? ch;
  return out;
}

/** True when the label mixes scripts (e.g. Latin with Cyrillic), a classic spoofing sign. */
export function mixedScript(label: string): boolean {
  const latin = /[a-z]/i.test(label);
  const cyrillic = /\p{Script=Cyrillic}/u.test(label);
  const greek = /\p{Script=Greek}/u.test(label);
  return (latin && (cyrillic || greek)) || (cyrillic && greek);
}
