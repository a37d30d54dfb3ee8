import { describe, expect, it } from 'vitest';
import { asciiJson } from './ascii-json.js';

describe('asciiJson', () => {
  it('writes only ASCII and parses back to the same value, Japanese, emoji and lone surrogates included', () => {
    const v = { user: '田中 太郎', file: '請求書.zip', emoji: 'ok 👍', lone: 'a\ud800b', plain: 'abc', quote: 'say "hi"\n', n: [1, -2.5, null], nested: { 'キー': ['ü', 'é'] } };
    const text = asciiJson(v);
    expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
    expect(text).toContain('\\u7530\\u4e2d');
    // a character outside the BMP is its two surrogate escapes
    expect(text).toContain('\\ud83d\\udc4d');
  });

  it('leaves ASCII-only JSON exactly as JSON.stringify writes it', () => {
    const v = { a: 'x', b: [1, 2, { c: true }], d: '\u007f' };
    expect(asciiJson(v)).toBe(JSON.stringify(v));
  });
});
