/** Console settings: flags of `mamori console` / `mamori demo`, else the environment. */
import type { Clock } from './analytics/clock.js';

export interface ConsoleOptions {
  host: string;
  /** 0: an ephemeral port (tests) */
  port: number;
  dataDir: string;
  /** postgres://… ; default: SQLite at <dataDir>/console.db */
  databaseUrl?: string | undefined;
  /** base URL used in mails (login and password links); default: the listening URL */
  publicUrl?: string | undefined;
  /** the mutual-TLS listener for gateways; port 0 = ephemeral, null = do not start it */
  gatewayPort?: number | null;
  /** host name or IP the gateways use to reach the gateway listener (in the server certificate) */
  gatewayHost?: string;
  masterKey?: string | undefined;
  /** smtp(s)://user:pass@host:port ; without it mail is kept in the outbox */
  smtpUrl?: string | undefined;
  mailFrom?: string;
  logLevel?: string;
  /** the intel database to start with (`--intel`; default $MAMORI_INTEL_DB, else the starter one) */
  intelFile?: string | undefined;
  /** seconds between pings on the sync channel */
  pingIntervalSec?: number;
  /** time source of alerts, scheduled reports and retention (tests drive a ManualClock) */
  analyticsClock?: Clock;
}

export function optionsFromEnv(base: Partial<ConsoleOptions>): Partial<ConsoleOptions> {
  const env = process.env;
  return {
    databaseUrl: env['MAMORI_DATABASE_URL'],
    publicUrl: env['MAMORI_PUBLIC_URL'],
    masterKey: env['MAMORI_MASTER_KEY'],
    smtpUrl: env['MAMORI_SMTP_URL'],
    ...(env['MAMORI_MAIL_FROM'] ? { mailFrom: env['MAMORI_MAIL_FROM'] } : {}),
    ...(env['MAMORI_LOG_LEVEL'] ? { logLevel: env['MAMORI_LOG_LEVEL'] } : {}),
    ...base,
  };
}
