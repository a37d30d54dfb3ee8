/**
 * Everything a route handler (or a job) may use, built once per console process.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConsoleOptions } from '../config.js';
import type { Mailer } from '../mail/mailer.js';
import type { Store } from '../store/store.js';
import type { KeyPairPem } from '../crypto/pki.js';
import type { SyncHub } from '../gateway/hub.js';
import type { AuthService } from './auth.js';
import type { BackupService } from './backups.js';
import type { CertService } from './certs.js';
import type { ConsoleEventBus } from './events.js';
import type { GatewayService } from './gateways.js';
import type { Jobs } from './jobs.js';
import type { PolicyService } from './policy.js';
import type { TenantService } from './tenants.js';

export interface Services {
  options: ConsoleOptions;
  /** the console's base URL (known once listening) */
  publicUrl(): string;
  /** wss://host:port of the gateway listener, when it runs */
  gatewayUrl(): string | null;
  store: Store;
  log: Logger;
  metrics: Registry;
  mailer: Mailer;
  auth: AuthService;
  tenants: TenantService;
  policy: PolicyService;
  certs: CertService;
  backups: BackupService;
  gateways: GatewayService;
  hub: SyncHub;
  gatewayCa: KeyPairPem;
  events: ConsoleEventBus;
  jobs: Jobs;
  /** functions to run when the console closes (stop your own jobs, flush buffers) */
  onClose: Array<() => Promise<void> | void>;
}
