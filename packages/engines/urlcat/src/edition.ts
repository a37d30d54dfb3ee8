/**
 * Editions of a category database: what a console distributes to its gateways when its own
 * database is large. The console keeps the full database for cloud lookups; the edition keeps
 * what a gateway must decide on its own, without asking — every host in a security category
 * (malware, phishing, C&C, ...), then the popular hosts of the starter list — up to a cap of
 * host keys, and every URL prefix, IP network and expression. A host left out is categorized by
 * the gateway's cloud lookup (its cache keeps the answer).
 */
import { CategoryDbBuilder } from './db-builder.js';
import type { CategoryDb } from './category-db.js';
import { URL_CATEGORIES } from './taxonomy.js';

const SECURITY = new Set(URL_CATEGORIES.filter((c) => c.group === 'security').map((c) => c.id));

export interface EditionReport {
  /** host keys in the full database and in the edition */
  hosts: number;
  kept: number;
  security: number;
  popular: number;
  /** security hosts left out by the cap */
  securityCut: number;
}

/**
 * Builds the gateway edition of `full`. `popular` answers whether a host is among the most
 * visited (e.g. listed in the starter database). The edition keeps the full database's name
 * (with an " (edition)" suffix), sources, build time and expressions.
 */
export function buildEdition(full: CategoryDb, maxHosts: number, popular: (host: string) => boolean): { bytes: Buffer; report: EditionReport } {
  if (!Number.isInteger(maxHosts) || maxHosts < 0) throw new Error(`edition host cap must be a whole number >= 0, got ${maxHosts}`);
  const b = new CategoryDbBuilder(`${full.meta.name} (edition)`, full.meta.builtAt ? new Date(full.meta.builtAt) : undefined);
  for (const s of full.meta.sources) b.addSource(s);
  b.addSource(`gateway edition: security categories and popular hosts, at most ${maxHosts} hosts`);
  const report: EditionReport = { hosts: 0, kept: 0, security: 0, popular: 0, securityCut: 0 };
  const second: Array<{ host: string; categories: string[] }> = [];
  for (const e of full.hostEntries()) {
    report.hosts++;
    if (e.categories.some((c) => SECURITY.has(c))) {
      if (report.kept >= maxHosts) {
        report.securityCut++;
        continue;
      }
      for (const c of e.categories) b.addHost(e.host, c);
      report.kept++;
      report.security++;
    } else if (popular(e.host)) second.push(e);
  }
  for (const e of second) {
    if (report.kept >= maxHosts) break;
    for (const c of e.categories) b.addHost(e.host, c);
    report.kept++;
    report.popular++;
  }
  for (const u of full.urlPrefixEntries()) for (const c of u.categories) b.addUrl(u.host, u.path, c);
  for (const ip of full.ipEntries()) for (const c of ip.categories) b.addCidr(ip.cidr, c);
  for (const x of full.meta.expressions ?? []) for (const c of x.categories) b.addExpression(x.pattern, c);
  return { bytes: b.build(), report };
}
