/**
 * A PostgreSQL server for the analytics tests: MAMORI_TEST_DATABASE_URL when CI (or the console's
 * global setup) provides one; otherwise a private cluster in a temp dir on a Unix socket, started
 * here and stopped by the returned function. Never skipped.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  stop(): Promise<void>;
}

function asPostgres(args: string[]): string[] {
  return process.getuid?.() === 0 ? ['-u', 'postgres', '--', ...args] : args;
}

function run(cmd: string, args: string[]): void {
  const full = asPostgres([cmd, ...args]);
  if (process.getuid?.() === 0) execFileSync('runuser', full, { stdio: 'pipe' });
  else execFileSync(full[0]!, full.slice(1), { stdio: 'pipe' });
}

export async function startTestDatabase(): Promise<TestDatabase> {
  const env = process.env['MAMORI_TEST_DATABASE_URL'];
  if (env) return { url: env, stop: async () => undefined };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-an-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) fs.chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = String(20000 + (process.pid % 30000));
  const args = ['-D', data, '-k', dir, '-h', '', '-p', port, '-F', '-c', 'fsync=off', '-c', 'max_connections=50'];
  const full = asPostgres(['postgres', ...args]);
  const child = process.getuid?.() === 0 ? spawn('runuser', full, { stdio: 'ignore' }) : spawn(full[0]!, full.slice(1), { stdio: 'ignore' });
  const url = `postgresql://postgres@/postgres?host=${encodeURIComponent(dir)}&port=${port}`;
  for (let i = 0; ; i++) {
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      await c.end();
      break;
    } catch (err) {
      await c.end().catch(() => undefined);
      if (i > 100) throw new Error(`test PostgreSQL did not start: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
      } catch {
        child.kill('SIGKILL');
      }
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** a schema name unique to this test run */
export function uniqueSchema(tag: string): string {
  return `an_${tag}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}
