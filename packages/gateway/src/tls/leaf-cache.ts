/**
 * Leaf certificates minted per SNI from the tenant CA, kept as ready TLS contexts in an LRU.
 * Concurrent handshakes for the same name share one in-flight mint. All leaves of one CA share
 * one P-256 key pair (generated once), so a miss costs one signature, not a key generation.
 */
import { LRUCache } from 'lru-cache';
import tls from 'node:tls';
import { generateEcKeyPair, issueLeaf, loadCa, privateKeyToPem, type CryptoKey, type LoadedCa, type PemPair } from './x509.js';

export interface LeafCacheOptions {
  max?: number;
  /** ALPN offered to clients on decrypted connections */
  alpn?: string[];
}

export class LeafCache {
  private readonly cache: LRUCache<string, tls.SecureContext>;
  private readonly inflight = new Map<string, Promise<tls.SecureContext>>();
  private mints = 0;

  private constructor(
    readonly ca: LoadedCa,
    private readonly keyPem: string,
    private readonly publicKey: CryptoKey,
    opts: LeafCacheOptions,
  ) {
    this.cache = new LRUCache({ max: opts.max ?? 5000 });
  }

  static async create(caPair: PemPair, opts: LeafCacheOptions = {}): Promise<LeafCache> {
    const ca = await loadCa(caPair);
    const keys = await generateEcKeyPair();
    return new LeafCache(ca, await privateKeyToPem(keys.privateKey), keys.publicKey, opts);
  }

  /** how many leaves were actually signed (for tests and metrics) */
  get minted(): number {
    return this.mints;
  }

  peek(host: string): tls.SecureContext | undefined {
    return this.cache.get(normalize(host));
  }

  async get(hostRaw: string): Promise<tls.SecureContext> {
    const host = normalize(hostRaw);
    const hit = this.cache.get(host);
    if (hit) return hit;
    const pending = this.inflight.get(host);
    if (pending) return pending;
    const p = (async () => {
      try {
        const certPem = await issueLeaf(this.ca, host, this.publicKey);
        this.mints++;
        const ctx = tls.createSecureContext({ key: this.keyPem, cert: certPem + this.ca.certificatePem });
        this.cache.set(host, ctx);
        return ctx;
      } finally {
        this.inflight.delete(host);
      }
    })();
    this.inflight.set(host, p);
    return p;
  }
}

function normalize(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}
