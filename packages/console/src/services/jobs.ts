/** Periodic jobs of this console node; stopped when the console closes. */
import type { Logger } from 'pino';

export class Jobs {
  private readonly timers: NodeJS.Timeout[] = [];
  constructor(private readonly log: Logger) {}

  /** run fn every intervalMs; errors are logged, never thrown */
  every(name: string, intervalMs: number, fn: () => Promise<void>): void {
    let running = false;
    const t = setInterval(() => {
      if (running) return;
      running = true;
      fn()
        .catch((e: unknown) => this.log.error({ job: name, err: e instanceof Error ? e.message : String(e) }, 'job failed'))
        .finally(() => (running = false));
    }, intervalMs);
    t.unref();
    this.timers.push(t);
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }
}
