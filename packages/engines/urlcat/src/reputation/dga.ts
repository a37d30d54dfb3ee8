/**
 * "Algorithmically generated" look of a domain label: long, high character entropy, long runs of
 * consonants, letters and digits mixed. Returns 0..1; each feature is a public DGA-detection
 * staple (entropy, consonant runs, digit mixing), combined without any training data.
 */
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

export function dgaLikeness(label: string): { score: number; why: string[] } {
  const s = label.toLowerCase().replace(/-/g, '');
  const why: string[] = [];
  if (s.length < 8) return { score: 0, why };
  let score = 0;
  const ent = entropy(s);
  let maxRun = 0;
  let run = 0;
  let vowels = 0;
  let digits = 0;
  let switches = 0;
  let prevDigit: boolean | undefined;
  for (const ch of s) {
    const isDigit = ch >= '0' && ch <= '9';
    if (isDigit) digits++;
    if (prevDigit !== undefined && prevDigit !== isDigit) switches++;
    prevDigit = isDigit;
    if (VOWELS.has(ch)) {
      vowels++;
      run = 0;
    } else if (!isDigit) {
      run++;
      if (run > maxRun) maxRun = run;
    } else run = 0;
  }
  const letters = s.length - digits;
  const vowelRatio = letters > 0 ? vowels / letters : 0;
  // length-normalized entropy: random strings over 36 symbols approach log2(min(len, 36))
  const entNorm = ent / Math.log2(Math.min(s.length, 36));
  if (s.length >= 16 && entNorm > 0.85) {
    score += 0.3;
    why.push(`high character entropy ${ent.toFixed(2)}`);
  }
  if (maxRun >= 5) {
    score += 0.25 + Math.min(0.15, (maxRun - 5) * 0.05);
    why.push(`${maxRun} consonants in a row`);
  }
  if (letters >= 6 && vowelRatio < 0.22) {
    score += 0.2;
    why.push(`few vowels (${Math.round(vowelRatio * 100)}%)`);
  }
  if (digits > 0 && letters > 0 && switches >= 3) {
    score += 0.25;
    why.push('letters and digits interleaved');
  }
  if (s.length >= 20) {
    score += 0.15;
    why.push(`long label (${s.length})`);
  }
  return { score: Math.min(1, score), why };
}
