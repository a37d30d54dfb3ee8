/**
 * Scheduled reports with croner, in Japan time: daily at 00:10, weekly on Monday 00:10, monthly
 * on the 1st at 00:10 (after the period closed). tick() runs every minute on the analytics clock
 * (analytics.start()) and checks which enabled
 * reports are due; "due" compares the report's last run with the schedule's previous fire time,
 * so a console that was down at the fire time catches up once when it starts.
 */
import { Cron } from 'croner';
import type { Clock } from '../clock.js';
import type { ConsoleFacts } from '../console-facts.js';
import type { Schedule } from './definitions.js';
import type { ReportRunner } from './runner.js';

export const CRON_PATTERNS: Record<Exclude<Schedule, 'on-demand'>, string> = {
  daily: '10 0 * * *',
  weekly: '10 0 * * 1',
  monthly: '10 0 1 * *',
};
const TZ = 'Asia/Tokyo';

/** The schedule's most recent fire time at or before `now` (epoch ms). */
export function previousFire(schedule: Exclude<Schedule, 'on-demand'>, now: number): number {
  const cron = new Cron(CRON_PATTERNS[schedule], { timezone: TZ, paused: true });
  // croner looks forward; step back a period and walk forward to the last fire <= now
  const lookback = schedule === 'daily' ? 2 : schedule === 'weekly' ? 8 : 32;
  let t = new Date(now - lookback * 86_400_000);
  let last = t.getTime();
  for (;;) {
    const next = cron.nextRun(t);
    if (!next || next.getTime() > now) break;
    last = next.getTime();
    t = new Date(next.getTime() + 1000);
  }
  cron.stop();
  return last;
}

export class ReportScheduler {
  constructor(
    private readonly runner: ReportRunner,
    private readonly facts: ConsoleFacts,
    private readonly clock: Clock,
  ) {}

  /** Runs the reports that are due now; returns the started run ids. */
  async tick(): Promise<string[]> {
    const now = this.clock.now();
    const started: string[] = [];
    for (const t of await this.facts.tenants()) {
      await this.runner.definitions.ensureMonthly(t.id, now);
      for (const r of await this.runner.definitions.list(t.id)) {
        if (!r.enabled || r.schedule === 'on-demand') continue;
        const fire = previousFire(r.schedule, now);
        if (fire <= now && (r.lastRunAt ?? r.createdAt) < fire && r.createdAt < fire) {
          const { run } = await this.runner.start(t.id, r.id);
          started.push(run.id);
        }
      }
    }
    return started;
  }
}
