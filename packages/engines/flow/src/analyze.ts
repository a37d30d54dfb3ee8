/** Capture → flows: the reader, decoder and flow table wired together with counters. */
import type { CaptureDamage } from './capture.js';
import { readCapture } from './capture.js';
import { decodePacket } from './decode.js';
import type { Flow, FlowTableOptions } from './flow-table.js';
import { FlowTable } from './flow-table.js';

export interface CaptureStats {
  format: 'pcap' | 'pcapng';
  packets: number;
  decoded: number;
  /** packets that could not be decoded, by reason */
  undecoded: Record<string, number>;
  damage: CaptureDamage[];
  truncated: boolean;
  flows: number;
}

/**
 * Read a capture and hand every flow to `onFlow` as it ends (idle, closed, or at the end).
 * Throws CaptureFormatError only when the bytes are not a capture at all.
 */
export function readFlows(buf: Uint8Array, onFlow: (flow: Flow) => void, opts: Omit<FlowTableOptions, 'onFlow'> = {}): CaptureStats {
  const cap = readCapture(buf);
  const table = new FlowTable({ ...opts, onFlow });
  const stats: CaptureStats = {
    format: cap.format,
    packets: cap.packets.length,
    decoded: 0,
    undecoded: {},
    damage: cap.damage,
    truncated: cap.truncated,
    flows: 0,
  };
  for (const raw of cap.packets) {
    const d = decodePacket(raw.linktype, raw.data, raw.ts);
    if (!d.ok) {
      stats.undecoded[d.reason] = (stats.undecoded[d.reason] ?? 0) + 1;
      continue;
    }
    stats.decoded++;
    table.add(d.packet);
  }
  table.flush();
  stats.flows = table.stats.flows;
  return stats;
}

/** All flows of a capture, in the order they ended. */
export function analyzeCapture(buf: Uint8Array, opts: Omit<FlowTableOptions, 'onFlow'> = {}): { flows: Flow[]; stats: CaptureStats } {
  const flows: Flow[] = [];
  const stats = readFlows(buf, (f) => flows.push(f), opts);
  return { flows, stats };
}
