/**
 * Every area's routes, one line each. Add an area: write routes/<area>.ts exporting
 * `(r: RouteRegistry) => void` and add it here.
 */
import { RouteRegistry } from '../http/registry.js';
import { systemRoutes } from './system.js';
import { authRoutes } from './auth.js';
import { tenantRoutes } from './tenants.js';
import { mailRoutes } from './mail.js';
import { gatewayRoutes } from './gateways.js';
import { policyRoutes } from './policy.js';
import { analyticsRoutes } from '../analytics/console-routes.js';
import { alertRoutes, auditRoutes, backupRoutes, certificateRoutes } from './maintenance.js';
import { intelRoutes } from './intel.js';

export const AREAS: Array<(r: RouteRegistry) => void> = [
  systemRoutes,
  authRoutes,
  tenantRoutes,
  mailRoutes,
  gatewayRoutes,
  policyRoutes,
  backupRoutes,
  certificateRoutes,
  alertRoutes,
  auditRoutes,
  analyticsRoutes,
  intelRoutes,
];

export function buildRegistry(): RouteRegistry {
  const r = new RouteRegistry();
  for (const area of AREAS) area(r);
  return r;
}
