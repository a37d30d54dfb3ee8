/**
 * Hosts whose clients refused our minted certificate (pinning, or a client without the tenant
 * CA): they are tunnelled without decryption for a while, so the site keeps working.
 */
import { LRUCache } from 'lru-cache';

export class AutoBypass {
  private readonly hosts: LRUCache<string, { since: number; reason: string }>;

  constructor(ttlMs = 24 * 3600_000, max = 10_000) {
    this.hosts = new LRUCache({ max, ttl: ttlMs });
  }

  add(host: string, reason: string): boolean {
    const key = host.toLowerCase();
    if (this.hosts.has(key)) return false;
    this.hosts.set(key, { since: Date.now(), reason });
    return true;
  }

  has(host: string): boolean {
    return this.hosts.has(host.toLowerCase());
  }

  list(): string[] {
    return [...this.hosts.keys()];
  }
}
