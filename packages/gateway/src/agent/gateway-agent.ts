/**
 * The gateway daemon in one call: restores the last deployment (or a built-in default policy),
 * starts the web proxy (and optionally transparent listeners and the DNS filter), the spool and,
 * when a console is given, enrollment, the sync channel and log shipping.
 */
import pino, { type Logger } from 'pino';
import { defaultPolicy, type Deployment } from '@mamori/policy';
import { loadIntelDb } from '@mamori/urlcat';
import type { AddressInfo } from 'node:net';
import { GatewayRuntime, type EventSink } from '../runtime.js';
import { compileEngine } from '../chain/compiled-engine.js';
import type { Intel } from '../chain/intel.js';
import { WebProxy, type OriginalDst, type WebProxyOptions } from '../proxies/http/web-proxy.js';
import { DnsFilter, type DnsFilterOptions } from '../dns/dns-filter.js';
import { Spool } from '../spool/spool.js';
import { DataDir, type Identity } from './data-dir.js';
import { DeploymentManager } from './deployments.js';
import { ensureEnrolled, GATEWAY_VERSION } from './enroll.js';
import { SyncClient } from './sync-client.js';
import { EventShipper } from './event-shipper.js';
import { gatewayStatus } from './status.js';
import path from 'node:path';
import type { CloudVerdict } from '@mamori/policy';
import { LayeredIntel } from '../intel/layered-intel.js';
import { fileAsk } from './file-ask.js';
import { IntelStore, cloudAsk, type IntelAnnouncement } from '../intel/intel-updates.js';

export interface GatewayOptions {
  dataDir: string;
  console?: { url: string; token?: string; caPem?: string };
  proxy?: { host: string; port: number };
  transparent?: { host: string; httpPort: number; httpsPort: number; originalDst?: OriginalDst };
  dns?: { host: string; port: number } & DnsFilterOptions;
  /** engines; default: urlcat (the --intel database or the starter one) + appid */
  intel?: Intel;
  intelFile?: string;
  /** false: keep this gateway's own database, ignore the console's distribution (cloud lookups still work) */
  intelUpdates?: boolean;
  /** cloud lookup cache and timeouts (tests) */
  cloud?: { ttlMs?: number; maxEntries?: number; timeoutMs?: number; backoffMs?: number };
  web?: WebProxyOptions;
  mode?: 'explicit-proxy' | 'router';
  modeReason?: string;
  roles?: { lan?: string[]; wan?: string };
  /** e.g. the firewall deploy in router mode; throwing refuses the deployment */
  beforeSwap?: (d: Deployment) => Promise<void>;
  log?: Logger;
  statusIntervalMs?: number;
  shipIntervalMs?: number;
  reconnect?: { minMs: number; maxMs: number };
}

export interface RunningGateway {
  rt: GatewayRuntime;
  proxy: WebProxy;
  proxyAddress: AddressInfo;
  dns: DnsFilter | null;
  dnsPort: number | null;
  deployments: DeploymentManager;
  spool: Spool;
  identity: Identity | null;
  sync: SyncClient | null;
  shipper: EventShipper | null;
  close(): Promise<void>;
}

class SpoolSink implements EventSink {
  constructor(private readonly spool: Spool) {}
  emit(ev: Parameters<EventSink['emit']>[0]): void {
    this.spool.append(ev);
  }
}

export async function startGateway(o: GatewayOptions): Promise<RunningGateway> {
  const log = o.log ?? pino({ name: 'mamori-gateway', level: process.env['MAMORI_LOG_LEVEL'] ?? 'info' });
  const dir = new DataDir(o.dataDir);
  // intel: the database last distributed by the console, else --intel / $MAMORI_INTEL_DB / starter
  const intelStore = new IntelStore(path.join(o.dataDir, 'intel'));
  const kept = o.intel ? null : intelStore.load(log);
  let cloudAskFn: ((host: string) => Promise<CloudVerdict>) | undefined;
  const layered = o.intel
    ? null
    : new LayeredIntel({
        db: kept?.db ?? loadIntelDb(o.intelFile),
        version: kept?.version ?? path.basename(o.intelFile ?? (process.env['MAMORI_INTEL_DB'] || 'starter')),
        sha256: kept?.sha256 ?? null,
        ...(o.console ? { ask: (h: string) => (cloudAskFn ? cloudAskFn(h) : Promise.reject(new Error('console not reachable yet'))), cloud: o.cloud ?? {} } : {}),
      });
  const intel: Intel = o.intel ?? layered!;
  const spool = Spool.open(dir.spoolDir);
  const rt = new GatewayRuntime({ engine: compileEngine(defaultPolicy(10), null, intel), leaves: null }, intel, new SpoolSink(spool), log);
  layered?.onChange(() => rt.decisions.clear());
  const deployments = new DeploymentManager(rt, dir, o.beforeSwap);
  const restored = await deployments.restore();
  if (restored?.ok) log.info({ version: restored.version }, 'enforcing the saved deployment');
  else if (restored) log.error({ error: restored.error }, 'saved deployment could not be applied; enforcing the built-in default policy');

  const proxy = new WebProxy(rt, o.web);
  let dns: DnsFilter | null = null;
  let dnsPort: number | null = null;
  let identity: Identity | null = null;
  let onIntel: ((a: IntelAnnouncement) => void) | undefined;
  let sync: SyncClient | null = null;
  let shipper: EventShipper | null = null;
  let proxyAddress: AddressInfo;
  const startedAt = Date.now();
  // a failure after a listener is up (busy port, enrollment refused) closes what was started
  try {
    proxyAddress = await proxy.listen(o.proxy?.port ?? 3128, o.proxy?.host ?? '127.0.0.1');
    if (o.transparent) {
      await proxy.listenTransparentHttp(o.transparent.httpPort, o.transparent.host, o.transparent.originalDst);
      await proxy.listenTransparentHttps(o.transparent.httpsPort, o.transparent.host, o.transparent.originalDst);
    }
    if (o.dns) {
      dns = new DnsFilter(rt, o.dns);
      dnsPort = (await dns.listen(o.dns.port, o.dns.host)).port;
    }
    if (o.console) {
      const existing = dir.readIdentity();
      if (!existing && !o.console.token) throw new Error('this gateway is not enrolled yet: give --token <enrollment token>');
      const enrolled = await ensureEnrolled(dir, { consoleUrl: o.console.url, token: o.console.token ?? '', ...(o.console.caPem ? { consoleCaPem: o.console.caPem } : {}) });
      identity = enrolled.identity;
      if (enrolled.enrolledNow) log.info({ gatewayId: identity.gatewayId }, 'enrolled with the console');
      // the mutual-TLS endpoint is the sync URL's origin; events go there too
      const mtlsOrigin = new URL(identity.syncUrl.replace(/^ws/, 'http')).origin;
      cloudAskFn = cloudAsk(mtlsOrigin, enrolled.tls, o.cloud?.timeoutMs);
      rt.files.setAsk(fileAsk(mtlsOrigin, enrolled.tls, o.cloud?.timeoutMs));
      const tls = enrolled.tls;
      let fetching: string | null = null;
      onIntel = (a) => {
        if (!layered || o.intelUpdates === false || a.sha256 === layered.sha256 || fetching === a.sha256) return;
        fetching = a.sha256;
        void intelStore
          .fetch(a, mtlsOrigin, tls)
          .then((k) => {
            layered.swapDatabase(k.db, k.version, k.sha256);
            log.info({ version: k.version }, 'intel database updated');
            sync?.sendStatus();
          })
          .catch((e: unknown) => log.error({ version: a.version, err: e instanceof Error ? e.message : String(e) }, 'intel update failed; keeping the current database'))
          .finally(() => {
            fetching = null;
          });
      };
      sync = new SyncClient({
        url: identity.syncUrl,
        tls: enrolled.tls,
        log,
        status: () =>
          gatewayStatus({
            version: GATEWAY_VERSION,
            mode: o.mode ?? 'explicit-proxy',
            ...(o.modeReason ? { modeReason: o.modeReason } : {}),
            startedAt,
            policyVersion: () => deployments.version,
            intelVersion: () => rt.intel.version ?? null,
            spoolPending: () => spool.pending,
            ...(o.roles ? { roles: o.roles } : {}),
          }),
        onDeploy: (raw) => deployments.apply(raw),
        onIntel: (a) => onIntel?.(a),
        ...(o.statusIntervalMs ? { statusIntervalMs: o.statusIntervalMs } : {}),
        ...(o.reconnect ? { minBackoffMs: o.reconnect.minMs, maxBackoffMs: o.reconnect.maxMs } : {}),
      });
      sync.start();
      shipper = new EventShipper(spool, { consoleUrl: mtlsOrigin, gatewayId: identity.gatewayId, tls: enrolled.tls, log, ...(o.shipIntervalMs ? { intervalMs: o.shipIntervalMs } : {}) });
      shipper.start();
    }
  } catch (e) {
    await proxy.close().catch(() => undefined);
    await dns?.close().catch(() => undefined);
    await spool.close().catch(() => undefined);
    throw e;
  }

  return {
    rt,
    proxy,
    proxyAddress,
    dns,
    dnsPort,
    deployments,
    spool,
    identity,
    sync,
    shipper,
    async close() {
      sync?.stop();
      shipper?.stop();
      await proxy.close();
      await dns?.close();
      await spool.close();
    },
  };
}
