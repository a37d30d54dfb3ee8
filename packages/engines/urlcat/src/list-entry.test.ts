import { describe, expect, it } from 'vitest';
import { canonicalHost, parseListLine, splitUrl } from './list-entry.js';

describe('list lines', () => {
  it('accepts hosts in their usual spellings and canonicalizes them', () => {
    expect(parseListLine('Example.COM.', 'domains')).toEqual({ kind: 'host', host: 'example.com' });
    expect(parseListLine('  .afshin.ir ', 'domains')).toEqual({ kind: 'host', host: 'afshin.ir' });
    expect(parseListLine('*.example.co.jp', 'auto')).toEqual({ kind: 'host', host: 'example.co.jp' });
    expect(parseListLine('_dmarc.example.com', 'domains')).toEqual({ kind: 'host', host: '_dmarc.example.com' });
    expect(parseListLine('例え.jp', 'domains')).toEqual({ kind: 'host', host: 'xn--r8jz45g.jp' });
  });

  it('reads Adblock, hosts-file, URL, IP and CIDR lines', () => {
    expect(parseListLine('||evil.example^', 'auto')).toEqual({ kind: 'host', host: 'evil.example' });
    expect(parseListLine('0.0.0.0 ads.example.net # tracker', 'auto')).toEqual({ kind: 'host', host: 'ads.example.net' });
    expect(parseListLine('http://www.Example.com:8080/Path/x?q=1#frag', 'auto')).toEqual({ kind: 'url', host: 'example.com', path: '/path/x?q=1' });
    expect(parseListLine('203.0.113.0/24', 'auto')).toMatchObject({ kind: 'ip', cidr: { family: 4, prefix: 24 } });
    expect(parseListLine('2001:db8::/32', 'auto')).toMatchObject({ kind: 'ip', cidr: { family: 6, prefix: 32 } });
    // in a UT1 urls file this is host 107.172.238.16 with path /8
    expect(parseListLine('107.172.238.16/8', 'urls')).toEqual({ kind: 'url', host: '107.172.238.16', path: '/8' });
  });

  it('ignores blanks and comments without counting them as errors', () => {
    for (const l of ['', '   ', '# comment', '! adblock comment', '[Adblock Plus]']) expect(parseListLine(l, 'auto').kind).toBe('ignore');
  });

  it('gives a reason for each kind of malformed line', () => {
    const reason = (l: string, mode: 'domains' | 'urls' | 'auto' = 'domains') => {
      const e = parseListLine(l, mode);
      return e.kind === 'error' ? e.reason : `accepted as ${e.kind}`;
    };
    expect(reason('w-w-i-s-.com')).toBe('label starts or ends with a hyphen');
    expect(reason('foo..com')).toBe('empty label');
    expect(reason('localhost')).toBe('single-label host (no dot)');
    expect(reason('ex ample.com')).toBe('whitespace inside entry');
    expect(reason('exa$mple.com')).toBe('invalid character in host');
    expect(reason(`${'a'.repeat(64)}.com`)).toBe('label longer than 63 characters');
    expect(reason('example.com/path')).toBe('path in a domains file');
    expect(reason('1.2.3.999')).toBe('numeric top-level label (not a host, not an IPv4 address)');
    expect(reason('||a.example^$third-party,script', 'auto')).toBe('accepted as host');
    expect(reason('||a.example^foo', 'auto')).toBe('unsupported Adblock rule');
  });

  it('splits URLs into host and lowercase path', () => {
    expect(splitUrl('https://user:pw@Host.example:443/A/B?c#d')).toEqual({ host: 'Host.example', path: '/a/b?c' });
    expect(splitUrl('host.example?x=1')).toEqual({ host: 'host.example', path: '/?x=1' });
    expect(splitUrl('http://[2001:db8::1]:80/x')).toEqual({ host: '[2001:db8::1]', path: '/x' });
    expect(canonicalHost('ex--ample.com')).toEqual({ host: 'ex--ample.com' });
    expect(canonicalHost('-x.com')).toEqual({ reason: 'label starts or ends with a hyphen' });
  });
});
