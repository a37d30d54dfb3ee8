/**
 * Ships the spool to the console (POST /api/gateway/events, client certificate) on a timer. The
 * spool keeps rows; each batch goes on the wire in columns (`mamori.columns/1`, @mamori/policy
 * event-columns.ts), which the console checks and parses at a fraction of the row form's cost.
 */
import { encodeEventColumns, EventBatchAck, type EventBatch } from '@mamori/policy';
import type { Logger } from 'pino';
import type { Spool } from '../spool/spool.js';
import { httpJson, type TlsClientOptions } from './http-client.js';

export interface ShipperOptions {
  consoleUrl: string;
  gatewayId: string;
  tls: TlsClientOptions;
  log: Logger;
  intervalMs?: number;
}

export class EventShipper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  lastError: string | null = null;
  shipped = 0;

  constructor(
    private readonly spool: Spool,
    private readonly o: ShipperOptions,
  ) {}

  start(): void {
    const tick = () => {
      void this.shipNow().finally(() => {
        if (this.timer !== null) this.timer = setTimeout(tick, this.o.intervalMs ?? 2000);
      });
    };
    this.timer = setTimeout(tick, this.o.intervalMs ?? 2000);
  }

  /** one shipping round; concurrent calls share it */
  shipNow(): Promise<void> {
    this.running ??= (async () => {
      try {
        this.shipped += await this.spool.shipAll(this.o.gatewayId, (b) => this.send(b));
        this.lastError = null;
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (msg !== this.lastError) this.o.log.info({ err: msg, pending: this.spool.pending }, 'console unreachable for logs; keeping them on disk');
        this.lastError = msg;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async send(b: EventBatch): Promise<EventBatchAck> {
    const url = new URL('/api/gateway/events', this.o.consoleUrl).toString();
    const r = await httpJson(url, 'POST', encodeEventColumns(b), this.o.tls);
    if (r.status !== 200 && r.status !== 201) throw new Error(`console refused batch ${b.batchId}: HTTP ${r.status}${refusal(r.body)}`);
    const ack = EventBatchAck.safeParse(r.body);
    if (!ack.success) throw new Error(`console answer for batch ${b.batchId} is not an acknowledgement`);
    return ack.data;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** what a console's error answer says ({ error: { code, message, problems } }), briefly */
function refusal(body: unknown): string {
  const e = (body as { error?: { code?: unknown; problems?: Array<{ path?: unknown; message?: { en?: unknown } }> } } | null)?.error;
  if (!e || typeof e.code !== 'string') return '';
  const problems = (e.problems ?? []).slice(0, 3).map((p) => `${String(p.path)}: ${String(p.message?.en)}`);
  return ` (${e.code}${problems.length ? `: ${problems.join('; ')}` : ''})`;
}
