import type { Command } from 'commander';
import path from 'node:path';
import { startConsole } from '@mamori/console';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the console and a local gateway with a demo tenant on the embedded stores')
    .option('--port <port>', 'console port (default: $MAMORI_PORT or 8080)')
    .option('--data-dir <dir>', 'where the embedded stores live', '.mamori')
    .action(async (opts: { port?: string; dataDir: string }) => {
      const port = Number(opts.port ?? process.env['MAMORI_PORT'] ?? 8080);
      const app = await startConsole({ host: '127.0.0.1', port, dataDir: path.resolve(opts.dataDir) });
      process.stdout.write(`Mamori console: ${app.url}\n`);
      const stop = async () => {
        await app.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
