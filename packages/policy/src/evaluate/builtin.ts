/**
 * A small built-in knowledge of port-defined applications, so that the manual's DHCP case
 * (§6-3: clients start from 0.0.0.0 and must be allowed by an application rule) works without
 * the appid engine. Callers' Knowledge takes precedence when it answers.
 */
const L4_APPS: ReadonlyArray<{ app: string; protocols: readonly string[]; ports: readonly number[] }> = [
  { app: 'dhcp', protocols: ['udp'], ports: [67, 68] },
  { app: 'dns', protocols: ['udp', 'tcp'], ports: [53] },
  { app: 'ntp', protocols: ['udp'], ports: [123] },
];

const APP_CATEGORY: Readonly<Record<string, string>> = {
  dhcp: 'network-protocols',
  dns: 'network-protocols',
  ntp: 'network-protocols',
};

export function builtinL4Apps(protocol: string, port: number): string[] {
  const out: string[] = [];
  for (const a of L4_APPS) if (a.protocols.includes(protocol) && a.ports.includes(port)) out.push(a.app);
  return out;
}

export function builtinAppCategory(app: string): string | undefined {
  return APP_CATEGORY[app];
}
