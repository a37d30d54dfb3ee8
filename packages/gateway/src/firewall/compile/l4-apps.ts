/**
 * Applications identified by L3/L4 alone (CONTRACTS.md Knowledge.l4Apps): a rule that selects only
 * these compiles to ports in the kernel; anything else needs the proxies.
 */
import { mergePorts } from './nft-text.js';
import type { L4Knowledge } from './types.js';

export type L4Proto = 'tcp' | 'udp';
export interface L4Match {
  protos: L4Proto[];
  ports: Array<[number, number]>;
}

/** Used when no knowledge is injected; the appid catalogue's l4Apps gives the same answers for these. */
const BUILTIN: Record<string, { category: string; entries: Array<[L4Proto, number, number]> }> = {
  dhcp: { category: 'network-protocols', entries: [['udp', 67, 68]] },
  dhcpv6: { category: 'network-protocols', entries: [['udp', 546, 547]] },
  dns: { category: 'network-protocols', entries: [['udp', 53, 53], ['tcp', 53, 53]] },
  ntp: { category: 'network-protocols', entries: [['udp', 123, 123]] },
};

export interface L4AppTable {
  /** app id → one match per protocol */
  apps: Map<string, L4Match[]>;
  category(app: string): string | undefined;
}

function fromEntries(entries: Array<[L4Proto, number, number]>): L4Match[] {
  const byProto = new Map<L4Proto, Array<[number, number]>>();
  for (const [p, lo, hi] of entries) {
    const list = byProto.get(p) ?? [];
    list.push([lo, hi]);
    byProto.set(p, list);
  }
  return [...byProto].map(([p, ports]) => ({ protos: [p], ports: mergePorts(ports) }));
}

/** Invert `l4Apps(protocol, port)` over every tcp/udp port once per compile (131k calls). */
export function buildL4AppTable(knowledge?: L4Knowledge): L4AppTable {
  const l4Apps = knowledge?.l4Apps;
  const apps = new Map<string, L4Match[]>();
  if (!l4Apps) {
    for (const [app, def] of Object.entries(BUILTIN)) apps.set(app, fromEntries(def.entries));
  } else {
    const entries = new Map<string, Array<[L4Proto, number, number]>>();
    for (const proto of ['tcp', 'udp'] as const) {
      for (let port = 1; port <= 65535; port++) {
        for (const app of l4Apps.call(knowledge, proto, port)) {
          const list = entries.get(app) ?? [];
          list.push([proto, port, port]);
          entries.set(app, list);
        }
      }
    }
    for (const [app, es] of entries) apps.set(app, fromEntries(es));
  }
  const category = (app: string) => knowledge?.appCategory?.call(knowledge, app) ?? BUILTIN[app]?.category;
  return { apps, category };
}
