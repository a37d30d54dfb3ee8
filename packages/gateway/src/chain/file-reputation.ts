/**
 * File-hash reputation for downloads: the SHA-256 of a response body is checked against the
 * local intel's list of known-malicious files, then the console's cloud lookup
 * (`POST /api/gateway/intel/files`). The cloud answer is bounded by a timeout (a console that is
 * down or slow never holds a download longer than that) and cached per hash.
 */
import type { FileVerdict } from '@mamori/policy';

export interface FileCheck {
  malicious: boolean;
  /** the file's known name (malware family, sample name) when the list has one */
  name?: string;
  source: 'local' | 'cloud' | 'none' | 'unavailable';
}

export interface FileReputationOptions {
  /** the local intel's list: a name (or '') when the hash is known malicious */
  local?: (sha256: string) => string | undefined;
  /** the console's cloud lookup */
  ask?: (sha256: string) => Promise<FileVerdict>;
  timeoutMs?: number;
  ttlMs?: number;
  maxEntries?: number;
}

export class FileReputation {
  private ask: ((sha256: string) => Promise<FileVerdict>) | undefined;
  private readonly cache = new Map<string, { check: FileCheck; until: number }>();
  readonly stats = { checks: 0, malicious: 0, cloudAsked: 0, cloudFailed: 0 };

  constructor(private readonly o: FileReputationOptions = {}) {
    this.ask = o.ask;
  }

  /** the cloud lookup, once the gateway is enrolled */
  setAsk(ask: ((sha256: string) => Promise<FileVerdict>) | undefined): void {
    this.ask = ask;
    this.cache.clear();
  }

  get cloud(): boolean {
    return this.ask !== undefined;
  }

  async check(sha256Raw: string): Promise<FileCheck> {
    const sha256 = sha256Raw.toLowerCase();
    this.stats.checks++;
    const name = this.o.local?.(sha256);
    if (name !== undefined) return this.count({ malicious: true, ...(name ? { name } : {}), source: 'local' });
    const ask = this.ask;
    if (!ask) return { malicious: false, source: 'none' };
    const now = Date.now();
    const hit = this.cache.get(sha256);
    if (hit && hit.until > now) return this.count(hit.check);
    this.stats.cloudAsked++;
    const timeoutMs = this.o.timeoutMs ?? 1_500;
    let timer: NodeJS.Timeout | undefined;
    try {
      const v = await Promise.race([
        ask(sha256),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`file lookup timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      const check: FileCheck = v.verdict === 'malicious' ? { malicious: true, ...(v.name ? { name: v.name } : {}), source: 'cloud' } : { malicious: false, source: 'cloud' };
      if (this.cache.size >= (this.o.maxEntries ?? 10_000)) this.cache.clear();
      this.cache.set(sha256, { check, until: now + (this.o.ttlMs ?? 600_000) });
      return this.count(check);
    } catch {
      // console down or slow: the download goes on (fail open), nothing is cached
      this.stats.cloudFailed++;
      return { malicious: false, source: 'unavailable' };
    } finally {
      clearTimeout(timer);
    }
  }

  private count(c: FileCheck): FileCheck {
    if (c.malicious) this.stats.malicious++;
    return c;
  }
}

/** content types that are pages and page resources, not downloads (no file-hash check) */
const NOT_A_DOWNLOAD = /^(text\/|image\/|font\/|audio\/|video\/|application\/(json|(x-)?javascript|ecmascript|xml|xhtml\+xml|rss\+xml|atom\+xml|ld\+json|manifest\+json|wasm|grpc|dns-message|x-ns-proxy-autoconfig|ocsp-response|pkix-crl))/i;

/**
 * Is this response a download whose whole body should be hashed before it is passed on?
 * Attachments and non-page content types with a body up to `maxBytes` (when the length is
 * announced); encoded bodies (gzip ...) are not the file's bytes and pass unchecked.
 */
export function isScannableDownload(method: string, status: number, headers: Record<string, string | string[]>, maxBytes: number): boolean {
  if (maxBytes <= 0 || method === 'HEAD' || status !== 200) return false;
  const one = (k: string) => {
    const v = headers[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const enc = one('content-encoding');
  if (enc && enc.toLowerCase() !== 'identity') return false;
  const len = one('content-length');
  if (len !== undefined && Number(len) > maxBytes) return false;
  if (len === '0') return false;
  if (/^\s*attachment/i.test(one('content-disposition') ?? '')) return true;
  const type = one('content-type');
  return !type || !NOT_A_DOWNLOAD.test(type.trim());
}
