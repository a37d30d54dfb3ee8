/**
 * The EventBatch check of the ingestion path, written out by hand: zod's EventBatch.safeParse
 * cost ~5 µs per event here, more than everything else between the request and the journal.
 * It accepts exactly what @mamori/policy's EventBatch accepts (fast-validate.test.ts compares
 * both on generated valid and broken batches) and gives the same value: the input, a parsed
 * request body, is checked in place and gets zod's defaults filled in (access `categories`
 * [], security `severity` 'medium'). On any problem it returns null, and the caller asks zod
 * for the error messages.
 */
import { LOG_TYPES, THREAT_TYPES, type EventBatch, type LogType } from '@mamori/policy';

/** A field's rule (events.ts): shared with the columns check (fast-columns.ts). */
export type FieldRule = Check;
type Check =
  | { k: 'str'; min: number; max: number; req: boolean }
  | { k: 'int'; min: number; max: number; req: boolean }
  | { k: 'enum'; values: ReadonlySet<string>; req: boolean }
  | { k: 'bool'; req: boolean }
  | { k: 'strs'; maxItems: number; max: number; req: boolean }
  | { k: 'sha256'; req: boolean }
  | { k: 'type' };

const str = (max: number, req = false, min = 0): Check => ({ k: 'str', min, max, req });
const int = (req = false, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Check => ({ k: 'int', min, max, req });
const oneOf = (values: readonly string[], req = false): Check => ({ k: 'enum', values: new Set(values), req });
const ACTION = ['allow', 'block', 'tag', 'detect', 'bypass'];

/** events.ts, field by field */
const COMMON: Record<string, Check> = {
  type: { k: 'type' },
  id: str(128, true, 1),
  ts: int(true, 0),
  srcIp: str(64, true),
  srcMac: str(32),
  user: str(128),
  dstIp: str(64),
  dstPort: int(false, 0, 65535),
  protocol: oneOf(['tcp', 'udp', 'icmp', 'icmpv6', 'other']),
};

const SPECS: Record<string, Record<string, Check>> = {
  bandwidth: { ...COMMON, app: str(64, true), appCategory: str(64), bytesUp: int(true, 0), bytesDown: int(true, 0), durationMs: int(false, 0) },
  policy: {
    ...COMMON,
    action: oneOf(ACTION, true),
    reasonKind: oneOf(['rule', 'allowList', 'blockList', 'default'], true),
    ruleId: str(64),
    ruleName: str(256),
    listEntry: str(2048),
    app: str(64),
    host: str(253),
    policyVersion: int(false, 0),
  },
  access: {
    ...COMMON,
    action: oneOf(ACTION, true),
    url: str(8192),
    host: str(253, true),
    method: str(16),
    status: int(),
    categories: { k: 'strs', maxItems: 16, max: 64, req: false },
    reputation: int(false, 0, 100),
    app: str(64),
    appFunction: str(64),
    ruleId: str(64),
    decrypted: { k: 'bool', req: false },
    bytesUp: int(false, 0),
    bytesDown: int(false, 0),
    requestId: str(64),
  },
  security: {
    ...COMMON,
    threatType: oneOf(THREAT_TYPES, true),
    action: oneOf(ACTION, true),
    signature: str(512, true),
    severity: oneOf(['low', 'medium', 'high', 'critical']),
    host: str(253),
    url: str(8192),
    fileName: str(512),
    fileSha256: { k: 'sha256', req: false },
    mailFrom: str(512),
    mailTo: { k: 'strs', maxItems: 100, max: 512, req: false },
    subject: str(1024),
  },
};

interface TypeSpec {
  checks: Map<string, Check>;
  required: number;
}
const TYPES = new Map<string, TypeSpec>();
for (const t of LOG_TYPES) {
  const checks = new Map(Object.entries(SPECS[t]!));
  // `type` itself is required
  const required = 1 + [...checks.values()].filter((c) => c.k !== 'type' && c.req).length;
  TYPES.set(t, { checks, required });
}

/** The rule of every field of every log type (`type` has k 'type'), as events.ts states them. */
export const FIELD_RULES: ReadonlyMap<LogType, ReadonlyMap<string, FieldRule>> = new Map(LOG_TYPES.map((t) => [t, TYPES.get(t)!.checks]));

export const SHA256 = /^[0-9a-f]{64}$/;

/** whether a value (present, not undefined) meets a field's rule */
export function valueOk(c: Check, v: unknown): boolean {
  switch (c.k) {
    case 'str':
      return typeof v === 'string' && v.length <= c.max && v.length >= c.min;
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= c.min && v <= c.max;
    case 'enum':
      return typeof v === 'string' && c.values.has(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'sha256':
      return typeof v === 'string' && SHA256.test(v);
    case 'strs': {
      if (!Array.isArray(v) || v.length > c.maxItems) return false;
      for (const x of v as unknown[]) if (typeof x !== 'string' || x.length > c.max) return false;
      return true;
    }
    case 'type':
      return true;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function eventOk(ev: unknown): boolean {
  if (!isPlainObject(ev)) return false;
  const spec = TYPES.get(ev['type'] as string);
  if (!spec) return false;
  let required = 0;
  for (const key in ev) {
    if (!Object.prototype.hasOwnProperty.call(ev, key)) continue;
    const c = spec.checks.get(key);
    if (!c) return false;
    const v = ev[key];
    if (v === undefined) {
      if (c.k !== 'type' && c.req) return false;
      continue;
    }
    if (!valueOk(c, v)) return false;
    if (c.k === 'type' || c.req) required++;
  }
  if (required !== spec.required) return false;
  if (ev['type'] === 'access' && ev['categories'] === undefined) ev['categories'] = [];
  else if (ev['type'] === 'security' && ev['severity'] === undefined) ev['severity'] = 'medium';
  return true;
}

/** The body as an EventBatch (checked in place, defaults filled in), or null when zod would refuse it. */
export function fastEventBatch(body: unknown): EventBatch | null {
  if (!isPlainObject(body)) return null;
  let keys = 0;
  for (const key in body) {
    if (!Object.prototype.hasOwnProperty.call(body, key)) continue;
    if (key !== 'batchId' && key !== 'gatewayId' && key !== 'events') return null;
    keys++;
  }
  const { batchId, gatewayId, events } = body;
  if (keys !== 3) return null;
  if (typeof batchId !== 'string' || batchId.length < 1 || batchId.length > 128) return null;
  if (typeof gatewayId !== 'string' || gatewayId.length < 1 || gatewayId.length > 64) return null;
  if (!Array.isArray(events) || events.length > 10_000) return null;
  for (const ev of events as unknown[]) if (!eventOk(ev)) return null;
  return body as unknown as EventBatch;
}
