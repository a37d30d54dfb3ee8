/**
 * Host name syntax shared by FQDN objects, list entries and custom categories.
 */
/** A host name with an optional leading "*." wildcard; labels per RFC 1123, IDN as punycode or Unicode. */
const LABEL = /^(?!-)[\p{L}\p{N}_-]{1,63}(?<!-)$/u;
export function isValidFqdn(s: string, allowWildcard = true): boolean {
  let host = s.trim().toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (allowWildcard && host.startsWith('*.')) host = host.slice(2);
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.split('.');
  if (labels.length < 2) return false;
  return labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]!);
}
