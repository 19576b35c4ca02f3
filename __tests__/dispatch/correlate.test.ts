import { findRunningBuild, tieDispatchToRun, type RunSnapshot } from '../../src/dispatch/correlate.js';
import { pollIntervalFor } from '../../src/dispatch/poll-interval.js';
import { outcomeOfConclusion, RUN_CONCLUSIONS, type BuildResult } from '../../src/dispatch/build-result.js';
import { countResults, needsPerson } from '../../src/report/outcomes.js';

const t0 = Date.parse('2026-11-26T07:00:00Z');
const run = (id: number, over: Partial<RunSnapshot> = {}): RunSnapshot => ({
  id,
  workflowId: 10,
  headBranch: 'v1.0.0',
  event: 'workflow_dispatch',
  status: 'queued',
  conclusion: null,
  actor: 'dispatcher[bot]',
  runAttempt: 1,
  createdAt: t0 + 2000,
  htmlUrl: `https://x/${id}`,
  ...over
});

describe('tieDispatchToRun', () => {
  const dispatch = { workflowId: 10, ref: 'v1.0.0', sentAt: t0, knownRunIds: new Set([1]), actor: 'dispatcher[bot]' };

  it('takes the new run of that workflow, ref, event and actor, never one that existed before', () => {
    const runs = [
      run(1, { createdAt: t0 + 5000 }), // existed before (same everything)
      run(2, { actor: 'someone-else' }),
      run(3, { event: 'push' }),
      run(4, { headBranch: 'v1.0.1' }),
      run(5, { workflowId: 11 }),
      run(6, { createdAt: t0 - 3_600_000 }), // long before the dispatch
      run(8, { createdAt: t0 + 4000 }),
      run(7, { createdAt: t0 + 3000 })
    ];
    expect(tieDispatchToRun(dispatch, runs, new Set())?.id).toBe(7);
    expect(tieDispatchToRun(dispatch, runs, new Set([7]))?.id).toBe(8);
    expect(tieDispatchToRun(dispatch, runs.slice(0, 6), new Set())).toBeUndefined();
  });

  it('matches any actor when the dispatcher cannot know its own login', () => {
    expect(tieDispatchToRun({ ...dispatch, actor: undefined }, [run(2, { actor: 'someone' })], new Set())?.id).toBe(2);
  });

  it('finds a build still going for the same workflow and ref', () => {
    const runs = [
      run(1, { status: 'completed' }),
      run(2, { status: 'in_progress' }),
      run(3, { status: 'waiting', createdAt: t0 + 9000 }),
      run(4, { status: 'queued', actor: 'other', createdAt: t0 + 9999 })
    ];
    expect(findRunningBuild(10, 'v1.0.0', runs, 'dispatcher[bot]')?.id).toBe(3);
    expect(findRunningBuild(10, 'v1.0.0', runs, undefined)?.id).toBe(4);
    expect(findRunningBuild(10, 'v1.0.0', [run(1, { status: 'completed' })], 'dispatcher[bot]')).toBeUndefined();
  });
});

describe('build outcomes', () => {
  it('turns every GitHub conclusion into an outcome', () => {
    expect(Object.fromEntries(RUN_CONCLUSIONS.map((c) => [c, outcomeOfConclusion(c)]))).toEqual({
      success: 'succeeded',
      failure: 'failed',
      cancelled: 'cancelled',
      timed_out: 'timed-out',
      action_required: 'failed',
      neutral: 'skipped',
      skipped: 'skipped',
      stale: 'failed',
      startup_failure: 'failed'
    });
  });

  it('counts results and lists the ones that fail the job', () => {
    const base = { githubRepo: 'r', image: 'i', fullImage: 'x/i:1', tag: '1', gitTag: 'v1', branches: [] };
    const results: BuildResult[] = [
      { ...base, outcome: 'succeeded', runId: 1 },
      { ...base, outcome: 'skipped', runId: 2 },
      { ...base, outcome: 'failed', runId: 3 },
      { ...base, outcome: 'timed-out', runId: 4 },
      { ...base, outcome: 'not-dispatched' }
    ];
    expect(countResults(results)).toMatchObject({ planned: 5, dispatched: 4, succeeded: 1, needPerson: 3 });
    expect(countResults(results).byOutcome).toMatchObject({ succeeded: 1, skipped: 1, failed: 1, 'timed-out': 1, 'not-dispatched': 1 });
    expect(results.filter(needsPerson).map((r) => r.outcome)).toEqual(['failed', 'timed-out', 'not-dispatched']);
  });
});

describe('the poll interval under the rate limit', () => {
  const now = Date.parse('2026-11-26T07:00:00Z');
  it('keeps the configured interval while the budget holds, stretches it as it runs low, waits for the reset when spent', () => {
    expect(pollIntervalFor(5000, undefined, 10, now)).toBe(5000);
    expect(pollIntervalFor(5000, { remaining: 4000, resetAt: now + 3600_000 }, 10, now)).toBe(9114); // (4000 − 50 reserved) ÷ 10 = 395 cycles in the hour
    expect(pollIntervalFor(5000, { remaining: 5000, resetAt: now + 60_000 }, 10, now)).toBe(5000);
    expect(pollIntervalFor(5000, { remaining: 150, resetAt: now + 3600_000 }, 10, now)).toBe(360_000);
    expect(pollIntervalFor(5000, { remaining: 55, resetAt: now + 600_000 }, 10, now)).toBe(601_000);
  });
});
