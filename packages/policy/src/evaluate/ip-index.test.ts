import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddressEntry } from '../address.js';
import { toIp } from './flow-view.js';
import { IpPriorityIndex, IpSet } from './ip-index.js';

const v4Range = fc.tuple(fc.nat(63), fc.nat(63)).map(([a, b]) => (a <= b ? `10.0.0.${a}-10.0.0.${b}` : `10.0.0.${b}-10.0.0.${a}`));
const v6Range = fc.tuple(fc.nat(63), fc.nat(63)).map(([a, b]) => (a <= b ? `2001:db8::${a.toString(16)}-2001:db8::${b.toString(16)}` : `2001:db8::${b.toString(16)}-2001:db8::${a.toString(16)}`));
const parsed = (s: string) => {
  const r = parseAddressEntry(s);
  if (!r.ok) throw new Error(s);
  return r.value;
};

describe('address indexes', () => {
  it('the priority index returns the first (lowest-index) entry holding the address, like a linear scan', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(v4Range, v6Range), { maxLength: 12 }), fc.nat(70), fc.boolean(), (ranges, probe, six) => {
        const entries = ranges.map((r, priority) => ({ ...parsed(r), priority }));
        const index = new IpPriorityIndex(entries);
        const ip = toIp(six ? `2001:db8::${probe.toString(16)}` : `10.0.0.${probe}`)!;
        const linear = entries.find((e) => e.family === ip.family && ip.value >= e.start && ip.value <= e.end)?.priority ?? -1;
        expect(index.lookup(ip)).toBe(linear);
        expect(new IpSet(entries).has(ip)).toBe(linear >= 0);
      }),
      { numRuns: 500 },
    );
  });
  it('handles the whole address space and its edges', () => {
    const index = new IpPriorityIndex([
      { ...parsed('0.0.0.0/0'), priority: 1 },
      { ...parsed('255.255.255.255'), priority: 0 },
      { ...parsed('::/0'), priority: 2 },
    ]);
    expect(index.lookup(toIp('0.0.0.0'))).toBe(1);
    expect(index.lookup(toIp('255.255.255.255'))).toBe(0);
    expect(index.lookup(toIp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'))).toBe(2);
    expect(index.lookup(null)).toBe(-1);
    expect(new IpPriorityIndex([]).lookup(toIp('10.0.0.1'))).toBe(-1);
  });
});
