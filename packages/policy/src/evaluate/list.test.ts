import { describe, expect, it } from 'vitest';
import { Policy } from '../policy.js';
import { compilePolicy } from './compile.js';
import { evaluate } from './evaluate.js';
import { HostSet, normalizeHost, parseUrl } from './host.js';
import type { FlowFacts } from './types.js';

const withLists = (allow: string[], block: string[] = []) =>
  compilePolicy(Policy.parse({ schemaVersion: 1, model: 10, allowList: allow.map((value) => ({ value })), blockList: block.map((value) => ({ value })) }));
const flow = (f: Partial<FlowFacts>): FlowFacts => ({ srcIp: '192.168.1.2', dstPort: 443, protocol: 'tcp', ...f });

describe('hosts', () => {
  it('normalizes case, trailing dots, brackets and IDNs', () => {
    expect(normalizeHost('WWW.Example.COM.')).toBe('www.example.com');
    expect(normalizeHost('[2001:DB8::1]')).toBe('2001:db8::1');
    expect(normalizeHost('例え.jp')).toBe('xn--r8jz45g.jp');
    expect(normalizeHost('*.例え.jp')).toBe('*.xn--r8jz45g.jp');
    expect(parseUrl('https://User@Example.com:8443/a/b?c=1#frag')).toEqual({ host: 'example.com', path: '/a/b?c=1' });
    expect(parseUrl('not a url')).toBeUndefined();
  });
  it('wildcards match subdomains at any depth and the apex, exact hosts only themselves', () => {
    const s = new HostSet<string>();
    s.add('*.example.com', 'w');
    s.add('download.microsoft.com', 'e');
    expect([...s.matches('example.com')]).toEqual(['w']);
    expect([...s.matches('a.b.example.com')]).toEqual(['w']);
    expect([...s.matches('badexample.com')]).toEqual([]);
    expect([...s.matches('download.microsoft.com')]).toEqual(['e']);
    expect([...s.matches('x.download.microsoft.com')]).toEqual([]);
  });
});

describe('allow/block list matching', () => {
  it('names the first matching entry in list order', () => {
    const c = withLists(['*.example.com', 'www.example.com']);
    expect(evaluate(c, flow({ dstHost: 'www.example.com' }))).toMatchObject({ reason: { kind: 'allowList', entry: '*.example.com' } });
  });
  it('an IP entry matches dstIp and an IP literal in the URL', () => {
    const c = withLists([], ['198.51.100.0/24', '2001:db8::/32']);
    expect(evaluate(c, flow({ dstIp: '198.51.100.20' }))).toMatchObject({ decision: 'block', reason: { entry: '198.51.100.0/24' } });
    expect(evaluate(c, flow({ url: 'http://[2001:db8::5]/' }))).toMatchObject({ decision: 'block', reason: { entry: '2001:db8::/32' } });
    expect(evaluate(c, flow({ dstIp: '198.51.101.1' }))).toMatchObject({ decision: 'allow', reason: { kind: 'default' } });
  });
  it('URL entries match a path prefix on their host (or wildcard host)', () => {
    const c = withLists([], ['example.com/private', '*.example.net/a']);
    expect(evaluate(c, flow({ url: 'https://example.com/private/x' })).decision).toBe('block');
    expect(evaluate(c, flow({ url: 'https://example.com/public' })).decision).toBe('allow');
    expect(evaluate(c, flow({ url: 'https://sub.example.com/private' })).decision).toBe('allow');
    expect(evaluate(c, flow({ url: 'https://x.y.example.net/a/b' })).decision).toBe('block');
    expect(evaluate(c, flow({ url: 'https://example.net/a' })).decision).toBe('block');
  });
  it('at connection start, a list with hosts waits for the URL unless an earlier IP entry decides', () => {
    const c = withLists(['10.1.1.1', 'example.com'], ['10.2.2.2']);
    expect(evaluate(c, flow({ dstIp: '10.1.1.1' }))).toMatchObject({ decision: 'allow', reason: { entry: '10.1.1.1' } });
    expect(evaluate(c, flow({ dstIp: '10.2.2.2' }))).toEqual({ decision: 'undecided', needs: ['url'] });
    expect(evaluate(c, flow({ dstIp: '10.2.2.2', dstHost: 'other.example' }))).toMatchObject({ decision: 'block', reason: { entry: '10.2.2.2' } });
    expect(evaluate(c, flow({ dstIp: '10.2.2.2', stage: 'l7' }))).toMatchObject({ decision: 'block', reason: { entry: '10.2.2.2' } });
    const ipFirst = withLists(['example.com', '10.1.1.1']);
    expect(evaluate(ipFirst, flow({ dstIp: '10.1.1.1' }))).toEqual({ decision: 'undecided', needs: ['url'] });
  });
  it('a port-defined flow (DNS) never waits for a URL', () => {
    const c = withLists(['example.com'], ['8.8.8.8']);
    expect(evaluate(c, flow({ dstIp: '8.8.8.8', dstPort: 53, protocol: 'udp' }))).toMatchObject({ decision: 'block', reason: { kind: 'blockList', entry: '8.8.8.8' } });
  });
  it('list decisions are logged and carry no profile', () => {
    const d = evaluate(withLists(['example.com']), flow({ dstHost: 'example.com' }));
    expect(d).toEqual({ decision: 'allow', reason: { kind: 'allowList', entry: 'example.com' }, log: true, profile: null });
  });
});
