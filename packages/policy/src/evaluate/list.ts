/**
 * Allow and block lists (manual §6-4): URL entries (host + path prefix), hosts, "*.example.com"
 * wildcards (subdomains and the apex) and IP addresses/CIDRs (against dstIp, or an IP literal
 * host). The first entry in list order that matches is the one an explanation names; staging
 * keeps that exact: a later L7 fact may not reveal an earlier entry.
 */
import { parseAddressEntry, type Family } from '../address.js';
import { classifyListValue, type ListEntry } from '../rule.js';
import { HostSet, normalizeHost } from './host.js';
import { toIp, type FlowView } from './flow-view.js';
import { IpPriorityIndex } from './ip-index.js';
import { NEED_URL, NO, YES, type Match } from './match.js';

export interface CompiledList {
  entries: readonly ListEntry[];
  hosts: HostSet<number>;
  /** URL entries by host pattern: path prefixes with their index */
  urls: HostSet<Array<{ path: string; index: number }>>;
  ips: IpPriorityIndex;
  firstHostIndex: number;
  firstUrlIndex: number;
}

export function compileList(entries: readonly ListEntry[]): CompiledList {
  const hosts = new HostSet<number>();
  const urls = new HostSet<Array<{ path: string; index: number }>>();
  const urlsByPattern = new Map<string, Array<{ path: string; index: number }>>();
  const ips: Array<{ family: Family; start: bigint; end: bigint; priority: number }> = [];
  let firstHostIndex = Infinity;
  let firstUrlIndex = Infinity;
  entries.forEach((e, index) => {
    const c = classifyListValue(e.value);
    if (c === null) throw new Error(`invalid list entry "${e.value}"`);
    if (c.kind === 'ip') {
      const r = parseAddressEntry(c.host);
      if (!r.ok) throw new Error(`invalid list entry "${e.value}"`);
      ips.push({ family: r.value.family, start: r.value.start, end: r.value.end, priority: index });
    } else if (c.kind === 'url') {
      const pattern = normalizeHost(c.host);
      let paths = urlsByPattern.get(pattern);
      if (!paths) {
        paths = [];
        urlsByPattern.set(pattern, paths);
        urls.add(pattern, paths);
      }
      paths.push({ path: c.path, index });
      firstUrlIndex = Math.min(firstUrlIndex, index);
    } else {
      hosts.add(c.host, index);
      firstHostIndex = Math.min(firstHostIndex, index);
    }
  });
  return { entries, hosts, urls, ips: new IpPriorityIndex(ips), firstHostIndex, firstUrlIndex };
}

export interface ListMatch {
  match: Match;
  /** the deciding entry when match is YES */
  entry?: ListEntry;
}

export function matchList(list: CompiledList, v: FlowView): ListMatch {
  if (list.entries.length === 0) return { match: NO };
  let yes = Infinity;
  let unknown = Infinity;
  const byDst = list.ips.lookup(v.dst);
  if (byDst >= 0) yes = byDst;
  if (v.host !== undefined) {
    for (const i of list.hosts.matches(v.host)) yes = Math.min(yes, i);
    const byHost = list.ips.size > 0 ? list.ips.lookup(toIp(v.host)) : -1;
    if (byHost >= 0) yes = Math.min(yes, byHost);
  } else if (!v.final) {
    unknown = Math.min(unknown, list.firstHostIndex, list.firstUrlIndex);
  }
  if (v.url !== undefined) {
    const path = v.url.path;
    for (const paths of list.urls.matches(v.url.host)) for (const p of paths) if (path.startsWith(p.path)) yes = Math.min(yes, p.index);
  } else if (!v.final && v.host !== undefined) {
    // the host is known, the path is not: only URL entries for this host could still match
    for (const paths of list.urls.matches(v.host)) for (const p of paths) unknown = Math.min(unknown, p.index);
  }
  if (yes < unknown) return { match: YES, entry: list.entries[yes]! };
  if (unknown !== Infinity) return { match: NEED_URL };
  return { match: NO };
}
