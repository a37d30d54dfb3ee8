import { describe, expect, it } from 'vitest';
import { CategoryDbBuilder } from '../db-builder.js';
import { loadCategoryDb } from '../category-db.js';
import { dgaLikeness } from './dga.js';
import { isDangerous, levelOf, reputation } from './reputation.js';
import { SeenDomains } from './seen.js';
import { skeleton } from './confusables.js';
import { oneEditApart } from './typo.js';

const b = new CategoryDbBuilder();
b.addHost('bad.example', 'malware');
b.addHost('phish.example', 'phishing');
b.addHost('miner.example', 'cryptomining');
b.addHost('news.example', 'news');
b.addHost('qxzvbnrtkplmw.example', 'business');
b.addUrl('files.example', '/drop', 'malware');
const db = loadCategoryDb(b.build());

describe('web reputation', () => {
  it('rates listed threats dangerous and explains why', () => {
    expect(reputation('x.bad.example', db)).toMatchObject({ score: 100, level: 'dangerous', reasons: ['category malware'] });
    expect(reputation('http://files.example/drop/a.exe', db).reasons).toContain('category malware');
    expect(reputation('http://files.example/other', db).level).toBe('safe');
    expect(reputation('miner.example', db)).toMatchObject({ score: 85, level: 'dangerous' });
    expect(reputation('news.example', db)).toMatchObject({ score: 0, level: 'safe', reasons: ['no risk signals'] });
  });

  it('flags one-letter typo-squats of brands and brands on frequently abused TLDs', () => {
    expect(oneEditApart('facobook', 'facebook')).toBe(true);
    expect(oneEditApart('faecbook', 'facebook')).toBe(true);
    expect(oneEditApart('facebok', 'facebook')).toBe(true);
    expect(oneEditApart('faceboook', 'facebook')).toBe(true);
    expect(oneEditApart('facebook', 'facebook')).toBe(false);
    expect(oneEditApart('fcaeboko', 'facebook')).toBe(false);
    expect(reputation('hotmial.com', db)).toMatchObject({ level: 'dangerous', reasons: ['one letter off the brand hotmail'] });
    expect(reputation('facebook.com', db).level).toBe('safe');
    // common words next to a brand are not squats
    expect(reputation('xcloud.com', db).level).toBe('safe');
    expect(reputation('uspsupdates.shop', db).reasons).toContain('brand "usps" on a frequently abused TLD');
    expect(reputation('uspsupdates.shop', db).level).toBe('high');
    // on the most abused TLDs a brand-led name is dangerous at the default sensitivity
    expect(reputation('uspsgku.top', db)).toMatchObject({ score: 81, level: 'dangerous' });
    expect(isDangerous(reputation('uspsgku.top', db).score, 'medium')).toBe(true);
    expect(reputation('usps-packages-track.com', db).level).not.toBe('safe');
  });

  it('flags public IP-literal hosts but not private ones', () => {
    expect(reputation('203.0.113.7', db)).toMatchObject({ score: 45, level: 'medium', reasons: ['IP-literal host'] });
    expect(reputation('http://[2001:db8::1]/x', db).reasons).toEqual(['IP-literal host']);
    expect(reputation('192.168.1.1', db).level).toBe('safe');
  });

  it('recognizes punycode, homoglyph and digit look-alikes of well-known brands', () => {
    // "pаypal" with a Cyrillic а
    const lookalike = new URL('http://p\u0430ypal.com').hostname;
    expect(lookalike.startsWith('xn--')).toBe(true);
    const r = reputation(lookalike, db);
    expect(r.level).toBe('dangerous');
    expect(r.reasons).toContain('punycode look-alike of paypal');
    expect(skeleton('ɡооgle')).toBe('google');
    expect(reputation('paypa1.com', db).reasons).toContain('digit-swapped look-alike of paypal');
    expect(reputation('paypa1.com', db).level).toBe('dangerous');
    expect(reputation('paypal.com.account-verify.xyz', db).level).toBe('dangerous');
    expect(reputation('amazon-login-verify.com', db).score).toBeGreaterThanOrEqual(60);
    // genuine internationalized names are not look-alikes
    expect(reputation(new URL('http://例え.jp').hostname, db).level).toBe('safe');
    expect(reputation('paypal.com', db).level).toBe('safe');
  });

  it('scores algorithmically generated-looking names and leaves ordinary names alone', () => {
    expect(dgaLikeness('iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea').score).toBeGreaterThanOrEqual(0.4);
    expect(dgaLikeness('xkqzvbtrplmnw').score).toBeGreaterThanOrEqual(0.3);
    for (const ok of ['wikipedia', 'stackoverflow', 'nihonkeizai', 'yomiuri', 'amazon', 'kuronekoyamato']) expect(dgaLikeness(ok).score, ok).toBeLessThan(0.3);
    expect(reputation('a8f3k2x9q1z7m4.top', db).score).toBeGreaterThanOrEqual(40);
    expect(reputation('wikipedia.org', db).level).toBe('safe');
    // a benign listed host is never made dangerous by heuristics alone
    expect(reputation('qxzvbnrtkplmw.example', db).score).toBeLessThanOrEqual(30);
  });

  it('adds a newly-seen signal once per domain', () => {
    const seen = new SeenDomains(2);
    expect(reputation('www.first.example', db, { seen }).reasons).toContain('newly seen domain');
    expect(reputation('mail.first.example', db, { seen }).reasons).not.toContain('newly seen domain');
    reputation('second.example', db, { seen });
    reputation('third.example', db, { seen });
    expect(seen.size).toBe(2);
    expect(reputation('first.example', db, { seen }).reasons).toContain('newly seen domain');
  });

  it('maps scores to levels and sensitivities to thresholds', () => {
    expect([0, 19, 20, 40, 60, 79, 80, 100].map(levelOf)).toEqual(['safe', 'safe', 'low', 'medium', 'high', 'high', 'dangerous', 'dangerous']);
    expect(isDangerous(70, 'high')).toBe(true);
    expect(isDangerous(70, 'medium')).toBe(false);
    expect(isDangerous(85, 'medium')).toBe(true);
    expect(isDangerous(85, 'low')).toBe(false);
    expect(isDangerous(95, 'low')).toBe(true);
  });
});
