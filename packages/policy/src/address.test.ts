import { describe, expect, it } from 'vitest';
import { formatIP, mergeIntervals, parseAddressList, parseIPv6, intervalsContain, parseIP } from './address.js';

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
