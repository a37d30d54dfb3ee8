/**
 * A deployment becomes the active policy: compile, load the decryption CA, then one swap. A
 * failure leaves the previous policy in place and is reported. The last good deployment is kept
 * on disk (0600) so that a restarted gateway enforces it before the console is reachable.
 */
import fs from 'node:fs';
import { Deployment } from '@mamori/policy';
import { compileEngine } from '../chain/compiled-engine.js';
import { LeafCache } from '../tls/leaf-cache.js';
import type { ActivePolicy, GatewayRuntime } from '../runtime.js';
import type { DataDir } from './data-dir.js';

export type ApplyResult = { ok: true; version: number } | { ok: false; version: number; error: string };

export class DeploymentManager {
  private current: Deployment | null = null;
  private leavesFor: { pem: string; cache: LeafCache } | null = null;

  constructor(
    private readonly rt: GatewayRuntime,
    private readonly dir: DataDir | null,
    /** extra step (e.g. the router helper's firewall) run before the swap; throw to refuse */
    private readonly beforeSwap?: (d: Deployment) => Promise<void>,
  ) {}

  get version(): number | null {
    return this.current?.version ?? null;
  }

  /** the deployment saved by a previous run, applied; null when there is none or it is unusable */
  async restore(): Promise<ApplyResult | null> {
    if (!this.dir || !fs.existsSync(this.dir.deploymentFile)) return null;
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.dir.deploymentFile, 'utf8'));
    } catch (e) {
      this.rt.log.error({ err: e }, 'saved deployment is unreadable; waiting for the console');
      return null;
    }
    return this.apply(raw, false);
  }

  async apply(raw: unknown, persist = true): Promise<ApplyResult> {
    const version = typeof (raw as { version?: unknown })?.version === 'number' ? (raw as { version: number }).version : 0;
    const parsed = Deployment.safeParse(raw);
    if (!parsed.success) return { ok: false, version, error: `invalid deployment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 5).join('; ')}` };
    const d = parsed.data;
    let next: ActivePolicy;
    try {
      const engine = compileEngine(d.policy, d.version, this.rt.intel, d.gatewayGroups);
      const pem = d.decryptionCa.certificatePem + d.decryptionCa.privateKeyPem;
      const leaves = this.leavesFor?.pem === pem ? this.leavesFor.cache : await LeafCache.create(d.decryptionCa);
      this.leavesFor = { pem, cache: leaves };
      next = { engine, leaves };
      if (this.beforeSwap) await this.beforeSwap(d);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.rt.log.error({ version: d.version, error }, 'deployment refused; keeping the previous policy');
      return { ok: false, version: d.version, error };
    }
    this.rt.swap(next);
    this.rt.intel.applyDeployment?.(d);
    this.current = d;
    if (persist && this.dir) this.dir.writeSecret(this.dir.deploymentFile, JSON.stringify(d));
    this.rt.log.info({ version: d.version }, 'policy deployed');
    return { ok: true, version: d.version };
  }
}
