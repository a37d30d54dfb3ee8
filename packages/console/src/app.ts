/**
 * Builds a console: store, services, the API listener (HTTP) and the gateway listener
 * (HTTPS with client certificates, carrying the sync WebSocket and the events endpoint).
 */
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import { pino, type Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConsoleOptions } from './config.js';
import { openDatabase } from './store/db.js';
import { Store } from './store/store.js';
import { deriveKey, loadMasterKey } from './crypto/master-key.js';
import { Mailer } from './mail/mailer.js';
import { AuthService } from './services/auth.js';
import { CertService } from './services/certs.js';
import { PolicyService } from './services/policy.js';
import { TenantService } from './services/tenants.js';
import { BackupService } from './services/backups.js';
import { GatewayService } from './services/gateways.js';
import { ConsoleEventBus } from './services/events.js';
import { Jobs } from './services/jobs.js';
import type { Services } from './services/services.js';
import { SyncHub } from './gateway/hub.js';
import { gatewayServerCertificate, loadGatewayCa } from './gateway/gateway-ca.js';
import { buildRegistry } from './routes/index.js';
import type { RouteRegistry } from './http/registry.js';
import { gatewayAuth, installErrorHandling, mountRoutes } from './http/mount.js';
import { registerWebUi } from '@mamori/web';
import { ApiError } from './errors.js';
import { mountAnalyticsApi } from './analytics/mount-api.js';
import { consoleIntel } from './intel/console-intel.js';
import { startAnalytics } from './analytics/console-routes.js';

export const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.confirm',
  '*.token',
  '*.privateKeyPem',
  '*.totp',
];

export interface Console {
  services: Services;
  registry: RouteRegistry;
  api: FastifyInstance;
  gateway: FastifyInstance | null;
  /** http://host:port of the API listener */
  url: string;
  /** https://host:port of the gateway listener */
  gatewayUrl: string | null;
  close(): Promise<void>;
}

function listenUrl(app: FastifyInstance, scheme: string, host: string): string {
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function createConsole(opts: ConsoleOptions): Promise<Console> {
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const log: Logger = pino({ level: opts.logLevel ?? 'info', redact: { paths: REDACT, censor: '[redacted]' } });
  const { db, dialect } = await openDatabase({ databaseUrl: opts.databaseUrl, sqlitePath: path.join(opts.dataDir, 'console.db') });
  const store = new Store(db, dialect);
  const master = loadMasterKey({ env: opts.masterKey, dataDir: opts.dataDir });
  const atRest = deriveKey(master, 'at-rest');

  let apiUrl = '';
  let gwUrl: string | null = null;
  const publicUrl = () => (opts.publicUrl ?? apiUrl).replace(/\/$/, '');
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'mamori_console_' });
  const events = new ConsoleEventBus();
  const jobs = new Jobs(log);
  const mailer = new Mailer(store, log, opts.smtpUrl, opts.mailFrom ?? 'Mamori <no-reply@mamori.invalid>');
  const auth = new AuthService({ store, mailer, publicUrl });
  const certs = new CertService(store, atRest);
  let hubRef: SyncHub | null = null;
  const policy = new PolicyService(store, () => hubRef as SyncHub, async (t) => {
    const { certificatePem, privateKeyPem } = await certs.keyPair(t);
    return { certificatePem, privateKeyPem };
  });
  const hub = new SyncHub(store, policy, events, log);
  hubRef = hub;
  (await consoleIntel(store, opts.dataDir, opts.intelFile)).onActivate((m) => hub.broadcast(m));
  const gatewayCa = await loadGatewayCa(store, atRest);
  const services: Services = {
    options: opts,
    publicUrl,
    gatewayUrl: () => gwUrl,
    store,
    log,
    metrics,
    mailer,
    auth,
    certs,
    policy,
    tenants: new TenantService(store, auth, certs, policy),
    backups: new BackupService(store, master, policy, certs),
    gateways: new GatewayService(store, () => gatewayCa, () => `${(gwUrl ?? '').replace(/^https/, 'wss')}/api/gateway/sync`, policy),
    hub,
    gatewayCa,
    events,
    jobs,
    onClose: [],
  };

  const registry = buildRegistry();
  const requests = new Counter({ name: 'mamori_console_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [metrics] });
  const duration = new Histogram({ name: 'mamori_console_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route'], registers: [metrics] });
  new Gauge({
    name: 'mamori_console_gateways_connected',
    help: 'gateways connected to this node',
    registers: [metrics],
    collect() {
      this.set(hub.connectedCount);
    },
  });

  const instrument = (app: FastifyInstance) => {
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      requests.inc({ method: req.method, route, status: String(reply.statusCode) });
      duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    });
  };

  // --- API listener ------------------------------------------------------------------------
  const api = Fastify({ loggerInstance: log.child({ listener: 'api' }) as FastifyBaseLogger, bodyLimit: 4 * 1024 * 1024, trustProxy: false });
  await api.register(cookie);
  installErrorHandling(api, services);
  instrument(api);
  mountRoutes(api, registry.routes, services, 'api');
  await mountAnalyticsApi(api, services);
  registerWebUi(api);

  // --- gateway listener (mutual TLS) -----------------------------------------------------------
  let gateway: FastifyInstance | null = null;
  if (opts.gatewayPort !== null) {
    const gwHost = opts.gatewayHost ?? opts.host;
    const server = await gatewayServerCertificate(gatewayCa, [gwHost]);
    const gw = Fastify({
      loggerInstance: log.child({ listener: 'gateway' }) as FastifyBaseLogger,
      bodyLimit: 16 * 1024 * 1024,
      https: { key: server.privateKeyPem, cert: server.certificatePem, ca: gatewayCa.certificatePem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
    });
    gateway = gw as unknown as FastifyInstance;
    await gateway.register(cookie);
    await gateway.register(websocket, { options: { maxPayload: 64 * 1024 * 1024 } });
    installErrorHandling(gateway, services);
    instrument(gateway);
    mountRoutes(gateway, registry.routes, services, 'gateway');
    gateway.get(
      '/api/gateway/sync',
      {
        websocket: true,
        preValidation: async (req, reply) => {
          try {
            const a = await gatewayAuth(req, services);
            (req as unknown as { mamoriAuth: typeof a }).mamoriAuth = a;
          } catch (e) {
            const err = e instanceof ApiError ? e : new ApiError('gateway.certificate_required');
            return reply.code(err.status).send(err.body());
          }
        },
      },
      async (socket: WebSocket, req: FastifyRequest) => {
        const a = (req as unknown as { mamoriAuth: { gatewayId: string; tenantId: string } }).mamoriAuth;
        await hub.attach(socket, a.gatewayId, a.tenantId);
      },
    );
  }

  await store.markAllGatewaysDisconnected();
  await api.listen({ host: opts.host, port: opts.port });
  apiUrl = listenUrl(api, 'http', opts.host);
  if (gateway) {
    await gateway.listen({ host: opts.host, port: opts.gatewayPort ?? 0 });
    gwUrl = listenUrl(gateway, 'https', opts.gatewayHost ?? opts.host);
  }
  jobs.every('sync.ping', (opts.pingIntervalSec ?? 30) * 1000, async () => hub.pingAll());
  jobs.every('gateways.offline', 60_000, () => hub.sweep());
  await startAnalytics(services);

  let closed = false;
  return {
    services,
    registry,
    api,
    gateway,
    url: apiUrl,
    gatewayUrl: gwUrl,
    async close() {
      if (closed) return;
      closed = true;
      jobs.stop();
      for (const f of services.onClose) await f();
      hub.closeAll();
      if (gateway) await gateway.close();
      await api.close();
      mailer.close();
      await store.close();
    },
  };
}
