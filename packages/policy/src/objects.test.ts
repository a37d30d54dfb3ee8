import { describe, expect, it } from 'vitest';
import { AddressObject, CountryCode, CustomCategory, Fqdn, GatewayGroup, isCountryCode, isValidFqdn, MacAddress, MacObject, normalizeMac, parsePorts, ServiceObject, User, UserGroup } from './objects.js';
import { validate } from './policy.js';
import type { z } from 'zod';

const problems = (schema: z.ZodType, input: unknown) => {
  const r = validate(schema, input);
  return r.ok ? [] : r.problems.map((p) => `${p.path}:${p.code}`);
};

describe('address objects (アドレスオブジェクトの追加/編集)', () => {
  it('accepts the manual example as IPv4 and an IPv6 list', () => {
    expect(problems(AddressObject, { id: 'a', name: 'LAN', type: 'ipv4', addresses: '192.168.0.1, 10.0.0.1-10.0.0.4, 10.0.0.8/24' })).toEqual([]);
    expect(problems(AddressObject, { id: 'b', name: 'v6', type: 'ipv6', addresses: '2001:db8::/32, ::1, fe80::1-fe80::ff' })).toEqual([]);
    expect(problems(AddressObject, { id: 'c', name: 'fq', type: 'fqdn', fqdn: '*.Example.COM' })).toEqual([]);
    expect(validate(AddressObject, { id: 'c', name: 'fq', type: 'fqdn', fqdn: ' *.Example.COM ' })).toMatchObject({ ok: true, value: { fqdn: '*.example.com' } });
  });
  it('reports each bad entry, the wrong family and unknown keys', () => {
    expect(problems(AddressObject, { id: 'a', name: 'x', type: 'ipv4', addresses: '10.0.0.1, 2001:db8::1, 10.0.0.9-10.0.0.1, 10.0.0.0/33' })).toEqual([
      'addresses:policy.address.family',
      'addresses:policy.address.range_order',
      'addresses:policy.address.cidr_prefix',
    ]);
    expect(problems(AddressObject, { id: 'a', name: 'x', type: 'ipv6', addresses: '10.0.0.1' })).toEqual(['addresses:policy.address.family']);
    expect(problems(AddressObject, { id: 'a', name: 'x', type: 'ipv4', addresses: ' , ' })).toEqual(['addresses:policy.address.empty']);
    expect(problems(AddressObject, { id: 'a', name: 'x', type: 'ipv4', addresses: '10.0.0.1', fqdn: 'a.com' })).toEqual(['fqdn:schema.unknown_key']);
    expect(problems(AddressObject, { id: 'a', name: 'x', type: 'fqdn', fqdn: 'a.*.com' })).toEqual(['fqdn:policy.fqdn.invalid']);
    expect(problems(AddressObject, { id: 'a', name: 'x', type: 'mac', fqdn: 'a.com' })).toEqual(['type:schema.invalid_union']);
    expect(problems(AddressObject, { id: 'a b', name: '  ', type: 'fqdn', fqdn: 'a.com' })).toEqual(['id:policy.id.invalid', 'name:policy.name.empty']);
    expect(problems(AddressObject, { name: 'n', type: 'fqdn', fqdn: 'a.com' })).toEqual(['id:schema.required']);
  });
});

describe('FQDNs', () => {
  it.each([
    ['example.com', true],
    ['*.example.com', true],
    ['xn--r8jz45g.jp', true],
    ['例え.jp', true],
    ['example.com.', true],
    ['a_b.example.com', true],
    ['localhost', false],
    ['*.com', false],
    ['*example.com', false],
    ['a.*.example.com', false],
    ['-a.example.com', false],
    ['a-.example.com', false],
    ['example.123', false],
    ['exa mple.com', false],
    ['', false],
    [`${'a'.repeat(64)}.com`, false],
  ])('%s → %s', (s, ok) => {
    expect(isValidFqdn(s)).toBe(ok);
    expect(Fqdn.safeParse(s).success).toBe(ok);
  });
  it('refuses a wildcard where it is not allowed', () => {
    expect(isValidFqdn('*.example.com', false)).toBe(false);
  });
});

describe('MAC addresses', () => {
  it.each([
    ['AA:BB:CC:00:11:22', 'aa:bb:cc:00:11:22'],
    ['aa-bb-cc-00-11-22', 'aa:bb:cc:00:11:22'],
    ['aabbcc001122', 'aa:bb:cc:00:11:22'],
    ['aa:bb-cc:00:11:22', null],
    ['aa:bb:cc:00:11', null],
    ['gg:bb:cc:00:11:22', null],
  ])('%s → %s', (s, n) => {
    expect(normalizeMac(s)).toBe(n);
    expect(MacAddress.safeParse(s).success).toBe(n !== null);
  });
  it('MAC objects need at least one valid MAC', () => {
    expect(problems(MacObject, { id: 'm', name: 'm', macs: [] })).toEqual(['macs:policy.address.empty']);
    expect(problems(MacObject, { id: 'm', name: 'm', macs: ['xx'] })).toEqual(['macs.0:policy.mac.invalid']);
    expect(validate(MacObject, { id: 'm', name: 'm', macs: ['AA-BB-CC-00-11-22'] })).toMatchObject({ ok: true, value: { macs: ['aa:bb:cc:00:11:22'] } });
  });
});

describe('services', () => {
  it('parses ports and ranges', () => {
    expect(parsePorts('80, 443, 8000-8080')).toEqual([[80, 80], [443, 443], [8000, 8080]]);
    expect(parsePorts('1-65535')).toEqual([[1, 65535]]);
    for (const bad of ['0', '65536', '90-80', '80,', 'http', '', '1--2']) expect(parsePorts(bad)).toBeNull();
  });
  it('validates service objects', () => {
    expect(problems(ServiceObject, { id: 's', name: 'web', entries: [{ protocol: 'tcp', ports: '80, 443' }, { protocol: 'icmp' }] })).toEqual([]);
    expect(problems(ServiceObject, { id: 's', name: 'web', entries: [] })).toEqual(['entries:policy.service.empty']);
    expect(problems(ServiceObject, { id: 's', name: 'web', entries: [{ protocol: 'tcp', ports: '70000' }] })).toEqual(['entries.0.ports:policy.port.invalid']);
    expect(problems(ServiceObject, { id: 's', name: 'web', entries: [{ protocol: 'icmp', ports: '8' }] })).toEqual(['entries.0.ports:policy.port.not_applicable']);
    expect(problems(ServiceObject, { id: 's', name: 'web', entries: [{ protocol: 'sctp' }] })).toEqual(['entries.0.protocol:schema.invalid_value']);
  });
});

describe('users, groups, custom categories, countries, gateway groups', () => {
  it('users bind addresses and MACs', () => {
    expect(problems(User, { id: 'u', name: '田中', email: 'tanaka@example.jp', addresses: '192.168.1.10', macs: ['02:00:00:00:00:01'] })).toEqual([]);
    expect(problems(User, { id: 'u', name: '田中', email: 'tanaka', addresses: '192.168.1.300' })).toEqual(['email:policy.email.invalid', 'addresses:policy.address.invalid']);
  });
  it('groups list member ids', () => {
    expect(problems(UserGroup, { id: 'g', name: '営業', members: ['u1'] })).toEqual([]);
    expect(problems(UserGroup, { id: 'g', name: '営業', members: ['bad id'] })).toEqual(['members.0:policy.id.invalid']);
  });
  it('custom categories hold list-style entries', () => {
    expect(problems(CustomCategory, { id: 'c', name: 'c', entries: ['example.com', '*.example.net', 'example.org/path', '10.0.0.0/8'] })).toEqual([]);
    expect(problems(CustomCategory, { id: 'c', name: 'c', entries: ['not a host'] })).toEqual(['entries.0:policy.list_entry.invalid']);
    expect(problems(CustomCategory, { id: 'c', name: 'c', entries: [] })).toEqual(['entries:policy.list_entry.empty']);
  });
  it('country codes are ISO 3166-1 alpha-2', () => {
    expect(isCountryCode('JP')).toBe(true);
    expect(isCountryCode('XX')).toBe(false);
    expect(isCountryCode('JPN')).toBe(false);
    expect(CountryCode.parse('jp')).toBe('JP');
    expect(problems(CountryCode, 'ZZ')).toEqual([':policy.country.invalid']);
  });
  it('gateway groups are strict objects', () => {
    expect(problems(GatewayGroup, { id: 'tokyo', name: '東京' })).toEqual([]);
    expect(problems(GatewayGroup, { id: 'tokyo', name: '東京', site: 'x' })).toEqual(['site:schema.unknown_key']);
  });
});
