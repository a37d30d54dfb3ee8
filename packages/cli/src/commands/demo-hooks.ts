/**
 * Extensions of `mamori demo`: each hook runs after the console is up and the demo tenant
 * exists (e.g. the gateway part starts a local gateway enrolled with `ctx.enrollmentToken()`).
 * Register by adding one line to DEMO_HOOKS.
 */
import type { Console } from '@mamori/console';
import { gatewayDemoHook } from './demo-gateway.js';

export interface DemoContext {
  console: Console;
  /** the demo tenant */
  tenantId: string;
  /** ./.mamori (or --data-dir): put your own state in a subdirectory */
  dataDir: string;
  /** `mamori demo --intel <file>` / $MAMORI_INTEL_DB, absolute: the category database console and gateway start with */
  intelFile?: string;
  /** a fresh one-time enrollment token for the demo tenant */
  enrollmentToken(name: string): Promise<string>;
  print(line: string): void;
}

export interface DemoHook {
  name: string;
  /** returns a function that stops what it started */
  start(ctx: DemoContext): Promise<() => Promise<void>>;
}

export const DEMO_HOOKS: DemoHook[] = [gatewayDemoHook];
