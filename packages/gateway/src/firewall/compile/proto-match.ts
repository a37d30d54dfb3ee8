/**
 * Protocol/port matches of services and L4-identified applications, their intersection and their
 * nft text.
 */
import type { ServiceObject } from '@mamori/policy';
import { parsePorts } from '@mamori/policy';
import { formatPorts, intersectPorts, mergePorts } from './nft-text.js';

export type Proto = 'tcp' | 'udp' | 'icmp' | 'icmpv6';
/** null protos: any protocol; null ports: any port. Ports imply protos ⊆ {tcp, udp}. */
export interface ProtoMatch {
  protos: Proto[] | null;
  ports: Array<[number, number]> | null;
}
export const ANY_PROTO: ProtoMatch = { protos: null, ports: null };

export function serviceMatches(svc: ServiceObject): ProtoMatch[] {
  return svc.entries.map((e) => {
    const ports = e.ports && e.ports.trim() !== '' ? mergePorts(parsePorts(e.ports) ?? []) : null;
    if (e.protocol === 'icmp' || e.protocol === 'icmpv6') return { protos: [e.protocol], ports: null };
    if (e.protocol === 'any') return ports ? { protos: ['tcp', 'udp'], ports } : ANY_PROTO;
    return { protos: [e.protocol], ports };
  });
}

/** Both matches at once, or null when no packet can match both. */
export function intersect(a: ProtoMatch, b: ProtoMatch): ProtoMatch | null {
  let protos: Proto[] | null = a.protos === null ? b.protos : b.protos === null ? a.protos : a.protos.filter((p) => b.protos!.includes(p));
  if (protos !== null && protos.length === 0) return null;
  const ports = a.ports === null ? b.ports : b.ports === null ? a.ports : intersectPorts(a.ports, b.ports);
  if (ports !== null) {
    if (ports.length === 0) return null;
    protos = (protos ?? ['tcp', 'udp']).filter((p) => p === 'tcp' || p === 'udp');
    if (protos.length === 0) return null;
  }
  return { protos, ports };
}

/** nft match text and the address family it implies (icmp → 4, icmpv6 → 6). */
export function renderProto(m: ProtoMatch): { expr: string; family: 4 | 6 | null } {
  if (m.protos === null && m.ports === null) return { expr: '', family: null };
  if (m.ports !== null) {
    const ps = m.protos ?? ['tcp', 'udp'];
    const p = formatPorts(m.ports);
    if (ps.length === 1) return { expr: `${ps[0]} dport ${p}`, family: null };
    return { expr: `meta l4proto { tcp, udp } th dport ${p}`, family: null };
  }
  const ps = m.protos!;
  const name = (p: Proto) => (p === 'icmpv6' ? 'ipv6-icmp' : p);
  const family = ps.every((p) => p === 'icmp') ? 4 : ps.every((p) => p === 'icmpv6') ? 6 : null;
  if (ps.length === 1) return { expr: `meta l4proto ${name(ps[0]!)}`, family };
  return { expr: `meta l4proto { ${ps.map(name).join(', ')} }`, family };
}
