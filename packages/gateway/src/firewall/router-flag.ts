/**
 * The `--router` flags of `mamori gateway` (the gateway helper owns the command; it calls these).
 */
export interface OptionHost {
  option(flags: string, description: string, defaultValue?: string): unknown;
}

export interface RouterFlags {
  router?: boolean;
  lan?: string;
  wan?: string;
  dosPoll?: string;
}

export function addRouterOptions(cmd: OptionHost): void {
  cmd.option('--router', 'run as the office router: forwarding, NAT, nftables firewall and DoS protection (root, Linux)');
  cmd.option('--lan <ifaces>', 'LAN interface(s) for --router, comma separated');
  cmd.option('--wan <iface>', 'WAN interface for --router');
  cmd.option('--dos-poll <ms>', 'how often DoS/port-scan triggers and logging firewall rules are read into the logs (--router)', '5000');
}

/** The router-mode interfaces from the flags, or a clear error for a half-given set. */
export function routerInterfaces(flags: RouterFlags): { lan: string[]; wan: string } | null {
  if (!flags.router) {
    if (flags.lan || flags.wan) throw new Error('--lan and --wan need --router');
    return null;
  }
  const lan = (flags.lan ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (lan.length === 0 || !flags.wan) throw new Error('--router needs --lan <ifaces> and --wan <iface>');
  return { lan, wan: flags.wan.trim() };
}

/** the --dos-poll interval in milliseconds, or a clear error */
export function dosPollMs(flags: RouterFlags): number {
  const v = Number(flags.dosPoll ?? 5000);
  if (!Number.isInteger(v) || v < 100 || v > 3_600_000) throw new Error(`--dos-poll must be milliseconds between 100 and 3600000, got "${String(flags.dosPoll)}"`);
  return v;
}
