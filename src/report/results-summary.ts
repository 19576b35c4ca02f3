import type { BuildOutcome, BuildResult, Totals } from '../dispatch/build-result.js';
import { countResults } from '../dispatch/build-result.js';
import type { Plan } from '../plan/plan.js';
import { codeSpan, tableCell } from '../escape.js';
import { details, link, table } from './markdown.js';
import { renderNotes, tagUrl, textTable } from './plan-summary.js';

export const OUTCOME_LABEL: Record<BuildOutcome, string> = {
  succeeded: '✅ succeeded',
  failed: '❌ failed',
  cancelled: '🚫 cancelled',
  'timed-out': '⏱️ timed out',
  unmatched: '❓ run not found',
  'not-dispatched': '⛔ not dispatched',
  skipped: '⏭️ skipped',
  running: '🔄 running'
};

export function describeTotals(t: Totals): string {
  return (
    `${t.dispatched} dispatched, ${t.succeeded} succeeded, ${t.failed} failed, ${t.timedOut} timed out, ` +
    `${t.cancelled} cancelled, ${t.unmatched} not matched to a run, ${t.notDispatched} not dispatched, ${t.skipped} skipped`
  );
}

function conclusionCell(result: BuildResult): string {
  const label = OUTCOME_LABEL[result.outcome];
  return result.reason ? `${label}<br>${tableCell(result.reason)}` : label;
}

/** The job summary after dispatching: a totals line, then one table per repo. */
export function renderResultsSummary(
  plan: Plan,
  results: readonly BuildResult[],
  serverUrl: string,
  notes: readonly string[] = []
): string {
  const totals = countResults(results);
  const parts: string[] = [
    `## Image rebuilds for ${tableCell(plan.org)}/${tableCell(plan.productStreamRepo)}`,
    ...renderNotes(notes),
    `**${describeTotals(totals)}**`
  ];
  const repos = [...new Set(results.map((r) => r.githubRepo))];
  // repos that need attention come first and open; repos whose builds all went well are folded
  const needsAttention = (repo: string): boolean =>
    results.some((r) => r.githubRepo === repo && !['succeeded', 'skipped'].includes(r.outcome));
  for (const repo of [...repos.filter(needsAttention), ...repos.filter((r) => !needsAttention(r))]) {
    const rows = results.filter((r) => r.githubRepo === repo);
    const repoTable = table(
      ['Repository', 'Git tag', 'Image', 'Branches', 'Conclusion', 'Run'],
      rows.map((r) => [
        tableCell(repo),
        link(r.gitTag, tagUrl(serverUrl, plan.org, repo, r.gitTag)),
        codeSpan(r.fullImage),
        tableCell(r.branches.join(', ') || '—'),
        conclusionCell(r),
        r.runUrl && r.runId !== undefined ? link(`#${r.runId}${r.via === 'attached' ? ' (attached)' : ''}`, r.runUrl) : '—'
      ])
    );
    if (needsAttention(repo)) parts.push(`### ${tableCell(repo)}`, repoTable);
    else parts.push(details(`${repo}: ${rows.length} ${rows.length === 1 ? 'build' : 'builds'} went well`, repoTable));
  }
  return parts.join('\n\n') + '\n';
}

/** The results as plain columns, for a terminal. */
export function renderResultsText(results: readonly BuildResult[]): string {
  const rows = results.map((r) => [r.githubRepo, r.gitTag, r.image, r.outcome, r.runUrl ?? '-', r.reason ?? '']);
  return textTable(['REPO', 'GIT TAG', 'IMAGE', 'OUTCOME', 'RUN', 'WHY'], rows) + `\n${describeTotals(countResults(results))}\n`;
}
