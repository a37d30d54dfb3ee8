/** What the gateway reports about itself: mode, versions, spool, and each interface's state. */
import fs from 'node:fs';
import os from 'node:os';
import type { GatewayStatus, InterfaceStatus } from '@mamori/policy';

function readSys(iface: string, file: string): string | undefined {
  try {
    return fs.readFileSync(`/sys/class/net/${iface}/${file}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function interfaceStatus(roles: { lan?: string[]; wan?: string } = {}): InterfaceStatus[] {
  const out: InterfaceStatus[] = [];
  const nics = os.networkInterfaces();
  let names = Object.keys(nics);
  try {
    names = [...new Set([...names, ...fs.readdirSync('/sys/class/net')])];
  } catch {
    // not Linux
  }
  for (const name of names.sort()) {
    const addrs = nics[name] ?? [];
    const oper = readSys(name, 'operstate');
    const rx = readSys(name, 'statistics/rx_bytes');
    const tx = readSys(name, 'statistics/tx_bytes');
    const mac = readSys(name, 'address') ?? addrs.find((a) => a.mac && a.mac !== '00:00:00:00:00:00')?.mac;
    out.push({
      name,
      role: roles.wan === name ? 'wan' : roles.lan?.includes(name) ? 'lan' : 'other',
      addresses: addrs.map((a) => `${a.address}/${a.cidr?.split('/')[1] ?? (a.family === 'IPv4' ? 32 : 128)}`),
      ...(mac ? { mac } : {}),
      // loopback reports "unknown"; an interface with addresses and no sysfs is taken as up
      up: oper === undefined ? addrs.length > 0 : oper === 'up' || oper === 'unknown',
      ...(rx !== undefined && /^\d+$/.test(rx) ? { rxBytes: Number(rx) } : {}),
      ...(tx !== undefined && /^\d+$/.test(tx) ? { txBytes: Number(tx) } : {}),
    });
  }
  return out;
}

export interface StatusSource {
  version: string;
  mode: GatewayStatus['mode'];
  modeReason?: string;
  startedAt: number;
  policyVersion(): number | null;
  intelVersion(): string | null;
  spoolPending(): number;
  roles?: { lan?: string[]; wan?: string };
}

export function gatewayStatus(s: StatusSource): GatewayStatus {
  return {
    version: s.version,
    mode: s.mode,
    ...(s.modeReason ? { modeReason: s.modeReason } : {}),
    uptimeSec: Math.round((Date.now() - s.startedAt) / 1000),
    policyVersion: s.policyVersion(),
    intelVersion: s.intelVersion(),
    interfaces: interfaceStatus(s.roles),
    spoolPending: s.spoolPending(),
  };
}
