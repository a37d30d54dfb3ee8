/**
 * `mamori` — one entry point for every role: console, gateway, the local demo, and tools.
 * Each command lives in its own file under commands/ and registers itself here.
 */
import { Command } from 'commander';
import { registerDemo } from './commands/demo.js';
import { registerConsole } from './commands/console.js';
import { registerPolicy } from './commands/policy.js';
import { registerIntel } from './commands/intel.js';
import { registerAppid } from './commands/appid.js';
import { registerGateway } from './commands/gateway.js';

export function buildProgram(): Command {
  const program = new Command('mamori')
    .description('Mamori (守り): open, self-hostable gateway security')
    .version('0.1.0')
    .showHelpAfterError();
  registerDemo(program);
  registerConsole(program);
  registerPolicy(program);
  registerIntel(program);
  registerAppid(program);
  registerGateway(program);
  return program;
}

const isMain = process.argv[1] !== undefined && /(main\.ts|mamori(\.js)?)$/.test(process.argv[1]);
if (isMain) {
  await buildProgram().parseAsync(process.argv);
}
