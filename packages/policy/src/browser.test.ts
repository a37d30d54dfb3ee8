import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as browser from './browser.js';
import * as full from './index.js';

/** Every module reachable from browser.ts through relative imports. */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const src = fs.readFileSync(file, 'utf8');
    for (const m of src.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)\.js'/gms)) todo.push(path.resolve(path.dirname(file), `${m[1]}.ts`));
  }
  return [...seen];
}

describe('@mamori/policy/browser', () => {
  it('pulls in no node: module, directly or through its imports', () => {
    const files = reachable(path.join(import.meta.dirname, 'browser.ts'));
    expect(files.length).toBeGreaterThan(8);
    const offenders = files.filter((f) => /from\s+'node:/.test(fs.readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('exports the same schemas and helpers as the package root', () => {
    for (const name of ['Policy', 'parseAddressList', 'isValidFqdn', 'classifyListValue', 'normalizeMac', 'parsePorts', 'MAIL_FILE_TYPES', 'message', 'defaultPolicy'] as const) {
      expect((browser as Record<string, unknown>)[name]).toBe((full as Record<string, unknown>)[name]);
    }
    expect('evaluate' in browser).toBe(false);
  });
});
