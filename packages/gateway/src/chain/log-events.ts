/**
 * Turn a chain result into the manual §9 events: an access event for every request, a policy
 * event when a rule or list blocked, a security event for C&C / reputation / certificate hits,
 * and application bandwidth when an application was identified.
 */
import type { EventSink } from '../runtime.js';
import type { SpoolEventInput } from '../spool/spool.js';
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
  /** transport of the flow (DNS over UDP); default tcp */
  protocol?: 'tcp' | 'udp';
}

const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

export function emitOutcome(sink: EventSink, o: Outcome): void {
  const ts = Date.now();
  const f = o.facts;
  const host = cut(f.host, 253);
  const protocol = o.protocol ?? 'tcp';
  const base = () => ({ ts, srcIp: f.srcIp, dstPort: f.dstPort, protocol, ...(f.dstIp ? { dstIp: f.dstIp } : {}) });
  // web access is logged unless the allowing rule itself says not to log
  if (o.action !== 'allow' || o.tags.log !== false || o.tags.allowedBy?.kind !== 'rule') {
    // built by assignment, not spreads: this runs for every request
    const ev: Record<string, unknown> = { ts, srcIp: f.srcIp, dstPort: f.dstPort, protocol, type: 'access', action: o.action, host, categories: o.tags.categories.length > 16 ? o.tags.categories.slice(0, 16) : o.tags.categories, decrypted: f.decrypted, requestId: f.requestId };
    if (f.dstIp) ev['dstIp'] = f.dstIp;
    if (f.url) ev['url'] = cut(f.url, 8192);
    if (f.method) ev['method'] = cut(f.method, 16);
    if (o.status !== undefined) ev['status'] = o.status;
    if (o.tags.reputation) ev['reputation'] = o.tags.reputation.score;
    if (o.tags.app) ev['app'] = o.tags.app;
    if (o.tags.appFunction) ev['appFunction'] = o.tags.appFunction;
    const ruleId = o.block?.ruleId ?? o.tags.allowedBy?.id;
    if (ruleId) ev['ruleId'] = ruleId;
    if (o.bytesUp !== undefined) ev['bytesUp'] = o.bytesUp;
    if (o.bytesDown !== undefined) ev['bytesDown'] = o.bytesDown;
    sink.emit(ev as unknown as SpoolEventInput);
  }
  const b = o.block;
  if (b && (b.kind === 'rule' || b.kind === 'blockList' || b.kind === 'default' || b.kind === 'allowList')) {
    sink.emit({
      ...base(),
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
      ...base(),
      type: 'security',
      threatType: b.threat,
      action: 'block',
      // a malicious file is known by its hash
      signature: cut((b.kind === 'file' ? b.detail : b.entry) ?? b.detail ?? b.threat, 512),
      severity: b.threat === 'cnc' || b.kind === 'file' ? 'high' : 'medium',
      host,
      ...(f.url ? { url: cut(f.url, 8192) } : {}),
      ...(b.kind === 'file' && b.detail ? { fileSha256: b.detail } : {}),
      ...(b.kind === 'file' && b.entry ? { fileName: cut(b.entry, 512) } : {}),
    });
  }
  if (o.tags.app && (o.bytesUp || o.bytesDown)) {
    sink.emit({
      ...base(),
      type: 'bandwidth',
      app: o.tags.app,
      ...(o.tags.appCategory ? { appCategory: o.tags.appCategory } : {}),
      bytesUp: o.bytesUp ?? 0,
      bytesDown: o.bytesDown ?? 0,
      ...(o.durationMs !== undefined ? { durationMs: Math.round(o.durationMs) } : {}),
    });
  }
}
