import { describe, expect, it } from 'vitest';
import { EventBatch, LogEvent, type LogEventInput } from './events.js';
import { batchEventCount, columnKinds, decodeEventColumns, encodeEventColumns, isEventColumns, type TextColumn } from './event-columns.js';

const base = { srcIp: '10.0.0.5', ts: 1_700_000_000_000 };
const INPUT: LogEventInput[] = [
  { ...base, id: 'a1', type: 'access', action: 'allow', host: 'www.example.jp', url: 'https://www.example.jp/', categories: ['news', 'portal'], decrypted: true, bytesUp: 300, bytesDown: 9000, status: 200 },
  { ...base, id: 'b1', type: 'bandwidth', app: 'youtube', appCategory: 'streaming', bytesUp: 10, bytesDown: 20, user: 'tanaka' },
  { ...base, id: 'a2', type: 'access', action: 'block', host: 'bad.example', ts: base.ts + 5 },
  { ...base, id: 's1', type: 'security', threatType: 'spam', action: 'block', signature: 'spam list', mailTo: ['a@x.jp', 'b@x.jp'], subject: '【重要】' },
  { ...base, id: 'p1', type: 'policy', action: 'block', reasonKind: 'rule', ruleName: 'P2P 禁止', dstPort: 6881, protocol: 'tcp' },
  { ...base, id: 'a3', type: 'access', action: 'allow', host: 'www.example.jp', categories: ['news'], decrypted: false },
];
const batch = EventBatch.parse({ batchId: 'b-1', gatewayId: 'gw-1', events: INPUT });

/** the events as zod gives them (defaults filled in), without undefined keys, in a stable order */
const canon = (events: LogEvent[]): string[] => events.map((e) => JSON.stringify(Object.entries(LogEvent.parse(e)).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)))).sort();

describe('event columns', () => {
  it('round-trips a row batch through JSON in columns, defaults included', () => {
    const cols = encodeEventColumns(batch);
    expect(isEventColumns(cols)).toBe(true);
    expect(isEventColumns(batch)).toBe(false);
    expect(batchEventCount(cols)).toBe(6);
    expect(batchEventCount(batch)).toBe(6);
    const back = decodeEventColumns(JSON.parse(JSON.stringify(cols)));
    expect(back.batchId).toBe('b-1');
    expect(back.gatewayId).toBe('gw-1');
    expect(canon(back.events)).toEqual(canon(batch.events));
    // defaults as zod fills them: the access event without categories has [], the security event severity 'medium'
    expect(back.events.find((e) => e.id === 'a2')).toMatchObject({ categories: [] });
    expect(back.events.find((e) => e.id === 's1')).toMatchObject({ severity: 'medium', mailTo: ['a@x.jp', 'b@x.jp'] });
  });

  it('keeps one dictionary entry per distinct value and leaves out fields no row has', () => {
    const cols = encodeEventColumns(batch);
    const access = cols.types.access!;
    expect(access.n).toBe(3);
    expect(access.cols['host']).toEqual({ d: ['www.example.jp', 'bad.example'], i: [0, 1, 0] });
    expect(access.cols['url']).toEqual({ d: ['https://www.example.jp/'], i: [0, -1, -1] });
    expect(access.cols['categories']).toEqual({ d: ['news', 'portal'], n: [2, 0, 1], i: [0, 1, 0] });
    expect(access.cols['decrypted']).toEqual([true, null, false]);
    expect(access.cols['status']).toEqual([200, null, null]);
    expect(access.cols['requestId']).toBeUndefined();
    expect((cols.types.bandwidth!.cols['user'] as TextColumn).d).toEqual(['tanaka']);
  });

  it('takes each field kind from the event schemas', () => {
    expect(columnKinds('access').get('categories')).toBe('list');
    expect(columnKinds('access').get('decrypted')).toBe('bool');
    expect(columnKinds('access').get('ts')).toBe('int');
    expect(columnKinds('security').get('threatType')).toBe('text');
    expect(columnKinds('security').get('mailTo')).toBe('list');
    expect(columnKinds('bandwidth').has('type')).toBe(false);
    expect([...columnKinds('policy').keys()]).toContain('policyVersion');
  });
});
