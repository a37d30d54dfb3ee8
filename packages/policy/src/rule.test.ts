import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { validate } from './policy.js';
import { classifyListValue, ListEntry, PolicyRule } from './rule.js';

const problems = (schema: z.ZodType, input: unknown) => {
  const r = validate(schema, input);
  return r.ok ? [] : r.problems.map((p) => `${p.path}:${p.code}`);
};

describe('policy rules', () => {
  it('fills the defaults of a minimal rule', () => {
    expect(PolicyRule.parse({ id: 'r', name: 'r', action: 'block' })).toEqual({
      id: 'r',
      name: 'r',
      enabled: true,
      gatewayGroups: [],
      source: { type: 'any' },
      destination: { type: 'any' },
      service: { type: 'any' },
      content: { type: 'any' },
      action: 'block',
      log: true,
      profileId: null,
    });
  });
  it('accepts every kind of condition', () => {
    expect(
      problems(PolicyRule, {
        id: 'r',
        name: 'all',
        gatewayGroups: ['g'],
        source: { type: 'selected', users: ['u'], groups: ['g'], addresses: ['a'], macs: ['m'] },
        destination: { type: 'geo', countries: ['jp', 'US'] },
        service: { type: 'selected', services: ['s'] },
        content: { type: 'selected', applications: ['line'], applicationFunctions: ['line:call'], applicationCategories: ['p2p'], urlCategories: ['malware'], customCategories: ['c'] },
        action: 'allow',
        log: false,
        profileId: 'p',
      }),
    ).toEqual([]);
  });
  it('reports empty selections, bad ids and unknown keys', () => {
    expect(problems(PolicyRule, { id: 'r', name: 'r', action: 'block', source: { type: 'selected' } })).toEqual(['source:policy.source.empty']);
    expect(problems(PolicyRule, { id: 'r', name: 'r', action: 'block', destination: { type: 'addresses', addresses: [] } })).toEqual(['destination.addresses:policy.destination.empty']);
    expect(problems(PolicyRule, { id: 'r', name: 'r', action: 'block', destination: { type: 'geo', countries: ['XX'] } })).toEqual(['destination.countries.0:policy.country.invalid']);
    expect(problems(PolicyRule, { id: 'r', name: 'r', action: 'block', service: { type: 'selected', services: [] } })).toEqual(['service.services:policy.service.empty']);
    expect(problems(PolicyRule, { id: 'r', name: 'r', action: 'block', content: { type: 'selected' } })).toEqual(['content:policy.content.empty']);
    expect(problems(PolicyRule, { id: 'r', name: 'r', action: 'block', content: { type: 'selected', applicationFunctions: ['call'] } })).toEqual(['content.applicationFunctions.0:policy.id.invalid']);
    expect(problems(PolicyRule, { id: 'r', name: 'r', action: 'block', content: { type: 'selected', applications: ['LINE'] } })).toEqual(['content.applications.0:policy.id.invalid']);
    expect(problems(PolicyRule, { id: 'r', name: 'r', action: 'deny' })).toEqual(['action:schema.invalid_value']);
    expect(problems(PolicyRule, { id: 'r', name: 'r' })).toEqual(['action:schema.required']);
    expect(problems(PolicyRule, { id: 'r', name: 'r', action: 'block', enabled: 'yes' })).toEqual(['enabled:schema.invalid_type']);
    expect(problems(PolicyRule, { id: 'r', name: 'r', action: 'block', priority: 1, source: { type: 'any', users: [] } }).sort()).toEqual([
      'priority:schema.unknown_key',
      'source.users:schema.unknown_key',
    ]);
    expect(problems(PolicyRule, { id: 'r', name: 'x'.repeat(129), action: 'block' })).toEqual(['name:schema.too_big']);
  });
});

describe('allow/block list values', () => {
  it.each([
    ['example.com', 'host', 'example.com', ''],
    ['https://Example.com/', 'host', 'example.com', '/'],
    ['*.apple.com', 'wildcard', '*.apple.com', ''],
    ['example.com:8443', 'host', 'example.com', ''],
    ['clouledge50-p.activeupdate.trendmicro.com/activeupdate', 'url', 'clouledge50-p.activeupdate.trendmicro.com', '/activeupdate'],
    ['http://*.example.com/a/B?q=1', 'url', '*.example.com', '/a/B?q=1'],
    ['10.0.0.1', 'ip', '10.0.0.1', ''],
    ['10.0.0.0/8', 'ip', '10.0.0.0/8', ''],
    ['1.2.3.4:8080', 'ip', '1.2.3.4', ''],
    ['1.2.3.4/admin', 'url', '1.2.3.4', '/admin'],
    ['2001:db8::1', 'ip', '2001:db8::1', ''],
    ['http://[2001:db8::1]:8080/x', 'url', '2001:db8::1', '/x'],
    ['[2001:db8::1]', 'ip', '2001:db8::1', ''],
  ])('%s is a %s', (v, kind, host, path) => {
    expect(classifyListValue(v)).toEqual({ kind, host, path });
  });
  it.each(['', '   ', 'not a host', 'a.*.com', '*', 'localhost', '10.0.0.1-10.0.0.5', '[zz::1]', 'http://', '*.com'])('refuses %j', (v) => {
    expect(classifyListValue(v)).toBeNull();
  });
  it('list entries are strict', () => {
    expect(problems(ListEntry, { value: '*.apple.com', comment: 'Apple' })).toEqual([]);
    expect(problems(ListEntry, { value: 'bad value' })).toEqual(['value:policy.list_entry.invalid']);
    expect(problems(ListEntry, { value: 'a.com', note: 'x' })).toEqual(['note:schema.unknown_key']);
  });
});
