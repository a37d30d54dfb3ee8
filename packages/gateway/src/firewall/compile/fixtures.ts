/**
 * Policies and a GeoIP table used by the compiler's tests, the namespace tests and the benchmark.
 * Addresses are in 10.99.0.0/16 (test namespaces) and documentation ranges.
 */
import { Policy, type PolicyInput, type PolicyRuleInput } from '@mamori/policy';
import { toIntervals } from './nft-text.js';
import type { GeoRangeSource } from './types.js';

export function policyOf(rules: PolicyRuleInput[], extra: Partial<PolicyInput> = {}): Policy {
  return Policy.parse({ schemaVersion: 1, model: 10, ...extra, rules });
}

export const BLOCK_ALL: PolicyRuleInput = { id: 'firewall', name: 'Firewall (block all)', action: 'block' };
export const DHCP_ALLOW: PolicyRuleInput = {
  id: 'dhcp',
  name: 'DHCP',
  action: 'allow',
  content: { type: 'selected', applications: ['dhcp'] },
};

/** A GeoIP range table from a plain object: country → ranges. */
export function geoTable(table: Record<string, string[]>): GeoRangeSource {
  return { rangesFor: (c) => toIntervals(table[c] ?? [], `GeoIP ${c}`) };
}
