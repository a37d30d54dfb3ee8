import { describe, expect, it } from 'vitest';
import { appCategory, identify, l4Apps, normalizeHost } from './identify.js';

describe('identify', () => {
  it('matches a TLS SNI on the longest host suffix', () => {
    expect(identify({ protocol: 'tcp', dstPort: 443, sni: 'legy-jp.line-apps.com' })).toMatchObject({ app: 'line', category: 'messaging', by: 'sni' });
    expect(identify({ protocol: 'tcp', dstPort: 443, sni: 'www.chatwork.com' })).toMatchObject({ app: 'chatwork', category: 'collaboration' });
    // a more specific suffix of another app wins over the owner of the shorter one
    expect(identify({ protocol: 'tcp', dstPort: 443, sni: 'news.yahoo.co.jp' })?.app).toBe('yahoo-japan-news');
    expect(identify({ protocol: 'tcp', dstPort: 443, sni: 'www.yahoo.co.jp' })?.app).toBe('yahoo-japan');
    expect(identify({ protocol: 'tcp', dstPort: 443, sni: 'notyahoo.co.jp' })).toMatchObject({ app: 'https', by: 'port' });
  });

  it('reads functions from host-only signatures, so they work from the SNI alone', () => {
    expect(identify({ protocol: 'tcp', dstPort: 443, sni: 'upload.youtube.com' })).toMatchObject({ app: 'youtube', function: 'upload' });
    expect(identify({ protocol: 'udp', dstPort: 443, sni: 'rr3---sn-abc.googlevideo.com' })).toMatchObject({ app: 'youtube', function: 'stream' });
    expect(identify({ protocol: 'tcp', dstPort: 443, sni: 'voipnx-saturn.line-apps.com' })).toMatchObject({ app: 'line', function: 'call' });
  });

  it('narrows HTTP requests to a function by method and path', () => {
    const up = identify({ protocol: 'tcp', dstPort: 443, host: 'content.dropboxapi.com', method: 'POST', path: '/2/files/upload' });
    expect(up).toMatchObject({ app: 'dropbox', function: 'upload', by: 'function', confidence: 0.95 });
    const down = identify({ protocol: 'tcp', dstPort: 443, host: 'content.dropboxapi.com', method: 'POST', path: '/2/files/download' });
    expect(down?.function).toBe('download');
    const plain = identify({ protocol: 'tcp', dstPort: 443, host: 'www.dropbox.com', method: 'GET', path: '/home' });
    expect(plain).toMatchObject({ app: 'dropbox', by: 'host' });
    expect(plain?.function).toBeUndefined();
    const tweet = identify({ protocol: 'tcp', dstPort: 443, host: 'x.com', method: 'POST', path: '/i/api/graphql/abc123/CreateTweet' });
    expect(tweet).toMatchObject({ app: 'twitter', function: 'post' });
  });

  it('routes Cybozu cloud paths to kintone, Garoon and Office, then to their functions', () => {
    const base = { protocol: 'tcp', dstPort: 443, host: 'acme.cybozu.com' } as const;
    expect(identify({ ...base, method: 'GET', path: '/g/portal/index.csp' })?.app).toBe('garoon');
    expect(identify({ ...base, method: 'GET', path: '/o/ag.cgi' })?.app).toBe('cybozu-office');
    expect(identify({ ...base, method: 'POST', path: '/k/v1/file.json' })).toMatchObject({ app: 'kintone', function: 'upload' });
    expect(identify({ ...base, method: 'GET', path: '/k/#/portal' })).toMatchObject({ app: 'kintone' });
    expect(identify({ ...base, method: 'GET', path: '/login' })?.app).toBe('cybozu');
    expect(identify({ protocol: 'tcp', dstPort: 443, sni: 'acme.cybozu.com' })?.app).toBe('cybozu');
  });

  it('names the app a DNS query asks for, and DNS itself otherwise', () => {
    expect(identify({ protocol: 'udp', dstPort: 53, dnsQuery: 'www.nicovideo.jp' })).toMatchObject({ app: 'niconico', by: 'dns' });
    expect(identify({ protocol: 'udp', dstPort: 53, dnsQuery: 'printer.office.lan' })).toMatchObject({ app: 'dns', by: 'port' });
  });

  it('falls back to ALPN and then to the port', () => {
    expect(identify({ protocol: 'tcp', dstPort: 8853, alpn: ['dot'] })).toMatchObject({ app: 'doh', by: 'alpn' });
    expect(identify({ protocol: 'udp', dstPort: 68 })).toMatchObject({ app: 'dhcp', category: 'network-protocols', by: 'port' });
    expect(identify({ protocol: 'udp', dstPort: 49152, srcPort: 123 })).toMatchObject({ app: 'ntp' });
    expect(identify({ protocol: 'tcp', dstPort: 3389 })?.app).toBe('rdp');
    expect(identify({ protocol: 'tcp', dstPort: 40001 })).toBeUndefined();
    expect(identify({ protocol: 'icmp' })).toBeUndefined();
  });

  it('matches first-label globs before the parent suffix', () => {
    expect(identify({ protocol: 'tcp', dstPort: 443, sni: 'igcdn-photos-b-a.akamaihd.net' })?.app).toBe('instagram');
    expect(identify({ protocol: 'tcp', dstPort: 443, sni: 'other.akamaihd.net' })).toMatchObject({ app: 'akamai', category: 'cdn' });
  });

  it('keeps a DNS lookup of a CDN edge name as DNS', () => {
    expect(identify({ protocol: 'udp', dstPort: 53, dnsQuery: 'e1234.dscb.akamaiedge.net', l7: 'dns' })).toMatchObject({ app: 'dns' });
    expect(identify({ protocol: 'tcp', dstPort: 443, sni: 'e1234.dscb.akamaiedge.net' })?.app).toBe('akamai');
    expect(identify({ protocol: 'udp', dstPort: 53, dnsQuery: '0.pool.ntp.org', l7: 'dns' })?.app).toBe('dns');
  });

  it('uses a protocol recognized in the payload when ports say nothing', () => {
    expect(identify({ protocol: 'tcp', dstPort: 2222, l7: 'ssh' })).toMatchObject({ app: 'ssh', by: 'payload' });
    // a generic carrier does not override a port-defined application
    expect(identify({ protocol: 'udp', dstPort: 5353, l7: 'dns' })?.app).toBe('mdns');
    expect(identify({ protocol: 'tcp', dstPort: 40000, l7: 'https' })).toMatchObject({ app: 'https', by: 'payload' });
  });

  it('normalizes hosts: case, port, trailing dot', () => {
    expect(normalizeHost('WWW.Pixiv.NET:443')).toBe('www.pixiv.net');
    expect(normalizeHost('note.com.')).toBe('note.com');
    expect(normalizeHost('[::1]:80')).toBeUndefined();
    expect(normalizeHost('  ')).toBeUndefined();
    expect(identify({ protocol: 'tcp', dstPort: 80, host: 'WWW.PIXIV.NET:80' })?.app).toBe('pixiv');
  });
});

describe('l4Apps and appCategory', () => {
  it('gives the port-defined applications', () => {
    expect(l4Apps('udp', 67)).toEqual(['dhcp']);
    expect(l4Apps('udp', 68)).toEqual(['dhcp']);
    expect(l4Apps('udp', 53)).toEqual(['dns']);
    expect(l4Apps('tcp', 53)).toEqual(['dns']);
    expect(l4Apps('UDP', 123)).toEqual(['ntp']);
    expect(l4Apps('udp', 5353)).toEqual(['mdns']);
    expect(l4Apps('tcp', 12345)).toEqual([]);
    expect(l4Apps('icmp', 0)).toEqual([]);
  });
  it('gives categories', () => {
    expect(appCategory('bittorrent')).toBe('p2p');
    expect(appCategory('tor')).toBe('anonymizer');
    expect(appCategory('nope')).toBeUndefined();
  });
});
