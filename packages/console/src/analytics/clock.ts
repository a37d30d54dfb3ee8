/**
 * Time source and periodic timers for alerts, reports and retention. The console runs on the
 * system clock; tests drive a ManualClock, whose timers fire when the test moves time forward.
 */
export interface Clock {
  now(): number;
  /**
   * Runs `fn` every `intervalMs` (a run still going when the next is due is skipped); errors go to
   * `onError`. Returns a function that stops the timer.
   */
  every(intervalMs: number, fn: () => Promise<unknown>, onError?: (err: unknown) => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every(intervalMs, fn, onError) {
    let running = false;
    const t = setInterval(() => {
      if (running) return;
      running = true;
      fn()
        .catch((e: unknown) => onError?.(e))
        .finally(() => (running = false));
    }, intervalMs);
    t.unref();
    return () => clearInterval(t);
  },
};

interface ManualTimer {
  intervalMs: number;
  next: number;
  fn: () => Promise<unknown>;
  onError: ((err: unknown) => void) | undefined;
}

export class ManualClock implements Clock {
  private readonly timers = new Set<ManualTimer>();

  constructor(private t: number) {}

  now(): number {
    return this.t;
  }

  set(t: number): void {
    this.t = t;
  }

  /** moves time forward without running timers */
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }

  every(intervalMs: number, fn: () => Promise<unknown>, onError?: (err: unknown) => void): () => void {
    if (!(intervalMs > 0)) throw new RangeError(`timer interval must be > 0, got ${intervalMs}`);
    const timer: ManualTimer = { intervalMs, next: this.t + intervalMs, fn, onError };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** number of timers running */
  get timerCount(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms` and runs every timer that came due, once each and in the order they
   * came due (like a machine waking up: a long jump does not replay every missed interval), awaiting
   * each. Returns the new time.
   */
  async tick(ms: number): Promise<number> {
    this.t += ms;
    const due = [...this.timers].filter((x) => x.next <= this.t).sort((a, b) => a.next - b.next);
    for (const x of due) {
      if (!this.timers.has(x)) continue;
      x.next = this.t + x.intervalMs;
      try {
        await x.fn();
      } catch (err) {
        x.onError?.(err);
      }
    }
    return this.t;
  }
}
