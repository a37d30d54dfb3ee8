/**
 * Allow/block list and custom category values (manual §6-4): a URL (host + path), a host, a
 * wildcard host "*.example.com", or an IP address/CIDR. A scheme and a port are ignored.
 */
import { parseAddressEntry, parseIP } from './address.js';
import { isValidFqdn } from './fqdn.js';

/** An allow/block list value: a URL (host/path), a wildcard host "*.example.com", a host, or an IP/CIDR. */
export type ListValueKind = 'ip' | 'host' | 'wildcard' | 'url';
export function classifyListValue(raw: string): { kind: ListValueKind; host: string; path: string } | null {
  let v = raw.trim();
  if (v === '') return null;
  v = v.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  // a bracketed IPv6 literal, as in URLs: "[2001:db8::1]:8443/path"
  const bracket = /^\[([0-9a-f:.]+)\](:\d+)?(\/.*)?$/i.exec(v);
  if (bracket) {
    if (parseIP(bracket[1]!) === null) return null;
    const path = bracket[3] ?? '';
    return path && path !== '/' ? { kind: 'url', host: bracket[1]!.toLowerCase(), path } : { kind: 'ip', host: bracket[1]!.toLowerCase(), path: '' };
  }
  if (parseAddressEntry(v).ok && !v.includes('-')) return { kind: 'ip', host: v, path: '' };
  const slash = v.indexOf('/');
  const hostPart = (slash >= 0 ? v.slice(0, slash) : v).toLowerCase().replace(/:\d+$/, '');
  const path = slash >= 0 ? v.slice(slash) : '';
  if (parseIP(hostPart) !== null) return path && path !== '/' ? { kind: 'url', host: hostPart, path } : { kind: 'ip', host: hostPart, path: '' };
  if (!isValidFqdn(hostPart, true)) return null;
  if (hostPart.startsWith('*.')) return { kind: path && path !== '/' ? 'url' : 'wildcard', host: hostPart, path };
  return { kind: path && path !== '/' ? 'url' : 'host', host: hostPart, path };
}
