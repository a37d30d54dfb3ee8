/**
 * Turn a chain result into the manual §9 events: an access event for every request, a policy
 * event when a rule or list blocked, a security event for C&C / reputation / certificate hits,
 * and application bandwidth when an application was identified.
 */
import type { EventSink } from '../runtime.js';
import type { RequestFacts } from './facts.js';
import type { BlockReason, Tags } from './verdict.js';

export interface Outcome {
  facts: RequestFacts;
  tags: Tags;
  action: 'allow' | 'block' | 'bypass';
  block?: BlockReason;
  status?: number;
  bytesUp?: number;
  bytesDown?: number;
  durationMs?: number;
  policyVersion: number | null;
}

const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

export function emitOutcome(sink: EventSink, o: Outcome): void {
  const ts = Date.now();
  const f = o.facts;
  const host = cut(f.host, 253);
  const base = { ts, srcIp: f.srcIp, dstPort: f.dstPort, protocol: 'tcp' as const, ...(f.dstIp ? { dstIp: f.dstIp } : {}) };
  // web access is logged unless the allowing rule itself says not to log
  if (o.action !== 'allow' || o.tags.log !== false || o.tags.allowedBy?.kind !== 'rule') {
    sink.emit({
      ...base,
      type: 'access',
      action: o.action,
      host,
      categories: o.tags.categories.slice(0, 16),
      decrypted: f.decrypted,
      requestId: f.requestId,
      ...(f.url ? { url: cut(f.url, 8192) } : {}),
      ...(f.method ? { method: cut(f.method, 16) } : {}),
      ...(o.status !== undefined ? { status: o.status } : {}),
      ...(o.tags.reputation ? { reputation: o.tags.reputation.score } : {}),
      ...(o.tags.app ? { app: o.tags.app } : {}),
      ...(o.tags.appFunction ? { appFunction: o.tags.appFunction } : {}),
      ...(o.block?.ruleId ?? o.tags.allowedBy?.id ? { ruleId: o.block?.ruleId ?? o.tags.allowedBy?.id } : {}),
      ...(o.bytesUp !== undefined ? { bytesUp: o.bytesUp } : {}),
      ...(o.bytesDown !== undefined ? { bytesDown: o.bytesDown } : {}),
    });
  }
  const b = o.block;
  if (b && (b.kind === 'rule' || b.kind === 'blockList' || b.kind === 'default' || b.kind === 'allowList')) {
    sink.emit({
      ...base,
      type: 'policy',
      action: 'block',
      reasonKind: b.kind,
      host,
      ...(b.ruleId ? { ruleId: b.ruleId } : {}),
      ...(b.ruleName ? { ruleName: cut(b.ruleName, 256) } : {}),
      ...(b.entry ? { listEntry: cut(b.entry, 2048) } : {}),
      ...(o.tags.app ? { app: o.tags.app } : {}),
      ...(o.policyVersion !== null ? { policyVersion: o.policyVersion } : {}),
    });
  }
  if (b?.threat) {
    sink.emit({
      ...base,
      type: 'security',
      threatType: b.threat,
      action: 'block',
      signature: cut(b.entry ?? b.detail ?? b.threat, 512),
      severity: b.threat === 'cnc' ? 'high' : 'medium',
      host,
      ...(f.url ? { url: cut(f.url, 8192) } : {}),
    });
  }
  if (o.tags.app && (o.bytesUp || o.bytesDown)) {
    sink.emit({
      ...base,
      type: 'bandwidth',
      app: o.tags.app,
      ...(o.tags.appCategory ? { appCategory: o.tags.appCategory } : {}),
      bytesUp: o.bytesUp ?? 0,
      bytesDown: o.bytesDown ?? 0,
      ...(o.durationMs !== undefined ? { durationMs: Math.round(o.durationMs) } : {}),
    });
  }
}
