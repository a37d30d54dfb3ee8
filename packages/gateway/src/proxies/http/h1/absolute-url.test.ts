import { describe, expect, it } from 'vitest';
import { plainAbsolute } from './absolute-url.js';

/** what the URL-based path makes of a target */
function viaUrl(url: string): { host: string; port: number; path: string } | 'invalid' {
  try {
    const u = new URL(url);
    return { host: u.hostname, port: u.port ? Number(u.port) : 80, path: u.pathname + u.search };
  } catch {
    return 'invalid';
  }
}

const FAST = ['http://site-1.bench.test:8080/p/123?x=1', 'http://a.b/', 'http://a.b', 'http://a.b?q', 'http://a.b:80/x', 'http://a.b:65535/x', 'http://a.b/index.html', 'http://a.b/x;y=1:z@w', "http://a.b/x~!$&()*+,=", 'http://site.test/secret/plans', 'http://a-b.c-d.e/x.y.z'];
const SLOW = ['http://a.b:65536/x', 'http://a.b/x/../y', 'http://a.b/x/./y', 'http://a.b/%2e%2e/y', 'http://127.0.0.1/', 'http://127.1/', 'http://a.0x7f/', 'http://A.b/', 'http://a.b/x?y=/../z', 'http://a.b/x#frag', "http://a.b/x?it's", 'http://u@a.b/', 'http://a.b:0/', 'http://xn--nxasmq6b.com/', 'https://a.b/', 'http://a.b\\x', 'http://a.b:080/'];

describe('plainAbsolute', () => {
  it.each(FAST)('reads %s exactly as URL does', (url) => {
    const t = plainAbsolute(url);
    expect(t).not.toBeNull();
    expect({ host: t!.host, port: t!.port, path: t!.path }).toEqual(viaUrl(url));
  });

  it.each(SLOW)('leaves %s to URL', (url) => {
    expect(plainAbsolute(url)).toBeNull();
  });
});
