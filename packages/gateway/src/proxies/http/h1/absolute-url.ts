/**
 * The common absolute-form request target, http://name[:port]/path?query, read without URL when
 * nothing in it is something URL would normalize (percent signs, dot segments, backslashes,
 * fragments, user info, upper case, numeric or punycode hosts, ports written oddly); anything else
 * goes through URL as before, so both give the same target.
 */
import type { Target } from '../exchange.js';

const PLAIN_ABSOLUTE = /^http:\/\/((?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*)(?::([1-9]\d{0,4}))?((?:\/[A-Za-z0-9\-._~!$&()*+,;=:@]*)*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?]*)?)$/;

/** the target, or null when URL has to read it */
export function plainAbsolute(url: string): Target | null {
  const m = PLAIN_ABSOLUTE.exec(url);
  if (!m) return null;
  const path = m[3] ?? '';
  // dot segments ('.', '..') are resolved by URL: left to it
  if (path.includes('/.') || m[1]!.includes('xn--')) return null;
  const port = m[2] ? Number(m[2]) : 80;
  if (port > 65535) return null;
  return { scheme: 'http', host: m[1]!, port, path: path === '' ? '/' : path.startsWith('?') ? `/${path}` : path, decrypted: false };
}
