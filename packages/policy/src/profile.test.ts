import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { validate } from './policy.js';
import { EmailSecurity, SecurityProfile } from './profile.js';

const problems = (schema: z.ZodType, input: unknown) => {
  const r = validate(schema, input);
  return r.ok ? [] : r.problems.map((p) => `${p.path}:${p.code}`);
};

describe('security profiles (§6-5, §6-6)', () => {
  it('has the manual\'s initial values', () => {
    const p = SecurityProfile.parse({ id: 'p', name: '[50-1] 初期設定のプロファイル' });
    expect(p.httpsDecryption).toEqual({ enabled: false, smartBypass: true, blockInvalidCertificates: true });
    expect(p.email.protocols).toEqual({ smtp: true, pop3: true, imap: true, smtps: false, pop3s: false, imaps: false });
    expect(p.email.myNumber).toEqual({ enabled: false, action: 'tag' });
    expect(p.email.antiMalware).toEqual({ enabled: true, action: 'block' });
    expect(p.email.machineLearning.enabled).toBe(true);
    expect(p.email.antiSpam.enabled).toBe(true);
    expect(p.email.emailReputation.enabled).toBe(true);
    expect(p.email.contentFilter.enabled).toBe(false);
    expect(p.email.exceptions).toEqual({ fileTypes: { allow: [], block: [] }, senders: [] });
    expect(p.email.customSslPorts).toEqual({ smtps: [], pop3s: [], imaps: [] });
    expect(p.ips.enabled).toBe(true);
    expect(p.antiMalware.enabled).toBe(true);
    expect(p.webReputation).toEqual({ enabled: true, sensitivity: 'medium' });
    expect(p.dos.enabled).toBe(false);
    expect(p.botProtection.enabled).toBe(true);
  });
  it('accepts every switch set explicitly', () => {
    expect(
      problems(SecurityProfile, {
        id: 'p',
        name: 'strict',
        ips: { enabled: true, mode: 'detect' },
        antiMalware: { enabled: true, cloudLookup: false },
        email: {
          antiMalware: { enabled: true, action: 'tag' },
          myNumber: { enabled: true, action: 'block' },
          contentFilter: { enabled: true, action: 'block', keywords: ['極秘'] },
          exceptions: { fileTypes: { allow: ['pdf'], block: ['exe', 'scr'] }, senders: ['boss@example.jp'] },
          protocols: { smtps: true, pop3s: true, imaps: true },
          customSslPorts: { smtps: [2465], pop3s: [2995], imaps: [2993] },
        },
        webReputation: { enabled: true, sensitivity: 'high' },
        httpsDecryption: { enabled: true, smartBypass: false },
        dos: { enabled: true, synPerSecond: 500 },
        botProtection: { enabled: false },
      }),
    ).toEqual([]);
  });
  it('reports bad values with their paths', () => {
    expect(problems(SecurityProfile, { id: 'p', name: 'x', email: { myNumber: { action: 'delete' } } })).toEqual(['email.myNumber.action:schema.invalid_value']);
    expect(problems(SecurityProfile, { id: 'p', name: 'x', webReputation: { sensitivity: 'extreme' } })).toEqual(['webReputation.sensitivity:schema.invalid_value']);
    expect(problems(SecurityProfile, { id: 'p', name: 'x', dos: { synPerSecond: 0 } })).toEqual(['dos.synPerSecond:schema.too_small']);
    expect(problems(SecurityProfile, { id: 'p', name: 'x', email: { customSslPorts: { smtps: [70000] } } })).toEqual(['email.customSslPorts.smtps.0:schema.too_big']);
    expect(problems(SecurityProfile, { id: 'p', name: 'x', email: { exceptions: { fileTypes: { allow: ['docx', 'elf'] } } } })).toEqual(['email.exceptions.fileTypes.allow.1:schema.invalid_value']);
    expect(problems(SecurityProfile, { id: 'p', name: 'x', email: { exceptions: { senders: ['nobody'] } } })).toEqual(['email.exceptions.senders.0:policy.email.invalid']);
    expect(problems(SecurityProfile, { id: 'p', name: 'x', httpsDecryption: { enabled: true, decryptAll: true } })).toEqual(['httpsDecryption.decryptAll:schema.unknown_key']);
  });
  it('refuses one SSL port for two protocols and a file type both allowed and blocked', () => {
    expect(problems(EmailSecurity, { customSslPorts: { smtps: [1465], imaps: [1465] }, exceptions: { fileTypes: { allow: ['zip'], block: ['zip'] } } })).toEqual([
      'customSslPorts.imaps.0:policy.ssl_port.conflict',
      'exceptions.fileTypes.allow.0:policy.file_type.conflict',
    ]);
  });
});
