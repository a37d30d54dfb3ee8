import Fastify from 'fastify';
import fs from 'node:fs';

export interface ConsoleOptions {
  host: string;
  port: number;
  dataDir: string;
}

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

export async function startConsole(opts: ConsoleOptions): Promise<RunningConsole> {
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const app = Fastify({ logger: false });
  app.get('/api/health', async () => ({ status: 'ok' }));
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send('<!doctype html><meta charset="utf-8"><title>Mamori</title><h1>Mamori 守り</h1>'));
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return { url: `http://${opts.host}:${port}`, close: () => app.close() };
}
