import { describe, expect, it } from 'vitest';
import { RangeTable, compileCsv, loadGeoIp, setGeoIpForTesting } from './index.js';

const table = RangeTable.fromRanges([
  { start: '10.0.0.0', end: '10.0.0.255', country: 'JP' },
  { start: '10.0.2.0', end: '10.0.3.255', country: 'US' },
  { start: '192.0.2.0', end: '192.0.2.127', country: 'DE' },
  { start: '2001:db8::', end: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', country: 'FR' },
  { start: '2001:db9::', end: '2001:db9::ff', country: 'KR' },
]);

describe('geoip range table', () => {
  it('finds the range that contains an address, at both ends and inside', () => {
    expect(table.country('10.0.0.0')).toBe('JP');
    expect(table.country('10.0.0.255')).toBe('JP');
    expect(table.country('10.0.1.0')).toBeUndefined();
    expect(table.country('10.0.3.7')).toBe('US');
    expect(table.country('192.0.2.127')).toBe('DE');
    expect(table.country('192.0.2.128')).toBeUndefined();
    expect(table.country('9.255.255.255')).toBeUndefined();
    expect(table.country('255.255.255.255')).toBeUndefined();
  });

  it('handles IPv6, IPv4-mapped IPv6 and malformed input', () => {
    expect(table.country('2001:db8::1')).toBe('FR');
    expect(table.country('[2001:DB8:abcd::1]')).toBe('FR');
    expect(table.country('2001:db9::ff')).toBe('KR');
    expect(table.country('2001:db9::100')).toBeUndefined();
    expect(table.country('::ffff:10.0.0.5')).toBe('JP');
    for (const bad of ['', 'example.com', '10.0.0', '10.0.0.256', '1::2::3', 'fe80::1::']) expect(table.country(bad), bad).toBeUndefined();
  });

  it('rejects overlapping ranges and bad country codes', () => {
    expect(() => RangeTable.fromRanges([{ start: '1.0.0.0', end: '1.0.0.10', country: 'JP' }, { start: '1.0.0.5', end: '1.0.0.20', country: 'US' }])).toThrow(/overlapping IPv4 ranges/);
    expect(() => RangeTable.fromRanges([{ start: '1.0.0.0', end: '1.0.0.10', country: 'jp' }])).toThrow(/bad country code/);
    expect(() => RangeTable.fromRanges([{ start: '1.0.0.9', end: '1.0.0.1', country: 'JP' }])).toThrow(/ends before it starts/);
  });

  it('compiles the package CSV format and skips damaged lines', () => {
    const t = compileCsv('16777216,16777471,AU\nbroken line\n16777472,16778239,CN\n', '2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,JP\nnot,an,ip\n');
    expect(t.size).toEqual({ ipv4: 2, ipv6: 1 });
    expect(t.country('1.0.0.1')).toBe('AU');
    expect(t.country('1.0.1.1')).toBe('CN');
    expect(t.country('2001:200::1')).toBe('JP');
  });

  it('lets the innermost of nested ranges win, as in the shipped data', () => {
    // 2.58.196.0-2.58.197.255 DE contains 2.58.197.15 BE
    const t = compileCsv('37405696,37406207,DE\n37405967,37405967,BE\n37405968,37406207,DE\n37406208,37406719,FR\n', '');
    expect(['2.58.197.14', '2.58.197.15', '2.58.197.16', '2.58.198.0'].map((ip) => t.country(ip))).toEqual(['DE', 'BE', 'DE', 'FR']);
    expect(t.size.ipv4).toBe(4);
  });

  it('round-trips through its compiled binary form and rejects a damaged one', () => {
    const copy = RangeTable.deserialize(table.serialize());
    expect(['10.0.0.1', '10.0.3.7', '2001:db8::1', '2001:db9::5', '10.0.1.1'].map((ip) => copy.country(ip))).toEqual(['JP', 'US', 'FR', 'KR', undefined]);
    expect(() => RangeTable.deserialize(table.serialize().subarray(0, 40))).toThrow(/truncated/);
    expect(() => RangeTable.deserialize(Buffer.from('nope nope nope nope'))).toThrow(/not a compiled GeoIP table/);
  });

  it('lets tests inject a table', () => {
    setGeoIpForTesting(table);
    try {
      expect(loadGeoIp().country('10.0.0.1')).toBe('JP');
    } finally {
      setGeoIpForTesting(undefined);
    }
  });
});

describe('shipped GeoIP data', () => {
  const geo = loadGeoIp();
  it('knows well-known assignments', () => {
    // 133.0.0.0/8 is allocated to Japan (JPNIC); 8.8.8.8 is Google in the US
    expect(geo.country('133.11.0.1')).toBe('JP');
    expect(geo.country('8.8.8.8')).toBe('US');
    // 2400:4000::/22 belongs to NTT Communications' Japanese network (OCN)
    expect(geo.country('2400:4050::1')).toBe('JP');
    expect(geo.country('2001:4860:4860::8888')).toBe('US');
    expect(geo.country('10.1.2.3')).toBeUndefined();
  });
});
