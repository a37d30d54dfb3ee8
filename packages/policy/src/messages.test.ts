import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AddressObject, CustomCategory, MacObject, ServiceObject, User } from './objects.js';
import { defaultPolicyInput } from './defaults.js';
import { FlowFacts } from './evaluate/types.js';
import { SecurityEvent } from './events.js';
import { toProblems } from './issue.js';
import { MESSAGES, message, type MessageCode } from './messages.js';
import { parsePolicyJson, validate, validatePolicy, type PolicyInput } from './policy.js';
import { EmailSecurity } from './profile.js';
import { ListEntry, PolicyRule } from './rule.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogue', () => {
  const codes = Object.keys(MESSAGES) as MessageCode[];
  it.each(codes)('%s has Japanese and English text with the same parameters', (code) => {
    const raw = message(code);
    expect(raw.ja.trim()).not.toBe('');
    expect(raw.en.trim()).not.toBe('');
    expect(raw.ja).not.toBe(raw.en);
    expect(/[\u3040-\u30ff\u4e00-\u9fff]/.test(raw.ja)).toBe(true);
    expect(placeholders(raw.ja)).toEqual(placeholders(raw.en));
    const params = Object.fromEntries(placeholders(raw.en).map((k) => [k, `<${k}>`]));
    const filled = message(code, params);
    expect(filled.ja).not.toMatch(/\{\w+\}/);
    expect(filled.en).not.toMatch(/\{\w+\}/);
  });

  it('every code is produced by some bad input', () => {
    const seen = new Set<string>();
    const collect = (r: { ok: boolean; problems?: Array<{ code: string }> }) => {
      expect(r.ok).toBe(false);
      for (const p of r.problems ?? []) seen.add(p.code);
    };
    const withPolicy = (edit: (p: PolicyInput) => void) => {
      const p = structuredClone(defaultPolicyInput(50));
      edit(p);
      collect(validatePolicy(p));
    };
    collect(validate(PolicyRule, { id: 'bad id', name: ' ', action: 'deny', enabled: 'x', extra: 1, content: { type: 'selected' } }));
    collect(validate(PolicyRule, { id: 'r', name: 'x'.repeat(200), action: 'block', source: { type: 'selected' }, destination: { type: 'addresses', addresses: [] }, service: { type: 'selected', services: [] } }));
    collect(validate(PolicyRule, { id: 'r', name: 'r', action: 'block', destination: { type: 'geo', countries: ['XX'] }, source: { type: 'nobody' } }));
    collect(validate(PolicyRule, { id: 'r', name: 'r' }));
    collect(validate(AddressObject, { id: 'a', name: 'a', type: 'ipv4', addresses: 'x, ::1, 10.0.0.9-10.0.0.1, 10.0.0.0/40' }));
    collect(validate(AddressObject, { id: 'a', name: 'a', type: 'ipv4', addresses: ',' }));
    collect(validate(AddressObject, { id: 'a', name: 'a', type: 'fqdn', fqdn: '*' }));
    collect(validate(MacObject, { id: 'm', name: 'm', macs: ['zz'] }));
    collect(validate(ServiceObject, { id: 's', name: 's', entries: [{ protocol: 'tcp', ports: '0' }, { protocol: 'icmp', ports: '1' }] }));
    collect(validate(User, { id: 'u', name: 'u', email: 'no' }));
    collect(validate(CustomCategory, { id: 'c', name: 'c', entries: [] }));
    collect(validate(ListEntry, { value: 'not valid' }));
    collect(validate(EmailSecurity, { customSslPorts: { smtps: [1], pop3s: [1] }, exceptions: { fileTypes: { allow: ['exe'], block: ['exe'] } }, contentFilter: { keywords: [''] } }));
    collect(validate(FlowFacts, { srcIp: '10.0.0.1', dstPort: 1, protocol: 'tcp', url: 'not a url' }));
    collect(validate(SecurityEvent, { id: 'e', ts: 1, srcIp: '1.1.1.1', type: 'security', threatType: 'malware', action: 'block', signature: 's', fileSha256: 'xyz' }));
    collect({ ok: false, problems: toProblems(z.number().multipleOf(2).safeParse(3).error!) });
    collect(parsePolicyJson('{'));
    // raised by the console's check of event batches in columns (EventBatchBody) as a custom issue with its code; the real path is tested in gateway-e2e.test.ts
    collect({ ok: false, problems: toProblems(z.unknown().superRefine((_v, ctx) => ctx.addIssue({ code: 'custom', message: 'r', params: { code: 'events.columns_invalid', reason: 'r' } })).safeParse(1).error!) });
    withPolicy((p) => {
      p.rules!.push({ id: 'app-control', name: '[50-1] URLフィルタリング', action: 'block', profileId: 'none', source: { type: 'selected', users: ['ghost'] } });
      p.allowList!.push({ value: '*.apple.com' });
    });
    expect([...seen].sort()).toEqual(Object.keys(MESSAGES).sort());
  });

  it('problems carry both languages', () => {
    const r = validate(ListEntry, { value: 'bad value' });
    expect(r).toEqual({
      ok: false,
      problems: [
        {
          path: 'value',
          code: 'policy.list_entry.invalid',
          message: {
            ja: '「bad value」は正しいURL、ワイルドカードドメイン (*.example.com)、またはIPアドレスではありません。',
            en: '"bad value" is not a valid URL, wildcard domain (*.example.com) or IP address.',
          },
        },
      ],
    });
  });
});
