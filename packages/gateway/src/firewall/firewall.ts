/**
 * The gateway's firewall at run time: deploys a policy (compile → check → atomic apply), feeds
 * DNS answers into FQDN sets, reads per-rule counters and the original destination of steered
 * flows. One instance per gateway; every nft call goes through the runner.
 */
import type { Policy } from '@mamori/policy';
import { applyRuleset, type ApplyResult } from './apply.js';
import { compileRuleset } from './compile/compile.js';
import type { CompileOptions, CompiledRuleset, CounterInfo } from './compile/types.js';
import { FqdnCache, type FqdnEntry } from './fqdn-cache.js';
import { nftFile, type CommandRunner } from './nft-runner.js';
import { parseCounters } from './nft-json.js';

export interface DeployResult extends Omit<ApplyResult, 'stage'> {
  stage?: 'compile' | 'check' | 'apply';
  firewallOn?: boolean;
  dosEnabled?: boolean;
  notes?: string[];
}

export interface RuleCount extends CounterInfo {
  packets: number;
  bytes: number;
}

export class Firewall {
  private compiled: CompiledRuleset | null = null;
  private readonly fqdn: FqdnCache;

  constructor(
    private readonly runner: CommandRunner,
    private readonly options: CompileOptions,
    now: () => number = Date.now,
  ) {
    this.fqdn = new FqdnCache(now);
  }

  get current(): CompiledRuleset | null {
    return this.compiled;
  }

  /** Compile and apply; on any failure the previous ruleset stays and the error is the result. */
  async deploy(policy: Policy): Promise<DeployResult> {
    const t0 = performance.now();
    let next: CompiledRuleset;
    try {
      next = compileRuleset(policy, this.options);
    } catch (e) {
      return { ok: false, stage: 'compile', error: e instanceof Error ? e.message : String(e), durationMs: performance.now() - t0 };
    }
    const r = await this.applyCompiled(next);
    return { ...r, durationMs: performance.now() - t0, ...(r.ok ? { firewallOn: next.firewallOn, dosEnabled: next.dosEnabled, notes: next.notes } : {}) };
  }

  /** Apply an already compiled ruleset (also used to test a broken one). */
  async applyCompiled(next: CompiledRuleset): Promise<ApplyResult> {
    const extra = this.fqdnElements(next.table, this.fqdn.live(next.fqdnSets));
    const r = await applyRuleset(this.runner, next, extra);
    if (r.ok) this.compiled = next;
    return r;
  }

  private fqdnElements(table: string, entries: FqdnEntry[]): string {
    return entries.map((e) => `add element inet ${table} ${e.set} { ${e.ip} timeout ${this.fqdn.secondsLeft(e)}s }\n`).join('');
  }

  /**
   * Called by the DNS filter for every answer: the addresses of `name` (the question or a name of
   * its CNAME chain) go into the sets of matching FQDN objects for `ttl` seconds (at least the
   * configured minimum). Returns the number of elements written.
   */
  async addFqdnAnswer(name: string, ips: readonly string[], ttl: number): Promise<number> {
    const c = this.compiled;
    const sets = c?.fqdnSets ?? [];
    const entries = this.fqdn.record(sets, name, ips, ttl, this.options.fqdnMinTtl ?? 60);
    if (!c || entries.length === 0) return 0;
    // add (no-op when present), delete, add with the new timeout: one transaction, always valid
    const text = entries
      .map((e) => {
        const el = `inet ${c.table} ${e.set} { ${e.ip} }`;
        return `add element ${el}\ndelete element ${el}\nadd element inet ${c.table} ${e.set} { ${e.ip} timeout ${this.fqdn.secondsLeft(e)}s }\n`;
      })
      .join('');
    const r = await nftFile(this.runner, text);
    if (r.code !== 0) throw new Error(`could not add DNS answer for ${name}: ${r.stderr.trim()}`);
    return entries.length;
  }

  /** Per-rule (and DoS, steering, default) counters since the last deploy. */
  async readCounters(): Promise<RuleCount[]> {
    const c = this.compiled;
    if (!c) return [];
    const r = await this.runner.run('nft', ['-j', 'list', 'counters', 'table', 'inet', c.table]);
    if (r.code !== 0) throw new Error(`could not read counters: ${r.stderr.trim()}`);
    const values = new Map(parseCounters(r.stdout).map((x) => [x.name, x]));
    return c.counters.map((info) => ({ ...info, packets: values.get(info.name)?.packets ?? 0, bytes: values.get(info.name)?.bytes ?? 0 }));
  }

  /** Original destination of an IPv4 TCP flow redirected to a proxy, by its client address and port. */
  async originalDestination(clientIp: string, clientPort: number): Promise<{ ip: string; port: number } | undefined> {
    const c = this.compiled;
    if (!c || !/^\d{1,3}(\.\d{1,3}){3}$/.test(clientIp) || !Number.isInteger(clientPort)) return undefined;
    // nft 1.0.6 prints `get element` as text even with -j: "elements = { a . p expires … : b . q }"
    const r = await this.runner.run('nft', ['get', 'element', 'inet', c.table, c.steerMaps.v4, `{ ${clientIp} . ${clientPort} }`]);
    if (r.code !== 0) return undefined;
    const m = /:\s*(\d{1,3}(?:\.\d{1,3}){3}) \. (\d+)\s*}/.exec(r.stdout);
    return m ? { ip: m[1]!, port: Number(m[2]) } : undefined;
  }
}
