import type { BuildOutcome, RunAttempt } from './build-result.js';
import { outcomeOfConclusion } from './build-result.js';
import type { RunSnapshot } from './correlate.js';

/**
 * Where one build is, from queued to done. Each state holds what is true in it and nothing else;
 * the functions below are the only ways from one state to the next, and their parameter types say
 * from which states each may be taken.
 */
export type BuildState = Queued | Sending | Correlating | Running | Done;

/** The dispatch requests sent for a build so far (a lost answer is looked for, then sent again). */
export interface Sends {
  count: number;
  /** When the first was sent: a run created since then may be any send's. */
  firstAt: number;
  lastAt: number;
  /** The last lost answer, for the report when no send's run is ever found. */
  lost?: string;
}

/** Waiting for a slot (max-parallel) and for the dispatch budget. */
export interface Queued {
  kind: 'queued';
}

/** A dispatch request is out and unanswered: a cancel now reports it as maybe sent, not as never dispatched. */
export interface Sending {
  kind: 'sending';
  sends: Sends;
  /** Runs of the workflow that existed before this send: none of them is its run. */
  knownRunIds: ReadonlySet<number>;
}

/** Dispatched (204, or the answer was lost): its run is looked for in the listings until `until`. */
export interface Correlating {
  kind: 'correlating';
  sends: Sends;
  knownRunIds: ReadonlySet<number>;
  until: number;
  answerLost: boolean;
}

/** Its run is known and followed to its conclusion. */
export interface Running {
  kind: 'running';
  via: 'dispatched' | 'attached';
  run: RunSnapshot;
  /** Earlier attempts, once its failed jobs were re-run. */
  attempts: readonly RunAttempt[];
  /** The attempt followed: snapshots of earlier attempts say nothing of it. */
  awaitedAttempt: number;
}

/** Its outcome is final. */
export interface Done {
  kind: 'done';
  outcome: BuildOutcome;
  reason?: string;
  via?: 'dispatched' | 'attached' | 'recent';
  run?: RunSnapshot;
  attempts: readonly RunAttempt[];
  awaitedAttempt?: number;
}

export const QUEUED: Queued = { kind: 'queued' };

/** A dispatch request goes out: the first, or another after a lost one whose run was not found. */
export function sending(from: Queued | Correlating, now: number, knownRunIds: ReadonlySet<number>): Sending {
  const sends: Sends =
    from.kind === 'correlating' ? { ...from.sends, count: from.sends.count + 1, lastAt: now } : { count: 1, firstAt: now, lastAt: now };
  return { kind: 'sending', sends, knownRunIds };
}

/** GitHub answered with the run it created (200 with run details). */
export function dispatchedAs(_from: Sending, run: RunSnapshot): Running {
  return { kind: 'running', via: 'dispatched', run, attempts: [], awaitedAttempt: 1 };
}

/** GitHub accepted the dispatch without saying which run (204), or the answer was lost: look for the run until `until`. */
export function lookForRun(from: Sending, until: number, lost?: string): Correlating {
  return {
    kind: 'correlating',
    sends: lost === undefined ? from.sends : { ...from.sends, lost },
    knownRunIds: from.knownRunIds,
    until,
    answerLost: lost !== undefined
  };
}

/** The run of a dispatch was found among the listed runs. */
export function runFound(_from: Correlating, run: RunSnapshot): Running {
  return { kind: 'running', via: 'dispatched', run, attempts: [], awaitedAttempt: 1 };
}

/** A build of the same workflow and tag is still going: watch it instead of dispatching. */
export function attachedTo(_from: Queued, run: RunSnapshot): Running {
  return { kind: 'running', via: 'attached', run, attempts: [], awaitedAttempt: 1 };
}

/** It succeeded recently (skip-succeeded-within): not dispatched again. */
export function succeededRecently(_from: Queued, run: RunSnapshot, reason: string): Done {
  return { kind: 'done', outcome: 'already-built', via: 'recent', run, reason, attempts: [] };
}

/** Never dispatched: GitHub refused it, or the time limit came first. */
export function notDispatched(_from: Queued | Sending, reason: string): Done {
  return { kind: 'done', outcome: 'not-dispatched', reason, attempts: [] };
}

/** Dispatched, but no run could be tied to it. */
export function noRunFound(_from: Correlating, reason: string): Done {
  return { kind: 'done', outcome: 'unmatched', via: 'dispatched', reason, attempts: [] };
}

/** A newer snapshot of the run (same attempt or later). */
export function observed(from: Running, run: RunSnapshot): Running {
  return { ...from, run };
}

/** The failed jobs of its completed run were re-run: follow the next attempt of the same run. */
export function rerunAsked(from: Running, failed: RunSnapshot, attemptUrl: string): Running {
  return {
    ...from,
    attempts: [...from.attempts, { attempt: failed.runAttempt, conclusion: failed.conclusion, url: attemptUrl }],
    awaitedAttempt: failed.runAttempt + 1,
    run: { ...failed, status: 'requested', conclusion: null }
  };
}

/** Its run completed: success after a re-run is told apart from plain success. */
export function concluded(from: Running, run: RunSnapshot): Done {
  const outcome = outcomeOfConclusion(run.conclusion);
  return {
    kind: 'done',
    outcome: outcome === 'succeeded' && from.attempts.length > 0 ? 'succeeded-on-retry' : outcome,
    via: from.via,
    run,
    attempts: from.attempts,
    awaitedAttempt: from.awaitedAttempt
  };
}

/** Still going when the time limit passed. */
export function timedOut(from: Running, reason: string): Done {
  return {
    kind: 'done',
    outcome: 'timed-out',
    reason,
    via: from.via,
    run: from.run,
    attempts: from.attempts,
    awaitedAttempt: from.awaitedAttempt
  };
}

/** What a state says of the build at any moment: only `done` has the final outcome; the others say why not yet. */
export function outcomeSoFar(state: BuildState): { outcome: BuildOutcome; reason?: string } {
  switch (state.kind) {
    case 'done':
      return { outcome: state.outcome, reason: state.reason };
    case 'running':
      return { outcome: 'running', reason: `still ${state.run.status ?? 'running'} when the job stopped` };
    case 'correlating':
      return { outcome: 'unmatched', reason: 'dispatched; the job stopped before its run was found' };
    case 'sending':
      return { outcome: 'unmatched', reason: 'the job stopped while its dispatch was being sent: it may or may not have reached GitHub' };
    case 'queued':
      return { outcome: 'not-dispatched', reason: 'the job stopped before it was dispatched' };
  }
}
