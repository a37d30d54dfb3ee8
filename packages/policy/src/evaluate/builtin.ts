/**
 * The port-defined applications: protocols identified by their port alone that carry no URL, so
 * a flow to them is decided at L3/L4. This is what makes the manual's DHCP case (§6-3: clients
 * start from 0.0.0.0 and must be allowed by an application rule) work in nftables and without
 * the appid engine. Callers' Knowledge names the app and its category when it answers.
 */
const L4_APPS: ReadonlyArray<{ app: string; protocols: readonly string[]; ports: readonly number[] }> = [
  { app: 'dhcp', protocols: ['udp'], ports: [67, 68] },
  { app: 'dns', protocols: ['udp', 'tcp'], ports: [53] },
  { app: 'ntp', protocols: ['udp'], ports: [123] },
  { app: 'dhcpv6', protocols: ['udp'], ports: [546, 547] },
];

const APP_CATEGORY: Readonly<Record<string, string>> = {
  dhcp: 'network-protocols',
  dns: 'network-protocols',
  ntp: 'network-protocols',
  dhcpv6: 'network-protocols',
};

export function builtinL4Apps(protocol: string, port: number): string[] {
  const out: string[] = [];
  for (const a of L4_APPS) if (a.protocols.includes(protocol) && a.ports.includes(port)) out.push(a.app);
  return out;
}

export function builtinAppCategory(app: string): string | undefined {
  return APP_CATEGORY[app];
}
