import type { RunSnapshot } from '../../src/dispatch/correlate.js';
import {
  attachedTo,
  concluded,
  lookForRun,
  noRunFound,
  outcomeSoFar,
  QUEUED,
  rerunAsked,
  runFound,
  sending,
  timedOut
} from '../../src/dispatch/build-state.js';

const run = (over: Partial<RunSnapshot> = {}): RunSnapshot => ({
  id: 7,
  workflowId: 3,
  headBranch: 'v1.0.0',
  event: 'workflow_dispatch',
  status: 'completed',
  conclusion: 'failure',
  actor: 'app[bot]',
  createdAt: 1000,
  htmlUrl: 'https://github.com/o/r/actions/runs/7',
  runAttempt: 1,
  ...over
});

describe('the states of a build', () => {
  it('counts the sends of a lost dispatch and keeps when the first went, for correlation', () => {
    const first = sending(QUEUED, 1000, new Set([1]));
    const lost = lookForRun(first, 61_000, 'socket hang up');
    const second = sending(lost, 70_000, new Set([1, 2]));
    expect(second.sends).toEqual({ count: 2, firstAt: 1000, lastAt: 70_000, lost: 'socket hang up' });
    expect(lookForRun(second, 130_000)).toMatchObject({ kind: 'correlating', answerLost: false, until: 130_000 });
    expect(noRunFound(lookForRun(second, 130_000, 'again'), 'none')).toEqual({
      kind: 'done',
      outcome: 'unmatched',
      via: 'dispatched',
      reason: 'none',
      attempts: []
    });
  });

  it('follows a re-run to its next attempt and tells success on retry from plain success', () => {
    const running = runFound(lookForRun(sending(QUEUED, 0, new Set()), 60_000), run({ status: 'in_progress', conclusion: null }));
    const rerun = rerunAsked(running, run(), 'https://github.com/o/r/actions/runs/7/attempts/1');
    expect(rerun).toMatchObject({ awaitedAttempt: 2, run: { status: 'requested', conclusion: null } });
    expect(rerun.attempts).toEqual([{ attempt: 1, conclusion: 'failure', url: 'https://github.com/o/r/actions/runs/7/attempts/1' }]);
    expect(concluded(rerun, run({ conclusion: 'success', runAttempt: 2 })).outcome).toBe('succeeded-on-retry');
    expect(concluded(running, run({ conclusion: 'success' })).outcome).toBe('succeeded');
    expect(concluded(running, run({ conclusion: 'startup_failure' })).outcome).toBe('failed');
  });

  it('says what a build is when the job stops in any state', () => {
    const attached = attachedTo(QUEUED, run({ status: 'queued', conclusion: null }));
    expect(outcomeSoFar(attached)).toEqual({ outcome: 'running', reason: 'still queued when the job stopped' });
    expect(outcomeSoFar(sending(QUEUED, 0, new Set())).reason).toMatch(/may or may not have reached GitHub/);
    expect(outcomeSoFar(QUEUED)).toEqual({ outcome: 'not-dispatched', reason: 'the job stopped before it was dispatched' });
    expect(timedOut(attached, 'late')).toMatchObject({ kind: 'done', outcome: 'timed-out', via: 'attached', run: { id: 7 } });
  });
});
