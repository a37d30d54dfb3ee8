/**
 * Three-valued match results, encoded as small integers so that the hot path allocates nothing:
 * NO = 0, YES = 1, otherwise "unknown until these facts are known" as a bit set of needs.
 * An unknown result never turns into a different definite result than the one the full facts
 * give; that is what makes staged evaluation agree with one-shot evaluation.
 */
import type { Need } from './types.js';

export type Match = number;
export const NO: Match = 0;
export const YES: Match = 1;
export const NEED_APP: Match = 2;
export const NEED_URL: Match = 4;

export function and(a: Match, b: Match): Match {
  if (a === NO || b === NO) return NO;
  if (a === YES) return b;
  if (b === YES) return a;
  return a | b;
}

export function or(a: Match, b: Match): Match {
  if (a === YES || b === YES) return YES;
  return a | b;
}

export function needsOf(m: Match): Need[] {
  const out: Need[] = [];
  if (m & NEED_APP) out.push('application');
  if (m & NEED_URL) out.push('url');
  return out;
}
