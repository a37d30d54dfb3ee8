import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEventColumns, encodeEventColumns, EventBatch, LogEvent, LOG_TYPES, type EventColumns, type ListColumn, type TextColumn } from '@mamori/policy';
import { generateEvents } from '../demo/generator.js';
import { checkEventColumns, explainEventColumns } from './fast-columns.js';

const T = Date.UTC(2026, 10, 25);
const SHA = 'ab'.repeat(32);
/** events with every optional field set, so that every column kind is there */
const FULL: Array<Record<string, unknown>> = [
  { type: 'bandwidth', id: 'f1', ts: T, srcIp: '10.0.0.1', srcMac: 'aa:bb:cc:dd:ee:ff', user: 'u1', dstIp: '8.8.8.8', dstPort: 443, protocol: 'tcp', app: 'line', appCategory: 'messaging', bytesUp: 1, bytesDown: 2, durationMs: 3 },
  { type: 'policy', id: 'f2', ts: T, srcIp: '10.0.0.2', action: 'block', reasonKind: 'rule', ruleId: 'r1', ruleName: 'ルール', listEntry: '*.example.com', app: 'tor', host: 'x.example', policyVersion: 7, protocol: 'udp', dstPort: 0 },
  { type: 'access', id: 'f3', ts: T, srcIp: '10.0.0.3', action: 'allow', url: 'https://news.test/a', host: 'news.test', method: 'GET', status: -1, categories: ['news', 'portal'], reputation: 100, app: 'web', appFunction: 'web:browse', ruleId: 'r2', decrypted: true, bytesUp: 0, bytesDown: 5, requestId: 'q1' },
  { type: 'access', id: 'f4', ts: T + 1, srcIp: '', action: 'block', host: 'bad.test', categories: [], decrypted: false },
  { type: 'security', id: 'f5', ts: T, srcIp: '10.0.0.5', threatType: 'spam', action: 'block', signature: 'SPAM-1', severity: 'high', host: 'mx.test', url: 'smtp://mx.test', fileName: 'a.exe', fileSha256: SHA, mailFrom: 'a@b.test', mailTo: ['c@d.test', 'e@f.test'], subject: '件名' },
  { type: 'security', id: 'f6', ts: T, srcIp: '10.0.0.6', threatType: 'cnc', action: 'detect', signature: 'C2' },
];

function rowsBatch(seed: number, count: number, extra: Array<Record<string, unknown>> = FULL): EventBatch {
  const events = [...generateEvents({ seed, from: T - 3_600_000, to: T, count, idPrefix: `s${seed}-` })].map((e) => LogEvent.parse(e));
  return { batchId: `b${seed}`, gatewayId: 'gw1', events: [...events, ...extra.map((e) => LogEvent.parse(e))] };
}

/** zod's verdict on a columns body: its decoded rows through EventBatch (defaults filled in) */
function zodOnRows(body: EventColumns): ReturnType<typeof EventBatch.safeParse> {
  return EventBatch.safeParse(decodeEventColumns(structuredClone(body)));
}

/** the checker agrees with zod on the decoded rows, and explain says something exactly when it refuses */
function agrees(body: EventColumns, structurallyOk = true): void {
  const z = structurallyOk ? zodOnRows(body) : { success: false as const };
  const checked = checkEventColumns(body);
  const why = explainEventColumns(body);
  expect({ accepted: checked !== null, zod: z.success, why: checked ? why : why.length > 0 }).toEqual({ accepted: z.success, zod: z.success, why: z.success ? [] : true });
  if (checked) expect(checked).toBe(body);
}

const byId = (b: EventBatch) => [...b.events].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));

const VALUES: unknown[] = [
  null, true, false, -2, -1, 0, 1, 1.5, 2, 3, 16, 17, 100, 101, 65535, 65536, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '1', '',
  ...[1, 16, 17, 64, 65, 128, 129, 253, 254, 256, 257, 512, 513, 1024, 1025, 2048, 2049, 8192, 8193].map((n) => 'x'.repeat(n)),
  'tcp', 'sctp', 'allow', 'deny', 'rule', 'default', 'malware', 'virus', 'low', 'critical', 'a'.repeat(64), 'A'.repeat(64), 'a'.repeat(63), 'g'.repeat(64),
  [], ['news'], [1], {}, { a: 1 },
];

describe('checkEventColumns', () => {
  it('accepts generated batches in columns: the same object back, decoding to what zod gives for the rows', () => {
    for (const [seed, count] of [[1, 0], [2, 1], [3, 50], [4, 700], [5, 3000]] as const) {
      const rows = rowsBatch(seed, count, seed === 1 ? [] : FULL);
      const body = JSON.parse(JSON.stringify(encodeEventColumns(rows))) as EventColumns;
      expect(checkEventColumns(body)).toBe(body);
      expect(explainEventColumns(body)).toEqual([]);
      expect(byId(decodeEventColumns(body))).toEqual(byId(EventBatch.parse(rows)));
    }
  });

  it('agrees with zod on row batches with one field changed, added or removed, shipped in columns', () => {
    const base = rowsBatch(9, 200).events as unknown as Array<Record<string, unknown>>;
    const FIELDS = [...new Set(base.flatMap((e) => Object.keys(e))), 'extra'];
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.constantFrom(...FIELDS), fc.nat(VALUES.length - 1), fc.boolean(), (i, field, vi, remove) => {
        const ev: Record<string, unknown> = { ...base[i]! };
        if (remove) delete ev[field];
        else ev[field] = structuredClone(VALUES[vi]);
        const rows = { batchId: 'b', gatewayId: 'g', events: [base[(i + 7) % base.length], ev] } as unknown as EventBatch;
        agrees(JSON.parse(JSON.stringify(encodeEventColumns(rows))) as EventColumns);
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  it('agrees with zod on columns with one value, dictionary entry or index changed', () => {
    const body = encodeEventColumns(rowsBatch(12, 120));
    const cols = LOG_TYPES.flatMap((t) => Object.entries(body.types[t]!.cols).map(([f, c]) => ({ t, f, c, n: body.types[t]!.n })));
    fc.assert(
      fc.property(fc.nat(cols.length - 1), fc.nat(10_000), fc.nat(VALUES.length - 1), fc.boolean(), (ci, at, vi, dict) => {
        const copy = structuredClone(body);
        const { t, f, n } = cols[ci]!;
        const col = copy.types[t]!.cols[f]!;
        const v = structuredClone(VALUES[vi]);
        const r = at % n;
        if (Array.isArray(col)) {
          (col as unknown[])[r] = v;
          agrees(copy);
        } else if ('n' in col) {
          const l = col as ListColumn;
          if (l.i.length === 0) return;
          (l.d as unknown[])[l.i[at % l.i.length]!] = v; // an entry some row uses
          agrees(copy);
        } else {
          const tc = col as TextColumn;
          if (dict && tc.i[r]! >= 0) {
            (tc.d as unknown[])[tc.i[r]!] = v; // an entry row r uses
            agrees(copy);
          } else {
            (tc.i as unknown[])[r] = v;
            agrees(copy, typeof v === 'number' && Number.isInteger(v) && v >= -1 && v < tc.d.length);
          }
        }
      }),
      { numRuns: 3000, seed: 13 },
    );
  });

  describe('refuses broken batches with a clear message at the path', () => {
    const good = (): EventColumns => structuredClone(encodeEventColumns({ batchId: 'b1', gatewayId: 'gw1', events: FULL.map((e) => LogEvent.parse(e)) }));
    const cols = (b: EventColumns, t: 'bandwidth' | 'policy' | 'access' | 'security') => b.types[t]!.cols as Record<string, unknown>;
    const refused = (b: unknown, ...messages: string[]) => {
      expect(checkEventColumns(b)).toBeNull();
      expect(explainEventColumns(b)).toEqual(messages);
    };

    it('the envelope', () => {
      refused(null, '(batch): expected an object, got null');
      refused([], '(batch): expected an object, got an array of 0');
      refused({ ...good(), extra: 1 }, 'extra: unknown key (a batch in columns has format, batchId, gatewayId, types)');
      refused({ ...good(), format: 'mamori.columns/2' }, 'format: expected "mamori.columns/1", got "mamori.columns/2"');
      refused({ ...good(), batchId: '' }, 'batchId: expected a string of 1 to 128 characters, got ""');
      refused({ ...good(), batchId: 'x'.repeat(129) }, `batchId: expected a string of 1 to 128 characters, got "${'x'.repeat(40)}"... (129 characters)`);
      refused({ ...good(), gatewayId: 'g'.repeat(65) }, `gatewayId: expected a string of 1 to 64 characters, got "${'g'.repeat(40)}"... (65 characters)`);
      refused({ ...good(), gatewayId: 7 }, 'gatewayId: expected a string of 1 to 64 characters, got 7');
      refused({ ...good(), types: [] }, 'types: expected an object of log types, got an array of 0');
      const missing = good() as Partial<EventColumns>;
      delete missing.types;
      refused(missing, 'types: expected an object of log types, got undefined');
      expect(checkEventColumns({ ...good(), batchId: 'x'.repeat(128), gatewayId: 'g'.repeat(64), types: {} })).not.toBeNull();
    });

    it('log types and row counts', () => {
      const b = good() as unknown as { types: Record<string, unknown> };
      b.types['dns'] = { n: 0, cols: {} };
      refused(b, 'types.dns: not a log type (one of bandwidth, policy, access, security)');
      for (const [n, shown] of [[1.5, '1.5'], [-1, '-1'], ['2', '"2"'], [Number.NaN, 'NaN'], [null, 'null']] as const) {
        const c = good();
        (c.types.policy as { n: unknown }).n = n;
        refused(c, `types.policy.n: expected the number of rows (a whole number >= 0), got ${shown}`);
      }
      const x = good();
      (x.types.access as unknown as Record<string, unknown>)['rows'] = 2;
      refused(x, 'types.access.rows: unknown key (a log type has n and cols)');
      const y = good();
      (y.types.access as unknown as Record<string, unknown>)['cols'] = [];
      refused(y, 'types.access.cols: expected an object of columns, got an array of 0');
      const z = good();
      z.types.security = 'x' as never;
      refused(z, 'types.security: expected { n, cols }, got "x"');
    });

    it('more than 10,000 events', () => {
      const b = encodeEventColumns(rowsBatch(20, 10_001, []));
      refused(b, 'types: 10001 events; a batch holds at most 10,000');
      const big = encodeEventColumns(rowsBatch(20, 10_000, []));
      expect(checkEventColumns(big)).toBe(big);
      // counted over all types, and checked before any column
      const c = good();
      c.types.bandwidth!.n = 9_999;
      refused(c, 'types: 10004 events; a batch holds at most 10,000');
    });

    it('fields that are not columns of the type, and extra keys in columns', () => {
      const b = good();
      cols(b, 'bandwidth')['host'] = { d: [], i: [-1] };
      cols(b, 'access')['type'] = { d: ['access'], i: [0, 0] };
      refused(b, 'types.bandwidth.cols.host: not a field of bandwidth events', 'types.access.cols.type: not a field of access events');
      const c = good();
      (cols(c, 'access')['host'] as Record<string, unknown>)['x'] = 1;
      (cols(c, 'security')['mailTo'] as Record<string, unknown>)['len'] = 1;
      refused(c, 'types.access.cols.host.x: unknown key (a text column has d and i)', 'types.security.cols.mailTo.len: unknown key (a list column has d, n and i)');
    });

    it('wrong lengths', () => {
      const b = good();
      cols(b, 'access')['bytesDown'] = [1, 2, 3];
      (cols(b, 'access')['host'] as TextColumn).i.push(0);
      (cols(b, 'access')['categories'] as ListColumn).n.pop();
      (cols(b, 'security')['mailTo'] as ListColumn).i.pop();
      cols(b, 'access')['decrypted'] = [true];
      refused(
        b,
        'types.access.cols.host.i: 3 indexes for 2 rows',
        'types.access.cols.categories.n: 1 item counts for 2 rows',
        'types.access.cols.decrypted: 1 values for 2 rows',
        'types.access.cols.bytesDown: 3 values for 2 rows',
        'types.security.cols.mailTo.i: 1 indexes for 2 items (the sum of n)',
      );
    });

    it('indexes outside the dictionary or not whole numbers', () => {
      const b = good();
      (cols(b, 'access')['host'] as TextColumn).i[1] = 99;
      (cols(b, 'access')['url'] as TextColumn).i[0] = -2;
      (cols(b, 'access')['method'] as TextColumn).i[0] = 0.5;
      (cols(b, 'access')['categories'] as ListColumn).i[1] = 2;
      (cols(b, 'security')['mailTo'] as ListColumn).i[0] = -1;
      (cols(b, 'policy')['ruleId'] as TextColumn).i[0] = '0' as never;
      refused(
        b,
        'types.policy.cols.ruleId.i[0]: expected an index into d or -1, got "0"',
        'types.access.cols.url.i[0]: index -2 outside the dictionary (1 entry)',
        'types.access.cols.host.i[1]: index 99 outside the dictionary (2 entries)',
        'types.access.cols.method.i[0]: expected an index into d or -1, got 0.5',
        'types.access.cols.categories.i[1]: index 2 outside the dictionary (2 entries)',
        'types.security.cols.mailTo.i[0]: index -1 outside the dictionary (2 entries)',
      );
    });

    it('dictionary entries against the field rules: enums, lengths, sha256, types (also entries no row uses)', () => {
      const b = good();
      (cols(b, 'access')['action'] as TextColumn).d.push('deny');
      (cols(b, 'policy')['host'] as TextColumn).d[0] = 'h'.repeat(254);
      (cols(b, 'security')['fileSha256'] as TextColumn).d[0] = SHA.toUpperCase();
      (cols(b, 'security')['threatType'] as TextColumn).d[1] = 'virus';
      (cols(b, 'access')['categories'] as ListColumn).d[0] = 'c'.repeat(65);
      (cols(b, 'bandwidth')['app'] as TextColumn).d[0] = 5 as never;
      (cols(b, 'security')['id'] as TextColumn).d[1] = '';
      refused(
        b,
        'types.bandwidth.cols.app.d[0]: expected a string of at most 64 characters, got 5',
        `types.policy.cols.host.d[0]: expected a string of at most 253 characters, got "${'h'.repeat(40)}"... (254 characters)`,
        'types.access.cols.action.d[2]: expected one of allow, block, tag, detect, bypass, got "deny"',
        `types.access.cols.categories.d[0]: expected a string of at most 64 characters, got "${'c'.repeat(40)}"... (65 characters)`,
        'types.security.cols.id.d[1]: expected a string of 1 to 128 characters, got ""',
        'types.security.cols.threatType.d[1]: expected one of malware, ips, webReputation, cnc, spam, phishing, dos, portScan, myNumber, contentFilter, sandbox, certificate, got "virus"',
        `types.security.cols.fileSha256.d[0]: expected a sha256 (64 lowercase hex digits), got "${SHA.toUpperCase().slice(0, 40)}"... (64 characters)`,
      );
    });

    it('numbers out of range, not whole, not safe, not numbers (NaN-like values) and wrong types', () => {
      const b = good();
      (cols(b, 'bandwidth')['dstPort'] as unknown[])[0] = 65536;
      (cols(b, 'bandwidth')['bytesUp'] as unknown[])[0] = 1.5;
      (cols(b, 'bandwidth')['bytesDown'] as unknown[])[0] = 2 ** 53;
      (cols(b, 'access')['reputation'] as unknown[])[0] = Number.NaN;
      (cols(b, 'access')['status'] as unknown[])[0] = Number.POSITIVE_INFINITY;
      (cols(b, 'access')['bytesUp'] as unknown[])[1] = '5';
      (cols(b, 'access')['decrypted'] as unknown[])[1] = 0;
      (cols(b, 'policy')['policyVersion'] as unknown[])[0] = -1;
      cols(b, 'security')['signature'] = ['C2', 'SPAM'];
      cols(b, 'security')['mailTo'] = { d: [], i: [] };
      refused(
        b,
        'types.bandwidth.cols.dstPort[0]: expected a whole number from 0 to 65535 or null, got 65536',
        'types.bandwidth.cols.bytesUp[0]: expected a whole number >= 0, got 1.5',
        `types.bandwidth.cols.bytesDown[0]: expected a whole number >= 0, got ${2 ** 53}`,
        'types.policy.cols.policyVersion[0]: expected a whole number >= 0 or null, got -1',
        'types.access.cols.status[0]: expected a whole number or null, got Infinity',
        'types.access.cols.reputation[0]: expected a whole number from 0 to 100 or null, got NaN',
        'types.access.cols.decrypted[1]: expected true, false or null, got 0',
        'types.access.cols.bytesUp[1]: expected a whole number >= 0 or null, got "5"',
        'types.security.cols.signature: expected a text column { d, i }, got an array of 2',
        'types.security.cols.mailTo.n: expected 2 item counts, got undefined',
      );
      const c = good();
      (cols(c, 'access')['categories'] as ListColumn).n[0] = 17;
      (cols(c, 'security')['mailTo'] as ListColumn).n[1] = 0.5;
      refused(c, 'types.access.cols.categories.n[0]: expected an item count from 0 to 16, got 17', 'types.security.cols.mailTo.n[1]: expected an item count from 0 to 100, got 0.5');
      const many = { batchId: 'b', gatewayId: 'g', events: [{ ...FULL[4], mailTo: Array.from({ length: 101 }, (_, k) => `m${k}@x.test`) }] };
      refused(encodeEventColumns(many as unknown as EventBatch), 'types.security.cols.mailTo.n[0]: expected an item count from 0 to 100, got 101');
    });

    it('required fields missing on a row, or without a column', () => {
      const b = good();
      (cols(b, 'access')['host'] as TextColumn).i[1] = -1;
      (cols(b, 'bandwidth')['bytesUp'] as unknown[])[0] = null;
      (cols(b, 'security')['signature'] as TextColumn).i = [0, -1];
      delete cols(b, 'policy')['reasonKind'];
      delete cols(b, 'access')['srcIp'];
      refused(
        b,
        'types.bandwidth.cols.bytesUp: required field missing on row 0',
        'types.policy.cols.reasonKind: required field missing (no column for 1 rows)',
        'types.access.cols.host: required field missing on row 1',
        'types.access.cols.srcIp: required field missing (no column for 2 rows)',
        'types.security.cols.signature: required field missing on row 1',
      );
      // a type without rows needs no columns; optional fields need none either
      expect(checkEventColumns({ format: 'mamori.columns/1', batchId: 'b', gatewayId: 'g', types: { access: { n: 0, cols: {} } } })).not.toBeNull();
      const c = good();
      delete cols(c, 'security')['severity'];
      delete cols(c, 'access')['categories'];
      expect(checkEventColumns(c)).toBe(c);
      expect(decodeEventColumns(c).events.filter((e) => e.type === 'security').map((e) => e.severity)).toEqual(['medium', 'medium']);
    });

    it('says at most 20 problems', () => {
      const b = good() as unknown as Record<string, unknown>;
      for (let k = 0; k < 30; k++) b[`x${k}`] = k;
      expect(explainEventColumns(b)).toHaveLength(20);
    });
  });
});
