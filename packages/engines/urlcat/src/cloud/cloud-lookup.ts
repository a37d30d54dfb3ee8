/**
 * Asking the console ("cloud scan") what the local database cannot decide: URL categories and
 * reputation of unknown hosts, file-hash verdicts. Answers are cached with a TTL in a bounded
 * cache; concurrent asks for the same key share one request; when the console fails or is slow,
 * the caller gets the local answer at once and the console is left alone for a back-off period.
 * The transport (HTTPS with the gateway's client certificate) is the caller's function.
 */
import { TtlCache } from './ttl-cache.js';

export type Source = 'cache' | 'cloud' | 'fallback';

export interface CloudLookupOptions<V> {
  /** the console request; rejects or times out when the console cannot answer */
  ask: (key: string) => Promise<V>;
  ttlMs?: number;
  maxEntries?: number;
  timeoutMs?: number;
  /** after a failure, do not ask again for this long (answers come from the fallback) */
  backoffMs?: number;
  now?: () => number;
}

export interface CloudAnswer<V> {
  value: V | undefined;
  source: Source;
  /** why the console was not used (timeout, error text, backing off) */
  error?: string;
}

export class CloudLookup<V> {
  private readonly cache: TtlCache<string, V>;
  private readonly inflight = new Map<string, Promise<CloudAnswer<V>>>();
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private readonly backoffMs: number;
  private readonly now: () => number;
  private pausedUntil = 0;
  private lastError = '';
  readonly stats = { cache: 0, cloud: 0, fallback: 0 };

  constructor(private readonly opts: CloudLookupOptions<V>) {
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.ttlMs ?? 30 * 60_000;
    this.timeoutMs = opts.timeoutMs ?? 1_500;
    this.backoffMs = opts.backoffMs ?? 30_000;
    this.cache = new TtlCache(opts.maxEntries ?? 50_000, this.now);
  }

  /** The cached answer, without asking (synchronous callers); counts as a cache hit. */
  peek(key: string): V | undefined {
    const v = this.cache.get(key);
    if (v !== undefined) this.stats.cache++;
    return v;
  }

  /** True while failures keep the console from being asked. */
  get backingOff(): boolean {
    return this.now() < this.pausedUntil;
  }

  /** Cached or console answer for the key; `value` is undefined when only the fallback is left. */
  async lookup(key: string): Promise<CloudAnswer<V>> {
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.stats.cache++;
      return { value: cached, source: 'cache' };
    }
    if (this.now() < this.pausedUntil) {
      this.stats.fallback++;
      return { value: undefined, source: 'fallback', error: `console unavailable (${this.lastError}); retrying later` };
    }
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const p = this.ask(key).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async ask(key: string): Promise<CloudAnswer<V>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      const value = await Promise.race([this.opts.ask(key), timeout]);
      this.cache.set(key, value, this.ttlMs);
      this.stats.cloud++;
      return { value, source: 'cloud' };
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.pausedUntil = this.now() + this.backoffMs;
      this.stats.fallback++;
      return { value: undefined, source: 'fallback', error: this.lastError };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  get cacheSize(): number {
    return this.cache.size;
  }
}
