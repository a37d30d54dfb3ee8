/**
 * Destination countries → nft sets from the real GeoIP table (@mamori/geoip's RangeTable, or a
 * test table built with RangeTable.fromRanges). The table is read through its compact binary
 * form ("MGEO" v1: counts, v4 starts/ends, v6 starts/ends as four u32 words, then the u16 country
 * codes), once, on the first rule that selects a country.
 */
import type { AddressInterval } from '@mamori/policy';
import type { GeoRangeSource } from './compile/types.js';

/** what the compiler needs of a GeoIP table: its serialized ranges */
export interface SerializableGeoTable {
  serialize(): Buffer;
}

function v4Text(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

function v6Text(w: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((w >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(':');
}

/** country (upper case) → its address intervals, IPv4 and IPv6 */
export function indexGeoTable(table: SerializableGeoTable): Map<string, AddressInterval[]> {
  const buf = table.serialize();
  if (buf.length < 16 || buf.toString('latin1', 0, 4) !== 'MGEO' || buf.readUInt32LE(4) !== 1) throw new Error('not a GeoIP range table (MGEO v1)');
  const n4 = buf.readUInt32LE(8);
  const n6 = buf.readUInt32LE(12);
  if (buf.length < 16 + n4 * 8 + n6 * 32 + (n4 + n6) * 2) throw new Error('GeoIP range table truncated');
  const v4s = 16;
  const v4e = v4s + n4 * 4;
  const v6s = v4e + n4 * 4;
  const v6e = v6s + n6 * 16;
  const cc4 = v6e + n6 * 16;
  const cc6 = cc4 + n4 * 2;
  const out = new Map<string, AddressInterval[]>();
  const push = (cc: number, iv: AddressInterval) => {
    const c = String.fromCharCode(cc >>> 8, cc & 255).toUpperCase();
    const list = out.get(c) ?? [];
    list.push(iv);
    out.set(c, list);
  };
  for (let i = 0; i < n4; i++) {
    const start = buf.readUInt32LE(v4s + i * 4);
    const end = buf.readUInt32LE(v4e + i * 4);
    push(buf.readUInt16LE(cc4 + i * 2), { family: 4, start: BigInt(start), end: BigInt(end), text: `${v4Text(start)}-${v4Text(end)}` });
  }
  const word128 = (at: number) => {
    let w = 0n;
    for (let k = 0; k < 4; k++) w = (w << 32n) | BigInt(buf.readUInt32LE(at + k * 4));
    return w;
  };
  for (let i = 0; i < n6; i++) {
    const start = word128(v6s + i * 16);
    const end = word128(v6e + i * 16);
    push(buf.readUInt16LE(cc6 + i * 2), { family: 6, start, end, text: `${v6Text(start)}-${v6Text(end)}` });
  }
  return out;
}

/** The compiler's GeoIP source; `load` runs once, when a rule first selects a country. */
export function geoRanges(load: () => SerializableGeoTable): GeoRangeSource {
  let index: Map<string, AddressInterval[]> | undefined;
  return {
    rangesFor(country: string) {
      index ??= indexGeoTable(load());
      return index.get(country.toUpperCase()) ?? [];
    },
  };
}
