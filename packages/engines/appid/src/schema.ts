/**
 * The catalogue is data; these schemas are its single source of truth. Every data file is parsed
 * through them at load so a bad line fails with its file and line number, never at match time.
 */
import { z } from 'zod';

export const kebabId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase kebab id');

export const localizedName = z.strictObject({ en: z.string().min(1), ja: z.string().min(1) });

export const categorySchema = z.strictObject({ id: kebabId, name: localizedName });
export const functionDefSchema = z.strictObject({ id: kebabId, name: localizedName });

/**
 * `example.com` matches the host and every subdomain; `=www.example.com` only that host;
 * `cdn-*.example.net` a first label glob (and that name's subdomains).
 */
export const hostPattern = z
  .string()
  .regex(/^(=?([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?|[a-z0-9_*-]*\*[a-z0-9_*-]*(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)+)$/, 'host pattern');

export const portSpec = z.strictObject({
  protocol: z.enum(['tcp', 'udp']),
  from: z.number().int().min(0).max(65535),
  to: z.number().int().min(0).max(65535),
});
export type PortSpec = z.infer<typeof portSpec>;

export const appSchema = z.strictObject({
  id: kebabId,
  name: localizedName,
  category: kebabId,
  risk: z.number().int().min(1).max(5),
  functions: z.array(kebabId),
  hosts: z.array(hostPattern),
  /** ports that define the application at L4 (dhcp udp/67-68, dns 53, ...) */
  ports: z.array(portSpec),
  /** TLS ALPN protocol ids that identify the application on their own (`dot`, `xmpp-client`) */
  alpn: z.array(z.string().min(1)),
});
export type AppDef = z.infer<typeof appSchema>;

/**
 * An HTTP-level signature that narrows a flow to one function of `app`; without `function` it
 * names the app itself on a host owned by another app (kintone under cybozu.com).
 */
export const functionSignatureSchema = z.strictObject({
  app: kebabId,
  function: kebabId.optional(),
  /** host pattern; when absent the signature applies to every host of the app */
  host: hostPattern.optional(),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT']).optional(),
  /** path prefix, or a regular expression when written `~regex` */
  path: z.string().min(1).optional(),
});
export type FunctionSignature = z.infer<typeof functionSignatureSchema>;

export const taxonomySchema = z.strictObject({
  categories: z.array(categorySchema).min(1),
  functions: z.array(functionDefSchema).min(1),
});
export type Taxonomy = z.infer<typeof taxonomySchema>;
