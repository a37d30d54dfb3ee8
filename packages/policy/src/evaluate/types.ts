/**
 * The evaluator's inputs and outputs (CONTRACTS.md "Evaluator API"). The flow facts are also a
 * zod schema so that the CLI simulator and the console's "what would happen?" form validate them.
 */
import { z } from 'zod';
import { parseIP } from '../address.js';
import { checked } from '../issue.js';
import { CountryCode, normalizeMac } from '../objects.js';
import type { SecurityProfile } from '../profile.js';

const IpString = z.string().trim().superRefine(checked((s) => parseIP(s) !== null, 'policy.address.invalid'));
const AbsoluteUrl = z.string().superRefine(checked((s) => URL.canParse(s) && /^[a-z][a-z0-9+.-]*:\/\//i.test(s), 'policy.url.invalid'));

export const FlowProtocol = z.enum(['tcp', 'udp', 'icmp', 'icmpv6']);
export type FlowProtocol = z.infer<typeof FlowProtocol>;

export const FlowFacts = z.strictObject({
  srcIp: IpString,
  srcMac: z.string().max(32).superRefine(checked((s) => normalizeMac(s) !== null, 'policy.mac.invalid')).optional(),
  /** user id (as in policy.objects.users) */
  user: z.string().max(128).optional(),
  dstIp: IpString.optional(),
  dstHost: z.string().trim().min(1).max(253).optional(),
  dstPort: z.number().int().min(0).max(65535),
  protocol: FlowProtocol,
  /** absolute URL when known (L7) */
  url: AbsoluteUrl.optional(),
  /** appid result when known (L7) */
  app: z.string().min(1).max(64).optional(),
  /** "app:function" (or only the function when `app` is given) */
  appFunction: z.string().min(1).max(130).optional(),
  /** when the caller already categorized the URL/host */
  urlCategories: z.array(z.string().min(1).max(64)).max(64).optional(),
  /** ISO 3166-1 alpha-2 of dstIp when the caller already looked it up */
  dstCountry: CountryCode.optional(),
  gatewayGroup: z.string().max(64).optional(),
  /**
   * Which facts the caller has. 'l4': connection start; url, app and appFunction may still come
   * (dstHost, when given, is taken to stay the same). 'l7': L7 inspection is done (or will not
   * happen for this flow); what is absent stays absent and the decision is final. Default: 'l7'
   * when url, app or appFunction is given, else 'l4'.
   */
  stage: z.enum(['l4', 'l7']).optional(),
});
export type FlowFacts = z.input<typeof FlowFacts>;

/** Injected by callers; the engines implement it. Every member is optional. */
export interface Knowledge {
  urlCategories?(hostOrUrl: string): string[];
  country?(ip: string): string | undefined;
  appCategory?(appId: string): string | undefined;
  /**
   * Apps identified by L3/L4 alone (DHCP = udp 67/68, DNS = 53, NTP = 123, ...). The evaluator
   * uses them as the flow's application once the flow is final and no `app` was given. Only the
   * built-in URL-less protocols (builtin.ts: DHCP, DNS, NTP) make a flow final at L3/L4; a port
   * guess such as tcp/443 → https does not, since L7 inspection may identify another app.
   */
  l4Apps?(protocol: string, port: number): string[];
}

export type Need = 'application' | 'url';

export interface Reason {
  kind: 'allowList' | 'blockList' | 'rule' | 'default';
  /** rule id */
  id?: string;
  /** rule name */
  name?: string;
  /** the list entry as written */
  entry?: string;
}

export type Decision =
  | { decision: 'allow' | 'block'; reason: Reason; log: boolean; profile: SecurityProfile | null }
  | { decision: 'undecided'; needs: Need[] };

export interface CompileOptions {
  /** the gateway groups of the gateway this policy is compiled for */
  gatewayGroups?: string[];
}
