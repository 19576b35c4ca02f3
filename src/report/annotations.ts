import type { BuildResult } from '../dispatch/build-result.js';
import type { Problem } from '../log.js';

/** One annotation per image a person must look at: errors for builds that did not succeed, warnings for skipped ones. */
export function resultProblems(results: readonly BuildResult[]): Problem[] {
  const problems: Problem[] = [];
  for (const r of results) {
    const where = { repo: r.githubRepo, tag: r.gitTag, image: r.image };
    const run = r.runUrl ? ` (${r.runUrl})` : '';
    switch (r.outcome) {
      case 'succeeded':
        break;
      case 'succeeded-on-retry': {
        const first = r.attempts?.[0];
        problems.push({
          severity: 'notice',
          message: `build succeeded on retry: attempt ${first?.attempt ?? 1} ended ${first?.conclusion ?? 'failure'}${first ? ` (${first.url})` : ''}, its failed jobs were re-run${run}`,
          where
        });
        break;
      }
      case 'skipped':
        // built within skip-succeeded-within: nothing for a person to look at
        if (r.via === 'recent') break;
        problems.push({ severity: 'warning', message: `build skipped: conclusion ${r.conclusion ?? 'unknown'}${run}`, where });
        break;
      case 'failed':
        problems.push({ severity: 'error', message: `build failed: conclusion ${r.conclusion ?? 'unknown'}${run}`, where });
        break;
      case 'cancelled':
        problems.push({ severity: 'error', message: `build cancelled${run}`, where });
        break;
      case 'timed-out':
        problems.push({ severity: 'error', message: `build timed out: ${r.reason ?? 'time limit reached'}${run}`, where });
        break;
      case 'unmatched':
        problems.push({ severity: 'error', message: `build dispatched but its run was not found: ${r.reason ?? ''}`, where });
        break;
      case 'not-dispatched':
        problems.push({ severity: 'error', message: `not rebuilt: ${r.reason ?? 'not dispatched'}`, where });
        break;
      case 'running':
        problems.push({ severity: 'error', message: `build still running${run}`, where });
    }
  }
  return problems;
}
