/**
 * Network namespaces for the router tests: a LAN client, the gateway and a WAN server joined by
 * veth pairs, addresses in 10.99.0.0/16 only inside them. Names carry the process id and a tag so
 * that parallel runs never collide; `destroy()` removes everything and is safe to call twice.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { localRunner, runCommand, type CommandResult, type CommandRunner } from '../../../packages/gateway/src/firewall/index.js';

const AGENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ns-agent.mjs');

export async function sh(cmd: string, args: string[]): Promise<CommandResult> {
  const r = await runCommand(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r;
}

export type AgentReply = { ok: boolean; error?: string; data?: string; [k: string]: unknown };

/** A long-running agent process inside a namespace. */
export class Agent {
  private seq = 0;
  private readonly waiting = new Map<number, (r: AgentReply) => void>();
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: child.stdout }).on('line', (l) => {
      let msg: AgentReply & { id?: number };
      try {
        msg = JSON.parse(l) as AgentReply & { id?: number };
      } catch {
        return;
      }
      if (typeof msg.id === 'number') {
        this.waiting.get(msg.id)?.(msg);
        this.waiting.delete(msg.id);
      }
    });
  }

  static start(ns: string): Promise<Agent> {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, AGENT], { stdio: ['pipe', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      const rl = readline.createInterface({ input: child.stdout });
      rl.once('line', () => {
        rl.close();
        resolve(new Agent(child));
      });
      child.once('exit', (code) => reject(new Error(`agent in ${ns} exited (${code})`)));
    });
  }

  call(op: string, args: Record<string, unknown> = {}): Promise<AgentReply> {
    const id = this.seq++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin.write(JSON.stringify({ id, op, ...args }) + '\n');
    });
  }

  stop(): void {
    this.child.stdin.end();
    this.child.kill('SIGKILL');
  }
}

export const MAC_CLIENT = '02:99:00:00:01:02';

export interface Topology {
  client: string;
  gateway: string;
  server: string;
  /** runner for the gateway namespace */
  gw: CommandRunner;
  agents: { client: Agent; gateway: Agent; server: Agent };
  destroy(): Promise<void>;
}

/**
 * client (c0 10.99.1.2, 10.99.1.3, fd99:1::2; MAC 02:99:00:00:01:02) — lan0 10.99.1.1, fd99:1::1
 * [gateway] wan0 10.99.2.1, fd99:2::1 — (s0 10.99.2.2 and 10.99.2.3, fd99:2::2, 10.99.200.5 "JP",
 * 10.99.201.5 "US") server.
 * The server has no route back to the LAN: replies only work through the gateway's NAT.
 */
export async function createTopology(tag: string): Promise<Topology> {
  const id = `${process.pid}${tag}`;
  const client = `mrc${id}`;
  const gateway = `mrg${id}`;
  const server = `mrs${id}`;
  const made: string[] = [];
  const agents: Agent[] = [];
  const destroy = async () => {
    for (const a of agents.splice(0)) a.stop();
    for (const ns of made.splice(0)) await runCommand('ip', ['netns', 'del', ns]);
  };
  try {
    for (const ns of [client, gateway, server]) {
      await sh('ip', ['netns', 'add', ns]);
      made.push(ns);
      await sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    // veth pairs are created inside the gateway namespace and one end moved: the host never sees them
    await sh('ip', ['-n', gateway, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'c0', 'netns', client]);
    await sh('ip', ['-n', gateway, 'link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 's0', 'netns', server]);
    await sh('ip', ['-n', client, 'link', 'set', 'c0', 'address', MAC_CLIENT]);
    const ipn = (ns: string, ...a: string[]) => sh('ip', ['-n', ns, ...a]);
    await ipn(client, 'addr', 'add', '10.99.1.2/24', 'dev', 'c0');
    await ipn(client, 'addr', 'add', '10.99.1.3/24', 'dev', 'c0');
    await ipn(client, 'link', 'set', 'c0', 'up');
    await ipn(client, 'route', 'add', 'default', 'via', '10.99.1.1');
    await ipn(gateway, 'addr', 'add', '10.99.1.1/24', 'dev', 'lan0');
    await ipn(gateway, 'addr', 'add', '10.99.2.1/24', 'dev', 'wan0');
    await ipn(gateway, 'link', 'set', 'lan0', 'up');
    await ipn(gateway, 'link', 'set', 'wan0', 'up');
    await ipn(gateway, 'route', 'add', '10.99.200.0/22', 'via', '10.99.2.2');
    // IPv6: fd99:1::/64 on the LAN, fd99:2::/64 on the WAN (nodad: usable at once)
    await ipn(client, 'addr', 'add', 'fd99:1::2/64', 'dev', 'c0', 'nodad');
    await ipn(client, 'route', 'add', 'default', 'via', 'fd99:1::1');
    await ipn(gateway, 'addr', 'add', 'fd99:1::1/64', 'dev', 'lan0', 'nodad');
    await ipn(gateway, 'addr', 'add', 'fd99:2::1/64', 'dev', 'wan0', 'nodad');
    await ipn(server, 'addr', 'add', 'fd99:2::2/64', 'dev', 's0', 'nodad');
    await ipn(server, 'addr', 'add', '10.99.2.2/24', 'dev', 's0');
    for (const a of ['10.99.2.3/32', '10.99.200.5/32', '10.99.201.5/32']) await ipn(server, 'addr', 'add', a, 'dev', 's0');
    await ipn(server, 'link', 'set', 's0', 'up');
    const [c, g, s] = await Promise.all([Agent.start(client), Agent.start(gateway), Agent.start(server)]);
    agents.push(c, g, s);
    return { client, gateway, server, gw: localRunner(gateway), agents: { client: c, gateway: g, server: s }, destroy };
  } catch (e) {
    await destroy();
    throw e;
  }
}

export async function ping(ns: string, host: string, count = 1): Promise<boolean> {
  const r = await runCommand('ip', ['netns', 'exec', ns, 'busybox', 'ping', '-c', String(count), '-W', '1', '-w', String(count + 1), host]);
  return r.code === 0;
}
