/** A workflow run as the run listings show it. */
export interface RunSnapshot {
  id: number;
  workflowId: number;
  headBranch: string | null;
  event: string;
  status: string | null;
  conclusion: string | null;
  actor: string | undefined;
  createdAt: number;
  htmlUrl: string;
  /** 1, then 2 and up once failed jobs are re-run (the same run id). */
  runAttempt: number;
}

export interface DispatchRecord {
  workflowId: number;
  ref: string;
  /** When the dispatch was sent (client clock). */
  sentAt: number;
  /** Run ids of this workflow that existed before the dispatch. */
  knownRunIds: ReadonlySet<number>;
  /** The login that dispatches (`<app-slug>[bot]` or the token's user), when known. */
  actor: string | undefined;
}

/** Allowed difference between the client's and GitHub's clocks when comparing creation times. */
export const CLOCK_SKEW_MS = 60_000;

/**
 * The run a dispatch created: a workflow_dispatch run of that workflow on that ref, by that actor,
 * that did not exist before and was created after the dispatch was sent (within clock skew).
 * The oldest such run wins, so two runs are never tied to one dispatch in a different order.
 */
export function tieDispatchToRun(
  dispatch: DispatchRecord,
  runs: readonly RunSnapshot[],
  taken: ReadonlySet<number>
): RunSnapshot | undefined {
  const candidates = runs.filter(
    (run) =>
      run.workflowId === dispatch.workflowId &&
      run.event === 'workflow_dispatch' &&
      run.headBranch === dispatch.ref &&
      !dispatch.knownRunIds.has(run.id) &&
      !taken.has(run.id) &&
      run.createdAt >= dispatch.sentAt - CLOCK_SKEW_MS &&
      // a run whose actor the server does not say cannot be told apart by it
      (dispatch.actor === undefined || run.actor === undefined || run.actor === dispatch.actor)
  );
  return candidates.sort((a, b) => a.createdAt - b.createdAt || a.id - b.id)[0];
}

/**
 * A build of this workflow and ref that the dispatcher started and that is still going (the
 * dispatcher was re-run): watch it instead of dispatching again. Another actor's run is not ours.
 */
export function findRunningBuild(
  workflowId: number,
  ref: string,
  runs: readonly RunSnapshot[],
  actor: string | undefined
): RunSnapshot | undefined {
  return runs
    .filter(
      (r) =>
        r.workflowId === workflowId &&
        r.headBranch === ref &&
        r.event === 'workflow_dispatch' &&
        r.status !== 'completed' &&
        r.status !== null &&
        (actor === undefined || r.actor === actor)
    )
    .sort((a, b) => b.createdAt - a.createdAt)[0];
}
