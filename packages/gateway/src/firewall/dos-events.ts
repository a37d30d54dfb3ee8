/**
 * DoS and port-scan triggers → internet-security events. Each trigger puts its source into an
 * event set (with a per-element counter and a timeout); polling the sets yields one event per
 * source and kind whenever that source triggered again since the last poll.
 */
import type { SecurityEvent } from '@mamori/policy';
import type { DosEventSet } from './compile/types.js';
import type { CommandRunner } from './nft-runner.js';
import { parseSets, type NftSetElement } from './nft-json.js';

export interface DosEventSource {
  table: string;
  dosEventSets: DosEventSet[];
}

export class DosEventReader {
  private readonly seen = new Map<string, number>();
  private seq = 0;

  constructor(
    private readonly runner: CommandRunner,
    private readonly gatewayId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Read every event set once; returns the new events. */
  async poll(source: DosEventSource): Promise<SecurityEvent[]> {
    if (source.dosEventSets.length === 0) return [];
    // one `nft -j list set` per set: `nft -j -f -` cannot read a socket stdin (nft 1.0.6)
    const sets = new Map<string, NftSetElement[]>();
    const outs = await Promise.all(source.dosEventSets.map((s) => this.runner.run('nft', ['-j', 'list', 'set', 'inet', source.table, s.set])));
    for (const r of outs) {
      if (r.code !== 0) throw new Error(`could not read DoS event sets: ${r.stderr.trim()}`);
      for (const [k, v] of parseSets(r.stdout)) sets.set(k, v);
    }
    const events: SecurityEvent[] = [];
    const present = new Set<string>();
    for (const s of source.dosEventSets) {
      for (const el of sets.get(s.set) ?? []) {
        const key = `${s.set}|${el.value}`;
        present.add(key);
        const packets = el.packets ?? 1;
        const before = this.seen.get(key);
        this.seen.set(key, packets);
        if (before !== undefined && packets <= before) continue;
        events.push({
          id: `${this.gatewayId}:fw:${this.now()}:${this.seq++}`,
          ts: this.now(),
          type: 'security',
          threatType: s.threatType,
          action: 'block',
          signature: `${s.signature} (limit ${s.limit})`,
          severity: s.threatType === 'dos' ? 'high' : 'medium',
          srcIp: el.value,
          ...(s.signature === 'icmp-flood' ? { protocol: s.family === 4 ? 'icmp' : 'icmpv6' } : s.signature === 'udp-flood' ? { protocol: 'udp' } : { protocol: 'tcp' }),
        });
      }
    }
    // a source that expired from its set and comes back is a new trigger
    for (const k of this.seen.keys()) if (!present.has(k)) this.seen.delete(k);
    return events;
  }
}

export interface DosEventPump<E = SecurityEvent> {
  /** poll once now (also what the timer does); resolves with the events emitted */
  pollNow(): Promise<E[]>;
  stop(): void;
}

/**
 * Poll the event sets of the firewall's current ruleset (DoS triggers, or the rule log sets with
 * a RuleLogReader) every `intervalMs` and hand each trigger (kind + source address) to `emit` (the gateway's event sink → spool → console). Read errors
 * are reported to `onError` and polling goes on; a re-deploy starts from empty sets.
 */
export function startDosEventPump<S, E>(
  reader: { poll(source: S): Promise<E[]> },
  current: () => S | null,
  emit: (e: E) => void,
  opts: { intervalMs?: number; onError?: (e: unknown) => void } = {},
): DosEventPump<E> {
  let busy: Promise<E[]> | null = null;
  const pollNow = (): Promise<E[]> => {
    if (busy) return busy;
    const src = current();
    if (!src) return Promise.resolve([]);
    busy = reader
      .poll(src)
      .then((evs) => {
        for (const e of evs) emit(e);
        return evs;
      })
      .catch((e: unknown) => {
        opts.onError?.(e);
        return [];
      })
      .finally(() => {
        busy = null;
      });
    return busy;
  };
  const timer = setInterval(() => void pollNow(), opts.intervalMs ?? 5000);
  timer.unref();
  return { pollNow, stop: () => clearInterval(timer) };
}
