import type { Command } from 'commander';
import path from 'node:path';
import { evaluateNdpiFolder, identify } from '@mamori/appid';

export function registerAppid(program: Command): void {
  const appid = program.command('appid').description('application identification: catalogue, identify, evaluation');
  appid
    .command('eval')
    .description('compare our identification with nDPI verdicts on its regression captures')
    .requiredOption('--ndpi <dir>', 'folder with pcap/*.pcap* and result/*.out')
    .option('-v, --verbose', 'list every disagreement')
    .action((opts: { ndpi: string; verbose?: boolean }) => {
      const write = (l: string) => process.stdout.write(`${l}\n`);
      try {
        const r = evaluateNdpiFolder(path.resolve(opts.ndpi), write, { verbose: opts.verbose === true });
        const pct = r.compared > 0 ? ((100 * r.agreed) / r.compared).toFixed(1) : '0.0';
        write(`agreement ${pct}% over ${r.results.length} captures`);
        write(`agree: ${r.agreed}/${r.compared}`);
      } catch (e) {
        process.stderr.write(`mamori appid eval: ${(e as Error).message}\n`);
        process.exitCode = 2;
      }
    });
  appid
    .command('identify')
    .description('identify an application from flow facts; prints one JSON object')
    .option('--sni <name>', 'TLS/QUIC server name')
    .option('--host <host>', 'HTTP Host header')
    .option('--method <method>', 'HTTP method')
    .option('--path <path>', 'HTTP request path')
    .option('--protocol <proto>', 'tcp or udp', 'tcp')
    .option('--port <port>', 'destination port', '443')
    .action((o: { sni?: string; host?: string; method?: string; path?: string; protocol: string; port: string }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`mamori appid identify: bad port "${o.port}"\n`);
        process.exitCode = 2;
        return;
      }
      const m = identify({ protocol: o.protocol, dstPort: port, sni: o.sni, host: o.host, method: o.method, path: o.path });
      process.stdout.write(`${JSON.stringify(m ?? { app: null })}\n`);
    });
}
