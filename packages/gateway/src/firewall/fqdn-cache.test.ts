import { describe, expect, it } from 'vitest';
import { FqdnCache, fqdnMatches } from './fqdn-cache.js';

const SETS = [
  { fqdn: 'files.example.com', v4: 'fqdn_0_4', v6: 'fqdn_0_6' },
  { fqdn: '*.cdn.example.net', v4: 'fqdn_1_4', v6: 'fqdn_1_6' },
];

describe('FQDN answers', () => {
  it('matches names exactly or below a wildcard', () => {
    expect(fqdnMatches('files.example.com', 'FILES.example.com.')).toBe(true);
    expect(fqdnMatches('files.example.com', 'x.files.example.com')).toBe(false);
    expect(fqdnMatches('*.cdn.example.net', 'a.b.cdn.example.net')).toBe(true);
    expect(fqdnMatches('*.cdn.example.net', 'cdn.example.net')).toBe(false);
  });

  it('records addresses per family with at least the minimum TTL and forgets expired ones', () => {
    let t = 1_000_000;
    const c = new FqdnCache(() => t);
    const added = c.record(SETS, 'files.example.com', ['10.99.3.2', 'fd99::2'], 5, 30);
    expect(added.map((e) => [e.set, e.ip, e.expiresAt - t])).toEqual([['fqdn_0_4', '10.99.3.2', 30_000], ['fqdn_0_6', 'fd99::2', 30_000]]);
    expect(c.record(SETS, 'other.example.com', ['10.99.3.3'], 300, 30)).toEqual([]);
    t += 20_000;
    expect(c.live(SETS).map((e) => c.secondsLeft(e))).toEqual([10, 10]);
    t += 11_000;
    expect(c.live(SETS)).toEqual([]);
  });

  it('refuses a bad address or TTL', () => {
    const c = new FqdnCache();
    expect(() => c.record(SETS, 'files.example.com', ['10.99.3.256'], 5, 30)).toThrow(/invalid address/);
    expect(() => c.record(SETS, 'files.example.com', ['10.99.3.1'], -1, 30)).toThrow(/invalid TTL/);
  });
});
