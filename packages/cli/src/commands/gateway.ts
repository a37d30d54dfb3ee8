/**
 * `mamori gateway`: run a gateway. With --console/--token it enrolls once (identity kept in the
 * data dir) and then follows the console; without a console it enforces the saved deployment or
 * the built-in default policy. --router makes it the office router (nftables, transparent
 * proxies, DNS filter on 53) where the platform allows it, else it says why and stays a proxy.
 */
import type { Command } from 'commander';
import fs from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import type { GatewayOptions, ProxyLimits, RunningGateway } from '@mamori/gateway';
import { addRouterOptions } from '@mamori/gateway/firewall';

interface GatewayFlags {
  console?: string;
  token?: string;
  consoleCa?: string;
  dataDir: string;
  intel?: string;
  listen: string;
  dns?: string;
  dnsUpstream?: string;
  router?: boolean;
  lan?: string;
  wan?: string;
  maxHeaderBytes?: string;
  headersTimeout?: string;
  requestTimeout?: string;
  idleTimeout?: string;
  fileScanMaxBytes?: string;
  hostVerifyStrict?: boolean;
  dosPoll?: string;
}

/** proxy limits from the command line (each optional; DEFAULT_LIMITS otherwise) */
export function limitsFrom(flags: Pick<GatewayFlags, 'maxHeaderBytes' | 'headersTimeout' | 'requestTimeout' | 'idleTimeout' | 'fileScanMaxBytes'>): Partial<ProxyLimits> {
  const out: Partial<ProxyLimits> = {};
  const num = (v: string | undefined, flag: string, key: keyof ProxyLimits, min: number) => {
    if (v === undefined) return;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got "${v}"`);
    out[key] = n;
  };
  num(flags.maxHeaderBytes, '--max-header-bytes', 'maxHeaderBytes', 1024);
  num(flags.headersTimeout, '--headers-timeout', 'headersTimeoutMs', 100);
  num(flags.requestTimeout, '--request-timeout', 'requestTimeoutMs', 100);
  num(flags.idleTimeout, '--idle-timeout', 'idleTimeoutMs', 100);
  num(flags.fileScanMaxBytes, '--file-scan-max-bytes', 'fileScanMaxBytes', 0);
  if (out['headersTimeoutMs'] !== undefined && out['requestTimeoutMs'] !== undefined && out['headersTimeoutMs'] > out['requestTimeoutMs']) throw new Error('--headers-timeout must not exceed --request-timeout');
  return out;
}

function hostPort(s: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(s.trim());
  if (!m || Number(m[3]) > 65535) throw new Error(`${what} must be host:port, got "${s}"`);
  return { host: m[1] ?? m[2] ?? '', port: Number(m[3]) };
}

/** the first nameserver of /etc/resolv.conf that is not ourselves */
export function systemResolver(): { host: string; port: number } {
  try {
    for (const line of fs.readFileSync('/etc/resolv.conf', 'utf8').split('\n')) {
      const m = /^\s*nameserver\s+(\S+)/.exec(line);
      if (m?.[1]) return { host: m[1], port: 53 };
    }
  } catch {
    // fall through
  }
  return { host: '1.1.1.1', port: 53 };
}

// the data plane is loaded only when a gateway runs, so that other commands start fast
export async function loadIntel(file: string | undefined): Promise<GatewayOptions['intel']> {
  const { staticIntel, engineIntel } = await import('@mamori/gateway');
  const { loadIntelDb } = await import('@mamori/urlcat');
  if (file && /\.json$/i.test(file)) {
    const overrides = staticIntel(JSON.parse(fs.readFileSync(file, 'utf8')) as Parameters<typeof staticIntel>[0]);
    return engineIntel(loadIntelDb(), overrides, path.basename(file));
  }
  return engineIntel(loadIntelDb(file), undefined, file ? path.basename(file) : 'starter');
}

export async function runGateway(flags: GatewayFlags): Promise<RunningGateway> {
  const { startGateway } = await import('@mamori/gateway');
  const { detectRouterCapability, DosEventReader, dosPollMs, geoRanges, localRunner, resolverLookup, routerInterfaces, routerMode, RuleLogReader, startDosEventPump } = await import('@mamori/gateway/firewall');
  const { defaultPolicy } = await import('@mamori/policy');
  const listen = hostPort(flags.listen, '--listen');
  const opts: GatewayOptions = {
    dataDir: path.resolve(flags.dataDir),
    proxy: listen,
    // a category database goes through the agent's layered intel (tenant layer, cloud lookups, updates from the console)
    ...(flags.intel && /\.json$/i.test(flags.intel) ? { intel: await loadIntel(flags.intel) } : flags.intel ? { intelFile: path.resolve(flags.intel) } : {}),
    web: { limits: limitsFrom(flags), ...(flags.hostVerifyStrict ? { upstream: { hostVerifyStrict: true } } : {}) },
    ...(flags.console ? { console: { url: flags.console, ...(flags.token ? { token: flags.token } : {}), ...(flags.consoleCa ? { caPem: fs.readFileSync(flags.consoleCa, 'utf8') } : {}) } } : {}),
  };
  const upstreams = [flags.dnsUpstream ? hostPort(flags.dnsUpstream, '--dns-upstream') : systemResolver()];
  if (flags.dns) opts.dns = { ...hostPort(flags.dns, '--dns'), upstreams };
  const ifaces = routerInterfaces(flags);
  const dosPoll = dosPollMs(flags);
  let afterStart: ((gw: RunningGateway) => Promise<void>) | undefined;
  if (ifaces) {
    const cap = await detectRouterCapability();
    if (!cap.ok) {
      opts.mode = 'explicit-proxy';
      opts.modeReason = cap.message;
      process.stderr.write(`${cap.message}\n`);
    } else {
      const ports = { http: 3129, https: 3130, dns: 53 };
      // IPv6 flows get their own listeners: the IPv4 ones never see v4-mapped client addresses
      const ports6 = { http: 3131, https: 3132 };
      // destination countries: sets from the shipped GeoIP table, compiled when a rule first needs it
      const { compileShippedGeoIp } = await import('@mamori/geoip');
      const geo = geoRanges(() => compileShippedGeoIp());
      const r = await routerMode({ ...ifaces, policy: defaultPolicy(10), capability: cap, proxyPorts: ports, proxyPorts6: ports6, gatewayServicePorts: [listen.port, 53], geo });
      process.stderr.write(`${r.message}\n`);
      if (r.mode === 'router' && r.ok) {
        const fw = r.firewall;
        opts.mode = 'router';
        opts.roles = { lan: ifaces.lan, wan: ifaces.wan };
        // SO_ORIGINAL_DST (@mamori/sockopt) is tried first by the listeners; this is the fallback
        const originalDst = (s: Socket) => (s.remoteAddress && s.remotePort ? fw.originalDestination(s.remoteAddress.replace(/^::ffff:/, ''), s.remotePort) : undefined);
        opts.transparent = { host: '0.0.0.0', httpPort: ports.http, httpsPort: ports.https, originalDst };
        afterStart = async (gw) => {
          await gw.proxy.listenTransparentHttp(ports6.http, '::', originalDst);
          await gw.proxy.listenTransparentHttps(ports6.https, '::', originalDst);
          // DoS / port-scan triggers (with their source) → internet-security events in the spool
          const reader = new DosEventReader(localRunner(), gw.identity?.gatewayId ?? 'gateway');
          startDosEventPump(reader, () => fw.current, (e) => gw.rt.events.emit(e), { intervalMs: dosPoll, onError: (e) => gw.rt.log.warn({ err: e }, 'could not read DoS triggers') });
          // rules with "log" on: what the kernel decided → policy-enforcement events
          const ruleLog = new RuleLogReader(localRunner(), gw.identity?.gatewayId ?? 'gateway', Date.now, () => gw.deployments.version);
          startDosEventPump(ruleLog, () => fw.current, (e) => gw.rt.events.emit(e), { intervalMs: dosPoll, onError: (e) => gw.rt.log.warn({ err: e }, 'could not read the rule log') });
        };
        // upstream names resolve through the DNS filter's resolver (resolv.conf may point at us)
        opts.web = { ...opts.web, upstream: { ...opts.web?.upstream, lookup: resolverLookup(upstreams) } };
        opts.dns = { host: '::', port: 53, upstreams, onAnswer: (n, ips, ttl) => fw.addFqdnAnswer(n, ips, ttl).then(() => undefined) };
        opts.beforeSwap = async (d) => {
          const res = await fw.deploy(d.policy);
          if (!res.ok) throw new Error(`firewall: ${res.error ?? 'deploy failed'}`);
        };
      } else {
        opts.mode = 'explicit-proxy';
        opts.modeReason = r.message;
      }
    }
  }
  const gw = await startGateway(opts);
  await afterStart?.(gw);
  if (ifaces) process.stdout.write(`mode: ${opts.mode === 'router' ? `router (LAN ${ifaces.lan.join(', ')}, WAN ${ifaces.wan})` : `explicit-proxy (${opts.modeReason ?? 'router mode off'})`}\n`);
  return gw;
}

export function registerGateway(program: Command): void {
  const cmd = program
    .command('gateway')
    .description('run a gateway: explicit web proxy (HTTP/HTTPS with decryption), DNS filter, logs; follows the console when enrolled')
    .option('--console <url>', 'console URL to enroll with and follow (https://console.example:8443)')
    .option('--token <token>', 'one-time enrollment token (first start only)')
    .option('--console-ca <file>', 'CA certificate of a self-hosted console, for enrollment')
    .option('--data-dir <dir>', 'identity, last deployment and log spool', '.mamori-gateway')
    .option('--intel <file>', 'URL category database (mamori intel build), or a .json file of local overrides')
    .option('--listen <host:port>', 'explicit proxy address', '127.0.0.1:3128')
    .option('--dns <host:port>', 'run the DNS filter on this address (router mode: [::]:53, dual-stack)')
    .option('--dns-upstream <ip:port>', 'resolver the DNS filter forwards to (default: /etc/resolv.conf)')
    .option('--max-header-bytes <n>', 'largest request line + headers accepted (431 above; default 16384)')
    .option('--headers-timeout <ms>', 'time a client has to send complete headers (408 after; default 15000)')
    .option('--request-timeout <ms>', 'time a client has to send a complete request (408 after; default 120000)')
    .option('--idle-timeout <ms>', 'idle tunnels and decrypted connections are closed after this (default 300000)')
    .option('--file-scan-max-bytes <n>', 'downloads up to this size are hashed (SHA-256) and checked against file reputation before they pass; 0 turns it off (default 8388608)')
    .option('--host-verify-strict', 'transparent mode: refuse (409) requests whose Host/SNI does not resolve to the original destination (default: log them and still go to the original destination)');
  addRouterOptions(cmd);
  cmd.action(async (flags: GatewayFlags) => {
    process.on('uncaughtException', (e) => process.stderr.write(`mamori gateway: unexpected error (continuing): ${e.stack ?? e.message}\n`));
    const gw = await runGateway(flags);
    process.stdout.write(`Mamori gateway: explicit proxy on ${gw.proxyAddress.address}:${gw.proxyAddress.port}${gw.dnsPort ? `, DNS filter on port ${gw.dnsPort}` : ''}${gw.identity ? `, enrolled as ${gw.identity.gatewayId}` : ', no console'}\n`);
    const stop = async () => {
      await gw.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
