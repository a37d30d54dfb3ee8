/**
 * Rules with "log" on → policy-enforcement events (ポリシー施行). The kernel keeps what the logging
 * rules decided as (source, destination, protocol, rule index) with a packet counter (see the
 * compiler); each poll emits one event per element that is new or whose counter grew since the
 * last poll.
 */
import type { PolicyEvent } from '@mamori/policy';
import type { RuleLogSet } from './compile/types.js';
import type { CommandRunner } from './nft-runner.js';
import { parseSets } from './nft-json.js';

export interface RuleLogSource {
  table: string;
  ruleLogSets: RuleLogSet[];
}

const PROTOCOLS: Record<string, PolicyEvent['protocol']> = { tcp: 'tcp', '6': 'tcp', udp: 'udp', '17': 'udp', icmp: 'icmp', '1': 'icmp', 'ipv6-icmp': 'icmpv6', icmpv6: 'icmpv6', '58': 'icmpv6' };

export class RuleLogReader {
  private readonly seen = new Map<string, number>();
  private seq = 0;

  constructor(
    private readonly runner: CommandRunner,
    private readonly gatewayId: string,
    private readonly now: () => number = Date.now,
    /** the deployed policy version, for the events */
    private readonly policyVersion: () => number | null = () => null,
  ) {}

  async poll(source: RuleLogSource): Promise<PolicyEvent[]> {
    if (source.ruleLogSets.length === 0) return [];
    const byIndex = new Map(source.ruleLogSets.map((r) => [r.index, r]));
    const outs = await Promise.all(['rulelog_4', 'rulelog_6'].map((set) => this.runner.run('nft', ['-j', 'list', 'set', 'inet', source.table, set]).then((r) => ({ set, r }))));
    const events: PolicyEvent[] = [];
    const present = new Set<string>();
    outs.forEach(({ set, r }) => {
      if (r.code !== 0) throw new Error(`could not read rule log sets: ${r.stderr.trim()}`);
      for (const el of parseSets(r.stdout).get(set) ?? []) {
        const [src, dst, proto, mark] = el.value.split(' . ');
        const info = byIndex.get(Number(mark));
        if (!src || !dst || !info) continue;
        const key = `${set}|${el.value}`;
        present.add(key);
        const packets = el.packets ?? 1;
        const before = this.seen.get(key);
        this.seen.set(key, packets);
        if (before !== undefined && packets <= before) continue;
        const v = this.policyVersion();
        events.push({
          id: `${this.gatewayId}:fwlog:${this.now()}:${this.seq++}`,
          ts: this.now(),
          type: 'policy',
          action: info.action,
          reasonKind: 'rule',
          ruleId: info.ruleId,
          ruleName: info.ruleName,
          srcIp: src,
          dstIp: dst,
          protocol: PROTOCOLS[proto ?? ''] ?? 'other',
          ...(v !== null ? { policyVersion: v } : {}),
        });
      }
    });
    for (const k of this.seen.keys()) if (!present.has(k)) this.seen.delete(k);
    return events;
  }
}
