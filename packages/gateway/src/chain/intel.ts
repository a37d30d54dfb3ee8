/**
 * The engines as the chain sees them (urlcat categories and reputation, appid, C&C intel). The
 * agent wires @mamori/urlcat and @mamori/appid into this shape; every member is optional so the
 * gateway runs (with less knowledge) while an engine is missing.
 */
import type { Deployment } from '@mamori/policy';

export interface Reputation {
  score: number;
  level: 'safe' | 'low' | 'medium' | 'high' | 'dangerous';
  reasons: string[];
}

export interface AppFacts {
  sni?: string;
  host?: string;
  method?: string;
  path?: string;
  port: number;
  protocol: 'tcp' | 'udp';
  alpn?: string;
}

export interface AppResult {
  app: string;
  function?: string;
  category?: string;
}

export interface Intel {
  /** URL categories of a host or absolute URL */
  categorize?(hostOrUrl: string): string[];
  reputation?(hostOrUrl: string): Reputation;
  isDangerous?(score: number, sensitivity: 'low' | 'medium' | 'high'): boolean;
  identifyApp?(facts: AppFacts): AppResult | undefined;
  appCategory?(app: string): string | undefined;
  /** known C&C host or IP (beyond the `cnc` URL category): the matching indicator */
  cnc?(hostOrIp: string): string | undefined;
  readonly version?: string | null;
  /** the deployment's tenant layer (custom categories, reclassifications) */
  applyDeployment?(d: Pick<Deployment, 'policy' | 'intel'>): void;
  /** the local list of known-malicious files: a name (or '') when the SHA-256 (lowercase hex) is on it */
  maliciousFile?(sha256: string): string | undefined;
  /** pending console lookup for a host the gateway does not know, for callers that can wait */
  prefetch?(hostOrUrl: string): Promise<void> | undefined;
}
