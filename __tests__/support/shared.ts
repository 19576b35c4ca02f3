import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './run-action.js';

/**
 * `../shared/real-world` beside the checkout, when it is there (CI and developer machines have it).
 * HMS_REAL_WORLD_DIR points elsewhere: `.ci/run` sets it to a missing folder once to prove the
 * suites skip cleanly for a user who cloned the repository alone.
 */
export const REAL_WORLD = process.env.HMS_REAL_WORLD_DIR ?? join(ROOT, '..', 'shared', 'real-world');
export const hasRealWorld = existsSync(join(REAL_WORLD, 'csm'));

/** `release__1.6` → `release/1.6` */
export function realWorldBranches(): { branch: string; dir: string }[] {
  if (!hasRealWorld) return [];
  return readdirSync(join(REAL_WORLD, 'csm'))
    .sort()
    .map((d) => ({ branch: d.replace('__', '/'), dir: join(REAL_WORLD, 'csm', d) }));
}
