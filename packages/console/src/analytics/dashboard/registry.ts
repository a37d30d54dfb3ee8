/** The dashboard widgets: one file each in widgets/, one line here. */
import type { Widget } from './widget.js';
import { topAppsBandwidth } from './widgets/top-apps-bandwidth.js';
import { topBlockedCategories } from './widgets/top-blocked-categories.js';
import { topBlockedSites } from './widgets/top-blocked-sites.js';
import { threatsOverTime } from './widgets/threats-over-time.js';
import { topUsers } from './widgets/top-users.js';
import { cncHosts } from './widgets/cnc-hosts.js';
import { gatewayStatus } from './widgets/gateway-status.js';
import { deployments } from './widgets/deployments.js';
import { threatSummary } from './widgets/threat-summary.js';

export const WIDGETS: readonly Widget[] = [topAppsBandwidth, topBlockedCategories, topBlockedSites, threatsOverTime, topUsers, cncHosts, gatewayStatus, deployments, threatSummary];

export function widgetById(id: string): Widget | undefined {
  return WIDGETS.find((w) => w.id === id);
}
