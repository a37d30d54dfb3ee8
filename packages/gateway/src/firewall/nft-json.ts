/**
 * Reading `nft -j` output: counters, set elements and map lookups.
 */
export interface NftCounter {
  name: string;
  packets: number;
  bytes: number;
}
export interface NftSetElement {
  value: string;
  packets?: number;
  expiresSec?: number;
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function items(text: string): Json[] {
  const out: Json[] = [];
  // `nft -j -f` with several list commands prints one JSON document per command
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(t);
    } catch {
      continue;
    }
    const list = isObj(doc) && Array.isArray(doc['nftables']) ? (doc['nftables'] as unknown[]) : [];
    for (const x of list) if (isObj(x)) out.push(x);
  }
  return out;
}

export function parseCounters(text: string): NftCounter[] {
  return items(text).flatMap((x) => {
    const c = x['counter'];
    if (!isObj(c) || typeof c['name'] !== 'string') return [];
    return [{ name: c['name'], packets: Number(c['packets'] ?? 0), bytes: Number(c['bytes'] ?? 0) }];
  });
}

function elementValue(v: unknown): string | undefined {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (isObj(v) && isObj(v['prefix'])) return `${String(v['prefix']['addr'])}/${String(v['prefix']['len'])}`;
  if (isObj(v) && Array.isArray(v['concat'])) return (v['concat'] as unknown[]).map(elementValue).join(' . ');
  return undefined;
}

/** set name → elements */
export function parseSets(text: string): Map<string, NftSetElement[]> {
  const out = new Map<string, NftSetElement[]>();
  for (const x of items(text)) {
    const s = x['set'] ?? x['map'];
    if (!isObj(s) || typeof s['name'] !== 'string') continue;
    const elems: NftSetElement[] = [];
    for (const e of Array.isArray(s['elem']) ? (s['elem'] as unknown[]) : []) {
      if (isObj(e) && isObj(e['elem'])) {
        const inner = e['elem'];
        const value = elementValue(inner['val']);
        if (value === undefined) continue;
        const c = inner['counter'];
        elems.push({
          value,
          ...(isObj(c) ? { packets: Number(c['packets'] ?? 0) } : {}),
          ...(inner['expires'] !== undefined ? { expiresSec: Number(inner['expires']) } : {}),
        });
      } else {
        const value = Array.isArray(e) ? e.map(elementValue).join(' : ') : elementValue(e);
        if (value !== undefined) elems.push({ value });
      }
    }
    out.set(s['name'], elems);
  }
  return out;
}
