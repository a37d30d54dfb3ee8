/**
 * The state the data plane reads on every request: the active policy (with the leaf cache of
 * its decryption CA), the engines, the event sink and the auto-bypass memory. A deployment
 * replaces `active` in one assignment, so a request sees either the old or the new policy.
 */
import pino, { type Logger } from 'pino';
import type { Intel } from './chain/intel.js';
import type { PolicyEngine } from './chain/policy-port.js';
import type { LeafCache } from './tls/leaf-cache.js';
import type { SpoolEventInput } from './spool/spool.js';
import { AutoBypass } from './tls/auto-bypass.js';
import { DecisionCache } from './chain/decision-cache.js';
import type { ChainResult } from './chain/runner.js';
import type { RequestFacts } from './chain/facts.js';
import { FileReputation } from './chain/file-reputation.js';

export interface ActivePolicy {
  engine: PolicyEngine;
  /** null when no decryption CA is available */
  leaves: LeafCache | null;
}

export interface EventSink {
  emit(ev: SpoolEventInput): void;
}

export interface RuntimeCounters {
  requests: number;
  blocked: number;
  badRequests: number;
  tunnels: number;
  decrypted: number;
  errors: number;
  /** transparent flows whose Host/SNI did not resolve to the original destination */
  hostMismatches: number;
}

export class GatewayRuntime {
  active: ActivePolicy;
  intel: Intel;
  readonly autoBypass: AutoBypass;
  /** file-hash reputation of downloads: the intel's local list, then the console (set on enrollment) */
  files: FileReputation;
  /** memoized chain results for the active policy and intel */
  readonly decisions = new DecisionCache();
  readonly counters: RuntimeCounters = { requests: 0, blocked: 0, badRequests: 0, tunnels: 0, decrypted: 0, errors: 0, hostMismatches: 0 };
  private seq = 0;
  private readonly boot = Date.now().toString(36);

  constructor(
    active: ActivePolicy,
    intel: Intel,
    readonly events: EventSink,
    readonly log: Logger = pino({ name: 'mamori-gateway', level: process.env['MAMORI_LOG_LEVEL'] ?? 'warn' }),
  ) {
    this.active = active;
    this.intel = intel;
    this.autoBypass = new AutoBypass();
    this.files = new FileReputation({ local: (sha256) => this.intel.maliciousFile?.(sha256) });
  }

  swap(next: ActivePolicy): void {
    this.active = next;
  }

  /** run the web chain with the active policy and intel (memoized per facts) */
  decide(facts: RequestFacts, engine = this.active.engine): ChainResult {
    return this.decisions.run(facts, { policy: engine, intel: this.intel });
  }

  requestId(): string {
    return `${this.boot}-${(++this.seq).toString(36)}`;
  }
}

/** Collects events in memory (tests, and a gateway without a data dir). */
export class MemorySink implements EventSink {
  readonly events: SpoolEventInput[] = [];
  emit(ev: SpoolEventInput): void {
    this.events.push(ev);
  }
}
