/**
 * Router mode: the gateway as the office's edge router (forwarding, NAT, the firewall ruleset).
 * Where it cannot be (not root / no CAP_NET_ADMIN, no nftables), the gateway runs in
 * explicit-proxy mode and says so.
 */
import fs from 'node:fs';
import type { Policy } from '@mamori/policy';
import type { CompileOptions } from './compile/types.js';
import { Firewall, type DeployResult } from './firewall.js';
import { localRunner, type CommandRunner } from './nft-runner.js';

export type RouterCapability =
  | { ok: true; nftVersion: string }
  | { ok: false; mode: 'explicit-proxy'; reason: 'not-linux' | 'not-root' | 'no-nft' | 'nft-failed'; message: string };

const CAP_NET_ADMIN = 12n;

function hasNetAdmin(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? ((BigInt('0x' + m[1]) >> CAP_NET_ADMIN) & 1n) === 1n : false;
  } catch {
    return false;
  }
}

const explicit = (reason: Exclude<RouterCapability, { ok: true }>['reason'], why: string): RouterCapability => ({
  ok: false,
  mode: 'explicit-proxy',
  reason,
  message: `router mode unavailable (${why}): running in explicit-proxy mode — clients must use the gateway as their proxy; no firewall, NAT or DoS protection`,
});

/** Can this process run router mode here? Called by the gateway at start and for its status. */
export async function detectRouterCapability(runner: CommandRunner = localRunner(), platform = process.platform, netAdmin = hasNetAdmin()): Promise<RouterCapability> {
  if (platform !== 'linux') return explicit('not-linux', `${platform} is not Linux`);
  if (!netAdmin) return explicit('not-root', 'not root and no CAP_NET_ADMIN');
  const v = await runner.run('nft', ['--version']);
  if (v.code !== 0) return explicit('no-nft', v.code === 127 ? 'the nft command is not installed (Debian package nftables)' : `nft --version failed: ${v.stderr.trim()}`);
  const l = await runner.run('nft', ['list', 'tables']);
  if (l.code !== 0) return explicit('nft-failed', `nftables does not work here: ${l.stderr.trim().split('\n')[0] ?? ''}`);
  return { ok: true, nftVersion: v.stdout.trim() };
}

export interface RouterModeOptions extends Omit<CompileOptions, 'lan' | 'wan'> {
  lan: string | string[];
  wan: string;
  policy: Policy;
  /** where nft, ip and sysctl run; by default this process's namespace */
  runner?: CommandRunner;
  /** already detected (the gateway detects once at start) */
  capability?: RouterCapability;
}

export type RouterModeResult =
  | { mode: 'router'; ok: true; message: string; firewall: Firewall; deploy: DeployResult }
  | { mode: 'router'; ok: false; message: string; deploy?: DeployResult }
  | { mode: 'explicit-proxy'; ok: false; message: string };

async function ifaceExists(runner: CommandRunner, name: string): Promise<boolean> {
  const r = await runner.run('ip', ['link', 'show', 'dev', name]);
  return r.code === 0;
}

/**
 * Start router mode: check the interfaces, enable IPv4/IPv6 forwarding in this (the gateway's)
 * namespace, deploy the policy's ruleset, report.
 */
export async function routerMode(opts: RouterModeOptions): Promise<RouterModeResult> {
  const runner = opts.runner ?? localRunner();
  const cap = opts.capability ?? (await detectRouterCapability(runner));
  if (!cap.ok) return { mode: 'explicit-proxy', ok: false, message: cap.message };
  const lans = Array.isArray(opts.lan) ? opts.lan : [opts.lan];
  for (const i of [...lans, opts.wan]) {
    if (!(await ifaceExists(runner, i))) return { mode: 'router', ok: false, message: `router mode: interface "${i}" does not exist` };
  }
  const fwd = await runner.run('sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward && echo 1 > /proc/sys/net/ipv6/conf/all/forwarding']);
  if (fwd.code !== 0) return { mode: 'router', ok: false, message: `router mode: could not enable forwarding: ${fwd.stderr.trim()}` };
  const { policy, runner: _r, capability: _c, ...compile } = opts;
  const firewall = new Firewall(runner, { ...compile, lan: lans, wan: opts.wan });
  const deploy = await firewall.deploy(policy);
  if (!deploy.ok) return { mode: 'router', ok: false, message: `router mode: ${deploy.error ?? 'deploy failed'}`, deploy };
  const parts = [
    `router mode on (${cap.nftVersion}): LAN ${lans.join(', ')}, WAN ${opts.wan} with NAT`,
    deploy.firewallOn ? 'firewall on (default drop)' : 'firewall off (default allow)',
    deploy.dosEnabled ? 'DoS protection on' : 'DoS protection off',
  ];
  return { mode: 'router', ok: true, message: parts.join('; '), firewall, deploy };
}
