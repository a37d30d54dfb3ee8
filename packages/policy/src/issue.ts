/**
 * Bridges zod issues and our coded, translated problems.
 */
import type { z } from 'zod';
import { MESSAGES, message, type Localized, type MessageCode } from './messages.js';

/** A custom zod issue carrying one of our codes. */
export function issue(code: MessageCode, params: Record<string, unknown> = {}, path?: PropertyKey[]) {
  const m = message(code, params);
  return { code: 'custom' as const, message: m.en, params: { ...params, code }, ...(path ? { path } : {}) };
}

export interface Problem {
  /** dotted path into the validated document, e.g. "rules.2.source.addresses.0" */
  path: string;
  code: MessageCode;
  message: Localized;
}

function pathString(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/** Turn a ZodError (zod 4) into our problem list; zod's own codes map to "schema.*". */
export function toProblems(error: z.ZodError): Problem[] {
  const out: Problem[] = [];
  for (const i of error.issues) {
    const path = pathString(i.path);
    const p = i as unknown as Record<string, unknown>;
    let code: MessageCode;
    let params: Record<string, unknown> = {};
    // zod 4 reports the input only when parsing with { reportInput: true } (validate() does);
    // without it, a missing value is recognised by zod's own message
    const missing = 'input' in p ? p['input'] === undefined : /received undefined/.test(i.message);
    switch (i.code) {
      case 'custom': {
        const ps = (p['params'] ?? {}) as Record<string, unknown>;
        code = (typeof ps['code'] === 'string' ? ps['code'] : i.message in MESSAGES ? i.message : 'schema.invalid') as MessageCode;
        params = { value: p['input'], ...ps };
        break;
      }
      case 'invalid_type':
        code = missing ? 'schema.required' : 'schema.invalid_type';
        params = { expected: p['expected'] };
        break;
      case 'unrecognized_keys':
        code = 'schema.unknown_key';
        params = { keys: (p['keys'] as string[]).join(', ') };
        break;
      case 'too_small':
        code = 'schema.too_small';
        params = { minimum: String(p['minimum']) };
        break;
      case 'too_big':
        code = 'schema.too_big';
        params = { maximum: String(p['maximum']) };
        break;
      case 'invalid_value':
        code = missing && 'input' in p ? 'schema.required' : 'schema.invalid_value';
        params = { options: ((p['values'] as unknown[]) ?? []).map(String).join(', ') };
        break;
      case 'invalid_format':
        code = 'schema.invalid_format';
        params = { format: p['format'] };
        break;
      case 'invalid_union':
        code = 'schema.invalid_union';
        break;
      default:
        code = 'schema.invalid';
    }
    // checks declared with `{ error: '<our code>' }` carry the code as their message
    if (i.code !== 'custom' && i.message in MESSAGES) {
      code = i.message as MessageCode;
      params = { value: p['input'], ...params };
    }
    if (code === 'schema.unknown_key') {
      // one problem per unknown key, with its own path, so that a UI can point at it
      for (const k of p['keys'] as string[]) {
        out.push({ path: pathString([...i.path, k]), code, message: message(code, { keys: k }) });
      }
      continue;
    }
    out.push({ path, code, message: message(code, params) });
  }
  return out;
}

/** A string check that reports our code with the offending value. */
export function checked(fn: (s: string) => boolean, code: MessageCode) {
  return (s: string, ctx: { addIssue: (i: ReturnType<typeof issue>) => void }) => {
    if (!fn(s)) ctx.addIssue(issue(code, { value: s }));
  };
}
