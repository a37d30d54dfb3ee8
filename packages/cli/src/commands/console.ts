import type { Command } from 'commander';
import path from 'node:path';
import { createConsole } from '@mamori/console';

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('run the cloud console (API, web UI, gateway listener) for a real deployment')
    .option('--host <host>', 'address to listen on', process.env['MAMORI_HOST'] ?? '127.0.0.1')
    .option('--port <port>', 'API/web port', process.env['MAMORI_PORT'] ?? '8080')
    .option('--gateway-host <host>', 'name or IP gateways use to reach the gateway listener (goes into its certificate)', process.env['MAMORI_GATEWAY_HOST'])
    .option('--gateway-port <port>', 'gateway (mutual TLS) listener port', process.env['MAMORI_GATEWAY_PORT'] ?? '8443')
    .option('--data-dir <dir>', 'data directory (SQLite store, master key file)', process.env['MAMORI_DATA_DIR'] ?? '.mamori')
    .option('--database-url <url>', 'postgres://… (default: SQLite in the data directory)', process.env['MAMORI_DATABASE_URL'])
    .option('--public-url <url>', 'the URL users reach the console at (used in mails)', process.env['MAMORI_PUBLIC_URL'])
    .option('--intel <file>', 'URL category database (mamori intel build) to start with; default $MAMORI_INTEL_DB, else the starter one')
    .option('--create-operator <email>', 'create an operator account (mailed a password-setting link) and exit')
    .action(async (o: { host: string; port: string; gatewayHost?: string; gatewayPort: string; dataDir: string; databaseUrl?: string; publicUrl?: string; intel?: string; createOperator?: string }) => {
      const c = await createConsole({
        host: o.host,
        port: Number(o.port),
        gatewayPort: Number(o.gatewayPort),
        ...(o.gatewayHost ? { gatewayHost: o.gatewayHost } : {}),
        dataDir: path.resolve(o.dataDir),
        databaseUrl: o.databaseUrl,
        publicUrl: o.publicUrl,
        ...(o.intel ? { intelFile: path.resolve(o.intel) } : {}),
        masterKey: process.env['MAMORI_MASTER_KEY'],
        smtpUrl: process.env['MAMORI_SMTP_URL'],
        ...(process.env['MAMORI_MAIL_FROM'] ? { mailFrom: process.env['MAMORI_MAIL_FROM'] } : {}),
        logLevel: process.env['MAMORI_LOG_LEVEL'] ?? 'info',
      });
      if (o.createOperator) {
        const r = await c.services.auth.createAccount({ tenantId: null, role: 'operator', email: o.createOperator, name: o.createOperator, lang: 'ja' });
        process.stdout.write(`operator ${r.account.id} created; password-setting link: ${r.setPasswordUrl}\n`);
        await c.close();
        return;
      }
      process.stdout.write(`Mamori console: ${c.url}  gateways: ${c.gatewayUrl ?? '-'}\n`);
      const stop = async () => {
        await c.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
