/**
 * Gateway event ingestion: validates a batch (row form EventBatch, or the gateways' columns form
 * `mamori.columns/1`, @mamori/policy event-columns.ts), bounds the work in flight (back-pressure
 * instead of unbounded queues), writes it through the event store (one transaction: events,
 * rollups, batch id) and acknowledges only after that commit. A resent batch is acknowledged as a
 * duplicate without being stored again, also after a restart (the batch id is in the store).
 */
import { z } from 'zod';
import { EventBatch, isEventColumns, type EventBatchAck } from '@mamori/policy';
import { EventStoreOverloadedError, rowsOf, type EventStore, type IngestBatch } from '../store/event-store.js';
import { checkEventColumns, eventColumnsIssues, explainEventColumns } from './fast-columns.js';
import { eventColumnsDoc } from './columns-doc.js';
import { fastEventBatch } from './fast-validate.js';

const EVENT_BATCH_DOC = z.toJSONSchema(EventBatch, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any', reused: 'inline' }) as Record<string, unknown>;
delete EVENT_BATCH_DOC['$schema'];

/**
 * The events endpoint's body schema for the route registry: the hand-written checks
 * (fast-columns.ts when `format` is "mamori.columns/1", else fast-validate.ts; zod's issues only
 * when it refuses), documented in OpenAPI as either form (anyOf). The value it gives is the
 * checked batch (row form: defaults filled in). A refused columns batch gets one issue per
 * problem, at its path, coded events.columns_invalid with the check's text as its `reason`.
 */
export const EventBatchBody = z
  .unknown()
  .superRefine((v, ctx) => {
    if (isEventColumns(v)) {
      if (checkEventColumns(v)) return;
      for (const i of eventColumnsIssues(v)) ctx.addIssue({ code: 'custom', message: i.message, path: i.path, params: { code: 'events.columns_invalid', reason: i.message } });
      return;
    }
    if (fastEventBatch(v)) return;
    const r = EventBatch.safeParse(v);
    if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: i.path as Array<string | number> });
  })
  .meta({ anyOf: [EVENT_BATCH_DOC, eventColumnsDoc()] });

export interface IngestorOptions {
  /** batches being written at once (across gateways) */
  maxInFlight?: number;
  /** batches allowed to wait for a writer; more → 503 */
  maxQueued?: number;
  /** batches of one gateway in flight or queued; more → 429 */
  maxPerGateway?: number;
  /** seconds a refused gateway is asked to wait */
  retryAfterSec?: number;
  /** told after each committed batch (alerts look at new events here) */
  onCommitted?(tenantId: string, batch: EventBatch): void;
}

export class IngestError extends Error {
  constructor(
    readonly code: 'analytics.bad_batch' | 'analytics.overloaded' | 'analytics.too_many_requests' | 'analytics.gateway_mismatch',
    readonly statusCode: 400 | 403 | 429 | 503,
    message: string,
    readonly retryAfterSec?: number,
  ) {
    super(message);
  }
}

export class Ingestor {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly perGateway = new Map<string, number>();
  private readonly opts: Required<Omit<IngestorOptions, 'onCommitted'>> & Pick<IngestorOptions, 'onCommitted'>;

  constructor(
    private readonly store: EventStore,
    opts: IngestorOptions = {},
  ) {
    this.opts = { maxInFlight: 2, maxQueued: 64, maxPerGateway: 4, retryAfterSec: 5, ...opts };
  }

  /**
   * Validates untrusted input (a parsed request body of either form: columns when `format` is
   * "mamori.columns/1"; rows checked in place, defaults filled in); throws IngestError 400 with
   * the first problems.
   */
  static parse(body: unknown): IngestBatch {
    if (isEventColumns(body)) {
      const cols = checkEventColumns(body);
      if (cols) return cols;
      throw new IngestError('analytics.bad_batch', 400, `invalid event batch (columns): ${explainEventColumns(body).slice(0, 5).join('; ')}`);
    }
    const fast = fastEventBatch(body);
    if (fast) return fast;
    const r = EventBatch.safeParse(body);
    if (!r.success) {
      const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(batch)'}: ${i.message}`).join('; ');
      throw new IngestError('analytics.bad_batch', 400, `invalid event batch: ${issues}`);
    }
    return r.data;
  }

  get load(): { inFlight: number; queued: number } {
    return { inFlight: this.inFlight, queued: this.waiting.length };
  }

  /**
   * Stores a batch for the tenant and gateway that the client certificate identified.
   * `authenticatedGatewayId` must match the batch's gateway id.
   */
  async ingest(tenantId: string, authenticatedGatewayId: string, body: unknown): Promise<EventBatchAck> {
    return this.ingestBatch(tenantId, authenticatedGatewayId, Ingestor.parse(body));
  }

  /** ingest() of a batch (either form) that EventBatchBody (or parse()) already checked */
  async ingestBatch(tenantId: string, authenticatedGatewayId: string, batch: IngestBatch, rawJson?: Buffer): Promise<EventBatchAck> {
    if (batch.gatewayId !== authenticatedGatewayId) {
      throw new IngestError('analytics.gateway_mismatch', 403, `batch is from gateway "${batch.gatewayId}" but the client certificate is gateway "${authenticatedGatewayId}"`);
    }
    const gwKey = `${tenantId}\u0000${batch.gatewayId}`;
    const mine = this.perGateway.get(gwKey) ?? 0;
    if (mine >= this.opts.maxPerGateway) {
      throw new IngestError('analytics.too_many_requests', 429, 'too many batches in flight from this gateway; retry later', this.opts.retryAfterSec);
    }
    if (this.inFlight >= this.opts.maxInFlight && this.waiting.length >= this.opts.maxQueued) {
      throw new IngestError('analytics.overloaded', 503, 'event ingestion is overloaded; retry later', this.opts.retryAfterSec);
    }
    this.perGateway.set(gwKey, mine + 1);
    try {
      if (this.inFlight >= this.opts.maxInFlight) await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.inFlight++;
      try {
        const r = await this.store.ingest(tenantId, batch, rawJson ? { rawJson } : undefined).catch((err: unknown) => {
          if (err instanceof EventStoreOverloadedError) throw new IngestError('analytics.overloaded', 503, `event ingestion is overloaded (${err.message}); retry later`, this.opts.retryAfterSec);
          throw err;
        });
        const listener = this.opts.onCommitted;
        if (!r.duplicate && listener) listener(tenantId, rowsOf(batch));
        return { batchId: batch.batchId, accepted: r.accepted, duplicate: r.duplicate };
      } finally {
        this.inFlight--;
        this.waiting.shift()?.();
      }
    } finally {
      const n = (this.perGateway.get(gwKey) ?? 1) - 1;
      if (n <= 0) this.perGateway.delete(gwKey);
      else this.perGateway.set(gwKey, n);
    }
  }
}
