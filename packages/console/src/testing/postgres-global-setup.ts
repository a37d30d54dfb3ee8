/**
 * Vitest global setup: the store suite runs against a real PostgreSQL server too. CI starts one
 * (.ci/services/postgres.sh) and sets MAMORI_TEST_DATABASE_URL; locally the same script is run
 * here when the variable is unset, and the server is stopped afterwards. Never skipped.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): (() => void) | undefined {
  if (process.env['MAMORI_TEST_DATABASE_URL']) return undefined;
  const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../.ci/services/postgres.sh');
  const out = execFileSync('bash', ['-c', `source '${script}' >&2 && printf '%s\\n%s\\n%s' "$MAMORI_TEST_DATABASE_URL" "$MAMORI_TEST_PGDATA" "$MAMORI_TEST_PGBIN"`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [url, pgdata, pgbin] = out.trim().split('\n');
  if (!url || !pgdata || !pgbin) throw new Error('could not start PostgreSQL for the tests');
  process.env['MAMORI_TEST_DATABASE_URL'] = url;
  return () => {
    const stop = `'${pgbin}/pg_ctl' -D '${pgdata}' -m immediate -w stop`;
    try {
      if (process.getuid?.() === 0) execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', stop], { stdio: 'ignore' });
      else execFileSync('sh', ['-c', stop], { stdio: 'ignore' });
    } catch {
      // already stopped
    }
    execFileSync('rm', ['-rf', path.dirname(pgdata)]);
  };
}
