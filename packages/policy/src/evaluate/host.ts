/**
 * Host names and URLs as the evaluator compares them: lower case, ASCII (punycode), no trailing
 * dot, IPv6 literals without brackets.
 */
import { domainToASCII } from 'node:url';
import { parseIP } from '../address.js';

export function normalizeHost(raw: string): string {
  let h = raw.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (parseIP(h) !== null) return h;
  const wildcard = h.startsWith('*.');
  const ascii = domainToASCII(wildcard ? h.slice(2) : h);
  const base = ascii === '' ? (wildcard ? h.slice(2) : h) : ascii;
  return wildcard ? `*.${base}` : base;
}

export interface ParsedUrl {
  host: string;
  /** path and query, starting with "/" */
  path: string;
}

export function parseUrl(url: string): ParsedUrl | undefined {
  try {
    const u = new URL(url);
    // WHATWG URL has already lower-cased the host and converted it to punycode
    let host = u.hostname;
    if (host.startsWith('[')) host = host.slice(1, -1);
    if (host.endsWith('.')) host = host.slice(0, -1);
    return { host, path: (u.pathname || '/') + u.search };
  } catch {
    return undefined;
  }
}

/** The host itself, then each parent domain: a.b.example.com → b.example.com → example.com → com. */
export function* hostAndParents(host: string): Generator<string> {
  let h = host;
  while (true) {
    yield h;
    const dot = h.indexOf('.');
    if (dot < 0) return;
    h = h.slice(dot + 1);
  }
}

/**
 * Exact hosts and "*.suffix" wildcards. A wildcard matches every subdomain at any depth and,
 * like the manual's allow list ("*.apple.com" for Apple's updates), the apex domain itself.
 */
export class HostSet<T> {
  private readonly exact = new Map<string, T>();
  private readonly suffix = new Map<string, T>();
  size = 0;

  /** Keeps the first value added per key (callers add in priority order). */
  add(pattern: string, value: T): void {
    const p = normalizeHost(pattern);
    const [map, key] = p.startsWith('*.') ? [this.suffix, p.slice(2)] : [this.exact, p];
    if (!map.has(key)) map.set(key, value);
    this.size++;
  }

  /** Every value whose pattern matches the host (exact first, then wildcards from the most specific). */
  *matches(host: string): Generator<T> {
    const e = this.exact.get(host);
    if (e !== undefined) yield e;
    if (this.suffix.size === 0 || parseIP(host) !== null) return;
    for (const h of hostAndParents(host)) {
      const w = this.suffix.get(h);
      if (w !== undefined) yield w;
    }
  }

  has(host: string): boolean {
    return !this.matches(host).next().done;
  }
}
