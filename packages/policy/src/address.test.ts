import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIP, intervalsContain, mergeIntervals, parseAddressEntry, parseAddressList, parseIP, parseIPv4, parseIPv6 } from './address.js';

describe('address lists (manual §6-3 example)', () => {
  it('parses single IPs, ranges and CIDRs', () => {
    const r = parseAddressList('192.168.0.1, 10.0.0.1-10.0.0.4, 10.0.0.8/24', 4);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.map((i) => [formatIP(4, i.start), formatIP(4, i.end)])).toEqual([
      ['192.168.0.1', '192.168.0.1'],
      ['10.0.0.1', '10.0.0.4'],
      ['10.0.0.0', '10.0.0.255'],
    ]);
  });
  it('merges overlapping ranges and finds members', () => {
    const r = parseAddressList('10.0.0.1-10.0.0.4, 10.0.0.8/24, 2001:db8::/32');
    if (!r.ok) throw new Error('parse');
    const m = mergeIntervals(r.value);
    expect(m).toHaveLength(2);
    expect(intervalsContain(m, 4, parseIP('10.0.0.200')!.value)).toBe(true);
    expect(intervalsContain(m, 4, parseIP('10.0.1.0')!.value)).toBe(false);
    expect(intervalsContain(m, 6, parseIP('2001:db8:ffff::1')!.value)).toBe(true);
  });
  it('reports every bad entry', () => {
    const r = parseAddressList('1.2.3, 10.0.0.9-10.0.0.1, 256.1.1.1, ::1', 4);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.code)).toEqual(['policy.address.invalid', 'policy.address.range_order', 'policy.address.invalid', 'policy.address.family']);
  });
  it('formats IPv6 per RFC 5952', () => {
    expect(formatIP(6, parseIPv6('2001:0db8:0:0:1:0:0:1')!)).toBe('2001:db8::1:0:0:1');
    expect(parseIPv6('1::2::3')).toBeNull();
  });
});

describe('IPv4 parsing edge cases', () => {
  it.each([
    ['0.0.0.0', 0n],
    ['255.255.255.255', 0xffffffffn],
    ['10.0.0.1', 0x0a000001n],
  ])('%s', (s, v) => expect(parseIPv4(s)).toBe(v));
  it.each(['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04', '1.2.3.', '.1.2.3', '1..2.3', '1.2.3.4 ', '+1.2.3.4', '0x1.2.3.4', '１.2.3.4', ''])('refuses %j', (s) => {
    expect(parseIPv4(s)).toBeNull();
  });
});

describe('IPv6 parsing edge cases', () => {
  it.each([
    ['::', 0n],
    ['::1', 1n],
    ['1::', 1n << 112n],
    ['2001:db8::', 0x20010db8n << 96n],
    ['2001:DB8:0:0:0:0:0:1', (0x20010db8n << 96n) | 1n],
    ['0001:0002:0003:0004:0005:0006:0007:0008', 0x00010002000300040005000600070008n],
    ['::ffff:192.0.2.1', (0xffffn << 32n) | 0xc0000201n],
    ['::192.0.2.1', 0xc0000201n],
    ['64:ff9b::198.51.100.7', (0x64ff9bn << 96n) | 0xc6336407n],
    ['1:2:3:4:5:6:1.2.3.4', 0x00010002000300040005000601020304n],
    ['1::7:8', (1n << 112n) | (7n << 16n) | 8n],
  ])('%s', (s, v) => expect(parseIPv6(s)).toBe(v));
  it.each([
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1::2:3:4:5:6:7:8',
    ':1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:',
    '12345::',
    'g::1',
    'fe80::1%eth0',
    '::ffff:256.1.1.1',
    '::ffff:1.2.3',
    '1:2:3:4:5:6:7:1.2.3.4',
    '1.2.3.4::',
    '::1.2.3.4:5',
    '',
  ])('refuses %j', (s) => expect(parseIPv6(s)).toBeNull());
  it('formats round trips', () => {
    for (const s of ['::', '::1', '1::', '2001:db8::1:0:0:1', 'fe80::1', '1:0:0:2::3', '1:2:3:4:5:6:7:8']) {
      expect(formatIP(6, parseIPv6(s)!)).toBe(s);
    }
    expect(formatIP(6, parseIPv6('1:0:2:3:4:5:6:7')!)).toBe('1:0:2:3:4:5:6:7');
    expect(formatIP(4, 0xc0a80001n)).toBe('192.168.0.1');
  });
});

describe('entries: ranges and CIDRs', () => {
  const one = (s: string, family?: 4 | 6) => parseAddressEntry(s, family);
  it('CIDR edge prefixes', () => {
    expect(one('0.0.0.0/0')).toMatchObject({ ok: true, value: { start: 0n, end: 0xffffffffn } });
    expect(one('10.1.2.3/32')).toMatchObject({ ok: true, value: { start: 0x0a010203n, end: 0x0a010203n } });
    expect(one('::/0')).toMatchObject({ ok: true, value: { family: 6, start: 0n, end: (1n << 128n) - 1n } });
    expect(one('2001:db8::1/128')).toMatchObject({ ok: true, value: { family: 6, end: (0x20010db8n << 96n) | 1n } });
    expect(one('2001:db8:ffff::/32')).toMatchObject({ ok: true, value: { start: 0x20010db8n << 96n } });
  });
  it.each([
    ['10.0.0.0/33', 'policy.address.cidr_prefix'],
    ['10.0.0.0/-1', 'policy.address.cidr_prefix'],
    ['10.0.0.0/', 'policy.address.cidr_prefix'],
    ['10.0.0.0/08', 'policy.address.cidr_prefix'],
    ['10.0.0.0/8/8', 'policy.address.cidr_prefix'],
    ['::/129', 'policy.address.cidr_prefix'],
    ['10.0.0/8', 'policy.address.invalid'],
    ['10.0.0.5-10.0.0.1', 'policy.address.range_order'],
    ['10.0.0.1-::1', 'policy.address.invalid'],
    ['10.0.0.1-', 'policy.address.invalid'],
    ['-10.0.0.1', 'policy.address.invalid'],
    ['10.0.0.1-10.0.0.2-10.0.0.3', 'policy.address.invalid'],
    ['example.com', 'policy.address.invalid'],
  ])('%s → %s', (s, code) => {
    const r = one(s);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.code).toBe(code);
  });
  it('a range with spaces around the dash and a single-address range', () => {
    expect(one('10.0.0.1 - 10.0.0.4')).toMatchObject({ ok: true, value: { start: 0x0a000001n, end: 0x0a000004n } });
    expect(one('10.0.0.1-10.0.0.1')).toMatchObject({ ok: true, value: { start: 0x0a000001n, end: 0x0a000001n } });
    expect(one('fe80::1-fe80::ff', 6)).toMatchObject({ ok: true });
    expect(one('fe80::1-fe80::ff', 4)).toMatchObject({ ok: false, problems: [{ code: 'policy.address.family' }] });
  });
});

describe('merging intervals', () => {
  const parse = (s: string) => {
    const r = parseAddressList(s);
    if (!r.ok) throw new Error(s);
    return mergeIntervals(r.value).map((i) => `${formatIP(i.family, i.start)}-${formatIP(i.family, i.end)}`);
  };
  it('merges overlapping, contained, adjacent and duplicate entries, per family', () => {
    expect(parse('10.0.0.5-10.0.0.9, 10.0.0.1-10.0.0.6')).toEqual(['10.0.0.1-10.0.0.9']);
    expect(parse('10.0.0.0/24, 10.0.0.7')).toEqual(['10.0.0.0-10.0.0.255']);
    expect(parse('10.0.0.0-10.0.0.4, 10.0.0.5-10.0.0.8')).toEqual(['10.0.0.0-10.0.0.8']);
    expect(parse('10.0.0.1, 10.0.0.1')).toEqual(['10.0.0.1-10.0.0.1']);
    expect(parse('10.0.0.10, 10.0.0.1, ::2, ::1')).toEqual(['10.0.0.1-10.0.0.1', '10.0.0.10-10.0.0.10', '::1-::2']);
    expect(parse('0.0.0.0/0, 10.0.0.1')).toEqual(['0.0.0.0-255.255.255.255']);
  });
  it('lookup agrees with a linear scan (fast-check)', () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => (a <= b ? `10.0.0.${a}-10.0.0.${b}` : `10.0.0.${b}-10.0.0.${a}`));
    fc.assert(
      fc.property(fc.array(v4, { minLength: 1, maxLength: 8 }), fc.nat(255), (entries, probe) => {
        const r = parseAddressList(entries.join(', '));
        if (!r.ok) throw new Error('parse');
        const value = parseIP(`10.0.0.${probe}`)!.value;
        const linear = r.value.some((i) => value >= i.start && value <= i.end);
        const merged = mergeIntervals(r.value);
        expect(intervalsContain(merged, 4, value)).toBe(linear);
        expect(intervalsContain(merged, 6, value)).toBe(false);
        for (let k = 1; k < merged.length; k++) expect(merged[k]!.start > merged[k - 1]!.end + 1n).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
