import { describe, expect, it } from 'vitest';
import { LogEvent } from '@mamori/policy';
import { SqliteEventStore } from '../store/sqlite-store.js';
import { parseLogQuery } from '../store/query-model.js';
import { BOM, csvCell, csvChunks, formatJst } from './csv.js';

/** a small RFC 4180 parser, to read back what we wrote */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += c;
  }
  return rows;
}

describe('CSV export', () => {
  it('quotes separators, quotes and newlines, and guards formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell(-5, 'int')).toBe('-5');
    expect(csvCell('請求書.zip')).toBe('請求書.zip');
    expect(csvCell(null)).toBe('');
    expect(formatJst(Date.UTC(2026, 10, 25, 15, 30, 0))).toBe('2026-11-26 00:30:00');
  });

  it('streams every matching row, newest first, with a BOM and Japanese headers, across many pages', async () => {
    const store = new SqliteEventStore({ path: ':memory:' });
    const t0 = Date.UTC(2026, 10, 1);
    const events = Array.from({ length: 1234 }, (_, i) =>
      LogEvent.parse({
        type: 'security', id: `e${i}`, ts: t0 + i * 1000, srcIp: '10.0.0.5', user: i % 2 ? '田中' : 'sato', threatType: 'spam', action: 'block',
        signature: i === 7 ? '=cmd|" /C calc"!A0' : 'スパムメール, score 9', subject: i === 3 ? '件名\n改行あり' : '【重要】確認', mailTo: ['a@example.jp', 'b@example.jp'],
      }),
    );
    await store.ingest('t', { batchId: 'b', gatewayId: 'g1', events });
    await store.ingest('other', { batchId: 'b', gatewayId: 'g1', events: events.slice(0, 10) });
    let text = '';
    for await (const chunk of csvChunks(store, 't', parseLogQuery({ type: 'security', from: t0, to: t0 + 10_000_000 }), 'ja', 100)) text += chunk;
    expect(text.startsWith(BOM)).toBe(true);
    const rows = parseCsv(text.slice(1));
    expect(rows[0]!.slice(0, 7)).toEqual(['日時 (JST)', 'ゲートウェイ', 'イベントID', '送信元IP', '送信元MAC', 'ユーザ', '宛先IP']);
    expect(rows.length).toBe(1 + 1234);
    const col = (name: string) => rows[0]!.indexOf(name);
    expect(rows[1]![col('イベントID')]).toBe('e1233');
    expect(rows[1234]![col('イベントID')]).toBe('e0');
    const r7 = rows.find((r) => r[col('イベントID')] === 'e7')!;
    expect(r7[col('シグネチャ')]).toBe(`'=cmd|" /C calc"!A0`);
    const r3 = rows.find((r) => r[col('イベントID')] === 'e3')!;
    expect(r3[col('件名')]).toBe('件名\n改行あり');
    expect(r3[col('受信者')]).toBe('a@example.jp b@example.jp');
    expect(r3[col('ユーザ')]).toBe('田中');
    expect(new Set(rows.slice(1).map((r) => r[col('イベントID')])).size).toBe(1234);
    await store.close();
  });
});
