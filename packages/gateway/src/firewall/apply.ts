/**
 * Atomic replacement of our table: one `nft -f` transaction that creates the table if missing,
 * deletes it and declares it again. Checked first with `nft -c`; a failure leaves the previous
 * ruleset in place and comes back as the deployment result. Other tables are never touched.
 */
import type { CompiledRuleset } from './compile/types.js';
import { nftFile, type CommandRunner } from './nft-runner.js';

export interface ApplyResult {
  ok: boolean;
  /** 'check' when `nft -c` refused the text, 'apply' when the transaction failed */
  stage?: 'check' | 'apply';
  error?: string;
  durationMs: number;
}

/** The transaction text: the table is replaced as a whole or not at all. */
export function transactionText(compiled: Pick<CompiledRuleset, 'table' | 'text'>, extra = ''): string {
  return `table inet ${compiled.table} {}\ndelete table inet ${compiled.table}\n${compiled.text}${extra}`;
}

function firstLines(s: string, n = 12): string {
  return s.split('\n').filter((l) => l.trim() !== '').slice(0, n).join('\n');
}

export async function applyRuleset(runner: CommandRunner, compiled: Pick<CompiledRuleset, 'table' | 'text'>, extra = ''): Promise<ApplyResult> {
  const t0 = performance.now();
  const text = transactionText(compiled, extra);
  const check = await nftFile(runner, text, { check: true });
  if (check.code !== 0) {
    return { ok: false, stage: 'check', error: `nftables rejected the ruleset: ${firstLines(check.stderr) || `exit ${check.code}`}`, durationMs: performance.now() - t0 };
  }
  const r = await nftFile(runner, text);
  if (r.code !== 0) {
    return { ok: false, stage: 'apply', error: `nftables could not apply the ruleset: ${firstLines(r.stderr) || `exit ${r.code}`}`, durationMs: performance.now() - t0 };
  }
  return { ok: true, durationMs: performance.now() - t0 };
}

/** Remove our table (router mode off). Absent table is fine. */
export async function removeRuleset(runner: CommandRunner, table = 'mamori'): Promise<void> {
  await nftFile(runner, `table inet ${table} {}\ndelete table inet ${table}\n`);
}
