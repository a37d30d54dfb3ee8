/**
 * "Newly seen" memory: registrable domains this gateway has looked up before, bounded (oldest
 * forgotten first). A domain never seen before adds a little risk; it is not a verdict alone.
 */
export class SeenDomains {
  private readonly seen = new Map<string, true>();
  constructor(private readonly capacity = 100_000) {}

  /** Records the domain; returns true when it had not been seen before. */
  observe(domain: string): boolean {
    if (this.seen.has(domain)) return false;
    this.seen.set(domain, true);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}
