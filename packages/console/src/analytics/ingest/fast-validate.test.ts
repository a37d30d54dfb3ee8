import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventBatch, LogEvent } from '@mamori/policy';
import { generateEvents } from '../demo/generator.js';
import { fastEventBatch } from './fast-validate.js';

const T = Date.UTC(2026, 10, 25);
const base = [...generateEvents({ seed: 5, from: T - 3_600_000, to: T, count: 400 })].map((e) => LogEvent.parse(e) as Record<string, unknown>);
const types = ['bandwidth', 'policy', 'access', 'security'];
/** every field name of every type, and a few that are none */
const FIELDS = ['type', 'id', 'ts', 'srcIp', 'srcMac', 'user', 'dstIp', 'dstPort', 'protocol', 'app', 'appCategory', 'bytesUp', 'bytesDown', 'durationMs', 'action', 'reasonKind', 'ruleId', 'ruleName', 'listEntry', 'host', 'policyVersion', 'url', 'method', 'status', 'categories', 'reputation', 'appFunction', 'decrypted', 'requestId', 'threatType', 'signature', 'severity', 'fileName', 'fileSha256', 'mailFrom', 'mailTo', 'subject', 'extra', '__proto__', 'constructor'];
const lengths = [0, 1, 16, 17, 32, 33, 64, 65, 128, 129, 253, 254, 256, 257, 512, 513, 1024, 1025, 2048, 2049, 8192, 8193];
const VALUES: unknown[] = [
  undefined, null, true, false, -1, 0, 1, 1.5, 100, 101, 65535, 65536, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), Number.NaN, Number.POSITIVE_INFINITY, '1',
  ...lengths.map((n) => 'x'.repeat(n)),
  ...types, 'tcp', 'udp', 'icmp', 'icmpv6', 'other', 'sctp', 'allow', 'block', 'tag', 'detect', 'bypass', 'deny', 'rule', 'allowList', 'blockList', 'default',
  'malware', 'cnc', 'ips', 'virus', 'low', 'medium', 'high', 'critical', 'a'.repeat(64), 'A'.repeat(64), 'a'.repeat(63),
  [], ['news'], Array.from({ length: 16 }, (_, i) => `c${i}`), Array.from({ length: 17 }, (_, i) => `c${i}`), Array.from({ length: 101 }, () => 'm'), ['x'.repeat(65)], ['x'.repeat(513)], [1], {}, { a: 1 },
];

const clone = <V>(v: V): V => structuredClone(v);

function check(batch: unknown): void {
  const z = EventBatch.safeParse(clone(batch));
  const f = fastEventBatch(clone(batch));
  expect(f !== null).toBe(z.success);
  if (z.success) expect(f).toEqual(z.data);
}

describe('fastEventBatch', () => {
  it('accepts the generated events exactly as zod does, with the same defaults', () => {
    const events = base.map((e) => ({ ...e }));
    for (const e of events) {
      if (e['type'] === 'access' && (e['categories'] as unknown[]).length === 0) delete e['categories'];
      if (e['type'] === 'security') delete e['severity'];
    }
    const batch = { batchId: 'b1', gatewayId: 'gw1', events };
    const z = EventBatch.parse(clone(batch));
    expect(fastEventBatch(batch)).toEqual(z);
  });

  it('agrees with zod on events with one field changed, added or removed', () => {
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.constantFrom(...FIELDS), fc.nat(VALUES.length), fc.boolean(), (i, field, vi, remove) => {
        const ev: Record<string, unknown> = { ...base[i]! };
        if (remove) delete ev[field];
        else if (field === '__proto__') Object.defineProperty(ev, '__proto__', { value: VALUES[vi], enumerable: true, configurable: true, writable: true });
        else {
          const other = base[(i + 1) % base.length]!;
          ev[field] = vi === VALUES.length ? (Object.hasOwn(other, field) ? clone(other[field]) : undefined) : clone(VALUES[vi]);
        }
        check({ batchId: 'b', gatewayId: 'g', events: [base[(i + 7) % base.length], ev] });
      }),
      { numRuns: 4000, seed: 7 },
    );
  });

  it('agrees with zod on the batch envelope', () => {
    const evs = base.slice(0, 3);
    const cases: unknown[] = [
      null, [], 'x', {}, { batchId: 'b', gatewayId: 'g' }, { batchId: 'b', gatewayId: 'g', events: [] }, { batchId: '', gatewayId: 'g', events: evs },
      { batchId: 'x'.repeat(128), gatewayId: 'g'.repeat(64), events: evs }, { batchId: 'x'.repeat(129), gatewayId: 'g', events: evs }, { batchId: 'b', gatewayId: 'g'.repeat(65), events: evs },
      { batchId: 'b', gatewayId: 'g', events: evs, extra: 1 }, { batchId: 1, gatewayId: 'g', events: evs }, { batchId: 'b', gatewayId: 'g', events: {} },
      { batchId: 'b', gatewayId: 'g', events: [null] }, { batchId: 'b', gatewayId: 'g', events: Array.from({ length: 10_001 }, () => base[0]) },
    ];
    for (const c of cases) check(c);
  });
});
