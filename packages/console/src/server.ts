import path from 'node:path';
import type { ConsoleOptions } from './config.js';
import { createConsole, type Console } from './app.js';

export type { ConsoleOptions } from './config.js';

export interface RunningConsole {
  url: string;
  gatewayUrl: string | null;
  console: Console;
  close(): Promise<void>;
}

export async function startConsole(opts: ConsoleOptions): Promise<RunningConsole> {
  const c = await createConsole({ ...opts, dataDir: path.resolve(opts.dataDir) });
  return { url: c.url, gatewayUrl: c.gatewayUrl, console: c, close: () => c.close() };
}
