/**
 * A dashboard widget (manual §4): data for one chart or table, computed from rollups (never raw
 * events). A new widget is one file in widgets/ and one line in registry.ts.
 */
import type { EventStore } from '../store/event-store.js';
import type { ConsoleFacts } from '../console-facts.js';

export interface WidgetContext {
  tenantId: string;
  events: EventStore;
  facts: ConsoleFacts;
  from: number;
  to: number;
  now: number;
  limit: number;
}

export type WidgetData =
  | { kind: 'bar'; unit: 'bytes' | 'count'; items: Array<{ key: string; label?: string; value: number; detail?: Record<string, number | string> }> }
  | { kind: 'series'; unit: 'count'; grain: 'minute' | 'hour' | 'day'; buckets: number[]; series: Array<{ key: string; values: number[] }> }
  | { kind: 'table'; columns: string[]; rows: Array<Record<string, string | number | boolean | null>> };

export interface Widget {
  id: string;
  title: { ja: string; en: string };
  /** default time range in hours */
  defaultHours: number;
  load(ctx: WidgetContext): Promise<WidgetData>;
}
