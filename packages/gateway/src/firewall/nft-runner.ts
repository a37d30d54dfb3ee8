/**
 * Runs `nft` (and the few other commands router mode needs), optionally inside a network
 * namespace (`ip netns exec <ns>`), the way the tests and a gateway in its own namespace do.
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  /** run a program with arguments; stdin text is written and closed */
  run(cmd: string, args: string[], stdin?: string): Promise<CommandResult>;
}

/** A 10k-rule transaction takes tens of seconds on a busy 2-core machine; a killed nft leaves no half state. */
export function runCommand(cmd: string, args: string[], stdin?: string, timeoutMs = 300_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout: '', stderr: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}

/** The runner for this process's own namespace, or for `netns` through `ip netns exec`. */
export function localRunner(netns?: string): CommandRunner {
  if (netns !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(netns)) throw new Error(`invalid network namespace name "${netns}"`);
  return {
    run: (cmd, args, stdin) => (netns ? runCommand('ip', ['netns', 'exec', netns, cmd, ...args], stdin) : runCommand(cmd, args, stdin)),
  };
}

/** `nft -f -` with the given text; `check` only parses and validates against the kernel. */
export function nftFile(runner: CommandRunner, text: string, opts: { check?: boolean; json?: boolean } = {}): Promise<CommandResult> {
  const args = [...(opts.json ? ['-j'] : []), ...(opts.check ? ['-c'] : []), '-f', '-'];
  return runner.run('nft', args, text);
}
