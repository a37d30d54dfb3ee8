/**
 * Whether to decrypt a TLS flow (manual §6-5): only when the profile that allows it turns HTTPS
 * decryption on, and — with smart bypass — never for finance/health sites, apps known to pin
 * their certificates, or hosts whose clients already refused our certificate.
 */
import type { SecurityProfile } from '@mamori/policy';
import type { Tags } from '../chain/verdict.js';

export const SMART_BYPASS_CATEGORIES: ReadonlySet<string> = new Set(['finance', 'health']);

/** applications that pin certificates (appid ids) */
export const PINNING_APPS: ReadonlySet<string> = new Set([
  'dropbox', 'icloud', 'apple-push', 'apple-update', 'whatsapp', 'signal', 'windows-update', 'microsoft-update',
  'google-play', 'teamviewer', 'zoom', 'line', 'telegram', 'anydesk',
]);

/** hosts of pinning clients when appid does not name them */
const PINNING_HOST_SUFFIXES = ['push.apple.com', 'windowsupdate.com', 'update.microsoft.com', 'signal.org', 'whatsapp.net', 'teamviewer.com'];

export type BumpChoice = { decrypt: true } | { decrypt: false; why: 'off' | 'no-ca' | 'smart-bypass' | 'pinning' | 'auto-bypass' };

export function chooseBump(host: string, tags: Tags, profile: SecurityProfile | null | undefined, opts: { haveCa: boolean; autoBypassed: boolean }): BumpChoice {
  if (!profile || !profile.httpsDecryption.enabled) return { decrypt: false, why: 'off' };
  if (!opts.haveCa) return { decrypt: false, why: 'no-ca' };
  if (profile.httpsDecryption.smartBypass) {
    if (tags.categories.some((c) => SMART_BYPASS_CATEGORIES.has(c))) return { decrypt: false, why: 'smart-bypass' };
    if ((tags.app && PINNING_APPS.has(tags.app)) || isPinningHost(host)) return { decrypt: false, why: 'pinning' };
    if (opts.autoBypassed) return { decrypt: false, why: 'auto-bypass' };
  }
  return { decrypt: true };
}

export function isPinningHost(host: string): boolean {
  const h = host.toLowerCase();
  return PINNING_HOST_SUFFIXES.some((s) => h === s || h.endsWith('.' + s));
}
