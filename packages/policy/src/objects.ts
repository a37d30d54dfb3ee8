/**
 * Policy objects (manual §6-3): addresses, FQDNs, MAC addresses, services, users and groups,
 * custom URL categories, gateway groups. Objects are referenced from rules by id.
 */
import { z } from 'zod';
import { parseAddressList, type Family } from './address.js';
import { checked, issue } from './issue.js';
import { isValidFqdn } from './fqdn.js';
import { classifyListValue } from './list-value.js';

export { isValidFqdn };

export const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'policy.id.invalid' });
export type Id = z.infer<typeof Id>;

export const Name = z
  .string()
  .trim()
  .min(1, { error: 'policy.name.empty' })
  .max(128);

export const Fqdn = z.string().trim().toLowerCase().superRefine(checked((s) => isValidFqdn(s), 'policy.fqdn.invalid'));

const MAC = /^([0-9a-f]{2})([:-]?)([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i;
export function normalizeMac(s: string): string | null {
  const m = MAC.exec(s.trim());
  if (!m) return null;
  return [m[1], m[3], m[4], m[5], m[6], m[7]].join(':').toLowerCase();
}
export const MacAddress = z.string().transform((s, ctx) => {
  const n = normalizeMac(s);
  if (n === null) {
    ctx.addIssue(issue('policy.mac.invalid', { value: s }));
    return z.NEVER;
  }
  return n;
});

/** An address list string in the manual's syntax, checked entry by entry for the given family. */
export function addressListString(family?: Family) {
  return z.string().superRefine((s, ctx) => {
    const r = parseAddressList(s, family);
    if (!r.ok) for (const p of r.problems) ctx.addIssue(issue(p.code, { value: p.value, ...p.params }));
  });
}

/** 「アドレスオブジェクトの追加/編集」: 名前, 種類 (IPv4 / IPv6 / FQDN), アドレス. */
export const AddressObject = z.discriminatedUnion('type', [
  z.strictObject({ id: Id, name: Name, description: z.string().max(512).optional(), type: z.literal('ipv4'), addresses: addressListString(4) }),
  z.strictObject({ id: Id, name: Name, description: z.string().max(512).optional(), type: z.literal('ipv6'), addresses: addressListString(6) }),
  z.strictObject({ id: Id, name: Name, description: z.string().max(512).optional(), type: z.literal('fqdn'), fqdn: Fqdn }),
]);
export type AddressObject = z.infer<typeof AddressObject>;

export const MacObject = z.strictObject({
  id: Id,
  name: Name,
  description: z.string().max(512).optional(),
  macs: z.array(MacAddress).min(1, { error: 'policy.address.empty' }),
});
export type MacObject = z.infer<typeof MacObject>;

export const Protocol = z.enum(['tcp', 'udp', 'icmp', 'icmpv6', 'any']);
export type Protocol = z.infer<typeof Protocol>;

const PORTS = /^\s*\d{1,5}(\s*-\s*\d{1,5})?\s*(,\s*\d{1,5}(\s*-\s*\d{1,5})?\s*)*$/;
export function parsePorts(s: string): Array<[number, number]> | null {
  if (!PORTS.test(s)) return null;
  const out: Array<[number, number]> = [];
  for (const part of s.split(',')) {
    const [a, b] = part.split('-').map((x) => Number(x.trim()));
    const lo = a!;
    const hi = b ?? lo;
    if (lo < 1 || hi > 65535 || lo > hi) return null;
    out.push([lo, hi]);
  }
  return out;
}
export const PortList = z.string().superRefine(checked((s) => parsePorts(s) !== null, 'policy.port.invalid'));

export const ServiceEntry = z
  .strictObject({
    protocol: Protocol,
    /** destination ports "80, 443, 8000-8080"; empty or absent means every port; none for ICMP */
    ports: PortList.optional(),
  })
  .superRefine((e, ctx) => {
    if ((e.protocol === 'icmp' || e.protocol === 'icmpv6') && e.ports !== undefined && e.ports.trim() !== '') {
      ctx.addIssue(issue('policy.port.not_applicable', { value: e.ports, protocol: e.protocol }, ['ports']));
    }
  });
export const ServiceObject = z.strictObject({
  id: Id,
  name: Name,
  description: z.string().max(512).optional(),
  entries: z.array(ServiceEntry).min(1, { error: 'policy.service.empty' }),
});
export type ServiceObject = z.infer<typeof ServiceObject>;

export const Email = z.string().trim().superRefine(checked((s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s), 'policy.email.invalid'));

/** A user as the gateway sees one: bound to addresses and/or MACs (no proxy auth yet). */
export const User = z.strictObject({
  id: Id,
  name: Name,
  email: Email.optional(),
  addresses: addressListString().optional(),
  macs: z.array(MacAddress).optional(),
});
export type User = z.infer<typeof User>;

export const UserGroup = z.strictObject({
  id: Id,
  name: Name,
  description: z.string().max(512).optional(),
  members: z.array(Id),
});
export type UserGroup = z.infer<typeof UserGroup>;

/** Entries as in the allow/block lists: a host, "*.host", "host/path" or an IP/CIDR. */
export const CustomCategory = z.strictObject({
  id: Id,
  name: Name,
  description: z.string().max(512).optional(),
  entries: z.array(z.string().trim().superRefine(checked((v) => classifyListValue(v) !== null, 'policy.list_entry.invalid'))).min(1, { error: 'policy.list_entry.empty' }),
});
export type CustomCategory = z.infer<typeof CustomCategory>;

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
export function isCountryCode(s: string): boolean {
  if (!/^[A-Z]{2}$/.test(s)) return false;
  const name = regionNames.of(s);
  return name !== undefined && name !== s && !/^Unknown/i.test(name);
}
export const CountryCode = z.string().toUpperCase().superRefine(checked(isCountryCode, 'policy.country.invalid'));

export const GatewayGroup = z.strictObject({
  id: Id,
  name: Name,
  description: z.string().max(512).optional(),
});
export type GatewayGroup = z.infer<typeof GatewayGroup>;
