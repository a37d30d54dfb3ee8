/**
 * Parsing one line of a category list (UT1 `domains`/`urls` files, plain host lists, hosts files,
 * Adblock `||domain^` lists) into a typed entry, or a reason why the line is skipped.
 */
import { domainToASCII } from 'node:url';
import { formatIPv6, parseCidr, type Cidr } from './ip.js';

export type ListEntry =
  | { kind: 'host'; host: string }
  | { kind: 'url'; host: string; path: string }
  | { kind: 'ip'; cidr: Cidr }
  | { kind: 'ignore' }
  | { kind: 'error'; reason: string };

export type ListMode = 'domains' | 'urls' | 'auto';

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Validates and canonicalizes a hostname from a list; returns the host or the reason it is bad. */
export function canonicalHost(raw: string): { host: string } | { reason: string } {
  let h = raw.toLowerCase();
  if (h.startsWith('*.')) h = h.slice(2);
  else if (h.startsWith('.')) h = h.slice(1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h === '') return { reason: 'empty host' };
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(h)) {
    const ascii = domainToASCII(h);
    if (ascii === '') return { reason: 'invalid internationalized domain name' };
    h = ascii;
  }
  if (h.length > 253) return { reason: 'host longer than 253 characters' };
  const labels = h.split('.');
  if (labels.length < 2) return { reason: 'single-label host (no dot)' };
  for (const label of labels) {
    if (label === '') return { reason: 'empty label' };
    if (label.length > 63) return { reason: 'label longer than 63 characters' };
    if (!LABEL.test(label)) {
      if (/^[a-z0-9_-]+$/.test(label)) return { reason: 'label starts or ends with a hyphen' };
      return { reason: 'invalid character in host' };
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return { reason: 'numeric top-level label (not a host, not an IPv4 address)' };
  return { host: h };
}

/** Splits `scheme://user@host:port/path?q#f` or `host/path` into host and lowercase path (no fragment). */
export function splitUrl(raw: string): { host: string; path: string } | undefined {
  let s = raw;
  const scheme = s.indexOf('://');
  if (scheme >= 0 && scheme < 16) s = s.slice(scheme + 3);
  let end = s.length;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 47 || ch === 63 || ch === 35) {
      end = i;
      break;
    }
  }
  let host = s.slice(0, end);
  let path = s.slice(end);
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return undefined;
    host = host.slice(0, close + 1);
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0) host = host.slice(0, colon);
  }
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  if (path.startsWith('?')) path = `/${path}`;
  return { host, path: path.toLowerCase() };
}

export function parseListLine(line: string, mode: ListMode): ListEntry {
  let s = line.trim();
  if (s === '' || s.startsWith('#') || s.startsWith('!') || (s.startsWith('[') && s.endsWith(']') && !s.includes(':'))) {
    return { kind: 'ignore' };
  }
  if (mode === 'auto') {
    // Adblock `||host^` and hosts-file `0.0.0.0 host` forms.
    if (s.startsWith('||')) {
      s = s.slice(2);
      const caret = s.indexOf('^');
      if (caret >= 0) {
        if (caret !== s.length - 1 && s[caret + 1] !== '$') return { kind: 'error', reason: 'unsupported Adblock rule' };
        s = s.slice(0, caret);
      }
    } else {
      const m = /^(?:0\.0\.0\.0|127\.0\.0\.1|::1?)\s+(\S+)\s*(?:#.*)?$/.exec(s);
      if (m) s = m[1] ?? '';
    }
  }
  if (/\s/.test(s)) return { kind: 'error', reason: 'whitespace inside entry' };

  // in a urls file `1.2.3.4/8` is host 1.2.3.4 with path /8, not a CIDR
  const cidr = mode === 'urls' ? undefined : parseCidr(s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s);
  if (cidr) return { kind: 'ip', cidr };
  const looksLikeUrl = s.includes('/') || s.includes('?');
  if (mode === 'domains' && looksLikeUrl) return { kind: 'error', reason: 'path in a domains file' };
  if (mode === 'urls' || looksLikeUrl) {
    const parts = splitUrl(s);
    if (!parts) return { kind: 'error', reason: 'unparsable URL' };
    let hostKey: string;
    const ipHost = parseCidr(parts.host.replace(/^\[|\]$/g, ''));
    if (ipHost) {
      hostKey = ipHost.family === 4 ? parts.host : formatIPv6(ipHost.addr);
    } else {
      const h = canonicalHost(parts.host);
      if ('reason' in h) return { kind: 'error', reason: h.reason };
      hostKey = h.host.startsWith('www.') && h.host.split('.').length > 2 ? h.host.slice(4) : h.host;
    }
    if (parts.path === '' || parts.path === '/') {
      if (ipHost) return { kind: 'ip', cidr: ipHost };
      return { kind: 'host', host: hostKey };
    }
    if (parts.path.length > 2048) return { kind: 'error', reason: 'path longer than 2048 characters' };
    return { kind: 'url', host: hostKey, path: parts.path };
  }
  const h = canonicalHost(s);
  if ('reason' in h) return { kind: 'error', reason: h.reason };
  return { kind: 'host', host: h.host };
}
