/** Ships the spool to the console (POST /api/gateway/events, client certificate) on a timer. */
import { EventBatchAck, type EventBatch } from '@mamori/policy';
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
    const r = await httpJson(url, 'POST', b, this.o.tls);
    if (r.status !== 200 && r.status !== 201) throw new Error(`console refused batch ${b.batchId}: HTTP ${r.status}`);
    const ack = EventBatchAck.safeParse(r.body);
    if (!ack.success) throw new Error(`console answer for batch ${b.batchId} is not an acknowledgement`);
    return ack.data;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
