/** IPv4/IPv6 literal parsing for the IP table; returns undefined for anything that is not one. */

export function parseIPv4(s: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      if (digits > 0 && part === 0) return undefined; // leading zero: ambiguous (octal in some resolvers)
      part = part * 10 + (ch - 48);
      digits++;
      if (part > 255) return undefined;
    } else if (ch === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return undefined;
  }
  if (digits === 0 || dots !== 3) return undefined;
  return (value * 256 + part) >>> 0;
}

export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Parses an IPv6 literal (optionally in brackets, with an embedded IPv4 tail) into 16 bytes. */
export function parseIPv6(input: string): Uint8Array | undefined {
  let s = input;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return undefined;
  const out = new Uint8Array(16);
  const dbl = s.indexOf('::');
  if (dbl !== s.lastIndexOf('::')) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i] ?? '';
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 === undefined) return undefined;
        groups.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        groups.push(parseInt(p, 16));
      }
    }
    return groups;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = parseGroups(s.slice(0, dbl));
    const tail = parseGroups(s.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(s);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  for (let i = 0; i < 8; i++) {
    const g = groups[i] ?? 0;
    out[i * 2] = g >>> 8;
    out[i * 2 + 1] = g & 255;
  }
  return out;
}

export function formatIPv6(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/^:::/, '::').replace(/:::$/, '::');
}

export type Cidr = { family: 4; addr: number; prefix: number } | { family: 6; addr: Uint8Array; prefix: number };

/** `1.2.3.4`, `1.2.3.0/24`, `2001:db8::/32`; host bits are cleared. */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  const addrPart = slash >= 0 ? s.slice(0, slash) : s;
  const prefixPart = slash >= 0 ? s.slice(slash + 1) : undefined;
  if (prefixPart !== undefined && !/^[0-9]{1,3}$/.test(prefixPart)) return undefined;
  const v4 = parseIPv4(addrPart);
  if (v4 !== undefined) {
    const prefix = prefixPart === undefined ? 32 : Number(prefixPart);
    if (prefix > 32) return undefined;
    return { family: 4, addr: maskV4(v4, prefix), prefix };
  }
  const v6 = parseIPv6(addrPart);
  if (v6 !== undefined) {
    const prefix = prefixPart === undefined ? 128 : Number(prefixPart);
    if (prefix > 128) return undefined;
    return { family: 6, addr: maskV6(v6, prefix), prefix };
  }
  return undefined;
}

export function maskV4(v: number, prefix: number): number {
  if (prefix === 0) return 0;
  return (v & (0xffffffff << (32 - prefix))) >>> 0;
}

export function maskV6(b: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] = (b[i] ?? 0) & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}
