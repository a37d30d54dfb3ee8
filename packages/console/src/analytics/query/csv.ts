/**
 * CSV export of a log query, streamed page by page (keyset pagination), so any size goes out in
 * constant memory. UTF-8 with a BOM so that Excel opens Japanese text correctly; RFC 4180 quoting;
 * cells that a spreadsheet would run as a formula (= + - @ tab CR) are prefixed with an apostrophe.
 */
import type { EventStore, StoredEvent } from '../store/event-store.js';
import { cursorOf } from '../store/event-store.js';
import { FIELDS, type FieldDef } from '../store/fields.js';
import type { LogQuery } from '../store/query-model.js';

export const BOM = '\uFEFF';

export function csvCell(value: unknown, kind: FieldDef['kind'] | 'text' = 'text'): string {
  if (value === null || value === undefined) return '';
  let s = Array.isArray(value) ? value.join(' ') : String(value);
  if (kind !== 'int' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `2026-11-25 09:00:00` in Japan time */
export function formatJst(ts: number): string {
  return new Date(ts + 9 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
}

export function csvHeader(type: LogQuery['type'], lang: 'ja' | 'en'): string {
  return FIELDS[type].filter((d) => d.name !== 'category').map((d) => csvCell(d.name === 'ts' ? `${d[lang]} (JST)` : d[lang])).join(',') + '\r\n';
}

export function csvRow(type: LogQuery['type'], ev: StoredEvent): string {
  const rec = ev as unknown as Record<string, unknown>;
  return (
    FIELDS[type]
      .filter((d) => d.name !== 'category')
      .map((d) => (d.name === 'ts' ? formatJst(ev.ts) : csvCell(rec[d.name], d.kind)))
      .join(',') + '\r\n'
  );
}

/** Yields the CSV in chunks; `maxRows` bounds the export (default: everything in the range). */
export async function* csvChunks(store: EventStore, tenantId: string, q: LogQuery, lang: 'ja' | 'en' = 'ja', pageSize = 5000, maxRows = Number.MAX_SAFE_INTEGER): AsyncGenerator<string> {
  yield BOM + csvHeader(q.type, lang);
  let sent = 0;
  let page = await store.raw(tenantId, { ...q, limit: Math.min(pageSize, maxRows), offset: 0 });
  while (page.length > 0) {
    let out = '';
    for (const ev of page) out += csvRow(q.type, ev);
    yield out;
    sent += page.length;
    if (page.length < pageSize || sent >= maxRows) break;
    page = await store.raw(tenantId, { ...q, limit: Math.min(pageSize, maxRows - sent), offset: 0 }, cursorOf(page[page.length - 1]!));
  }
}
