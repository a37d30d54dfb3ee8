import type dns from 'node:dns';
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { HostVerifier } from './host-verify.js';

/** a resolver answering from a table, counting the questions */
function resolver(table: Record<string, string[]>) {
  const asked: string[] = [];
  const lookup = ((host: string, _o: dns.LookupAllOptions, cb: (err: NodeJS.ErrnoException | null, addrs: dns.LookupAddress[]) => void) => {
    asked.push(host);
    const ips = table[host];
    if (ips === undefined) cb(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), []);
    else cb(null, ips.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }) as unknown as net.LookupFunction;
  return { lookup, asked };
}

describe('HostVerifier', () => {
  it('accepts a name that resolves to the destination, refuses one that does not, caches answers', async () => {
    const r = resolver({ 'a.example': ['198.51.100.10', '2001:db8::1'] });
    const v = new HostVerifier(r.lookup);
    expect(await v.verify('a.example', '198.51.100.10')).toEqual({ ok: true, resolved: ['198.51.100.10', '2001:db8::1'] });
    expect((await v.verify('A.example', '::ffff:198.51.100.10')).ok).toBe(true);
    expect((await v.verify('a.example', '198.51.100.99')).ok).toBe(false);
    expect(r.asked).toEqual(['a.example']);
    expect(await v.verify('nowhere.example', '198.51.100.10')).toEqual({ ok: false, resolved: [] });
    expect((await v.verify('198.51.100.10', '198.51.100.10')).ok).toBe(true);
    expect((await v.verify('198.51.100.11', '198.51.100.10')).ok).toBe(false);
  });

  it('reports a mismatching pair once a minute, with the count of the ones not logged', () => {
    let t = 1_000_000;
    const v = new HostVerifier(undefined, () => t);
    expect(v.report('a.example', '198.51.100.10')).toBe(0);
    for (let i = 0; i < 5; i++) expect(v.report('A.example', '198.51.100.10')).toBeUndefined();
    // another pair is reported on its own
    expect(v.report('b.example', '198.51.100.10')).toBe(0);
    t += 59_999;
    expect(v.report('a.example', '198.51.100.10')).toBeUndefined();
    t += 1;
    expect(v.report('a.example', '::ffff:198.51.100.10')).toBe(6);
    expect(v.report('a.example', '198.51.100.10')).toBeUndefined();
  });
});
