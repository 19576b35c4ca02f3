import type { BuildResult } from '../dispatch/build-result.js';
import { countResults, describeTotals, needsPerson, OUTCOMES } from './outcomes.js';
import { codeSpan, repoPageUrl, tableCell } from '../escape.js';
import { details, link, table } from './markdown.js';
import { gitTagLink, imageCell, renderNotes, textTable, type SummaryLinks } from './plan-summary.js';
import { commonRegistryPath, rollupByRelease, type ReportScope } from './release-rollup.js';

function conclusionCell(result: BuildResult): string {
  const label = OUTCOMES[result.outcome].label;
  return result.reason ? `${label}<br>${tableCell(result.reason)}` : label;
}

/** The run link, and for a build whose failed jobs were re-run, each attempt's conclusion and page. */
function runCell(r: BuildResult): string {
  if (!r.runUrl || r.runId === undefined) return '—';
  const run = link(`#${r.runId}${r.via === 'attached' ? ' (attached)' : ''}`, r.runUrl);
  if (!r.attempts) return run;
  return `${run}<br>${r.attempts.map((a) => link(`attempt ${a.attempt}: ${a.conclusion ?? 'not ended'}`, a.url)).join('<br>')}`;
}

/** One row per release branch: what this run did for the images it ships. */
function renderReleaseTable(plan: ReportScope, results: readonly BuildResult[], serverUrl: string): string {
  const count = (n: number): string => (n === 0 ? '—' : String(n));
  return table(
    ['Release branch', 'Images', 'Rebuilt', 'Already built', 'Need a person', 'Acknowledged'],
    rollupByRelease(plan, results).map((r) => [
      link(r.branch, repoPageUrl(serverUrl, plan.org, plan.productStreamRepo, 'tree', r.branch)),
      String(r.images),
      count(r.rebuilt + r.rebuiltOnRetry),
      count(r.alreadyBuilt),
      r.failed + r.notDispatched > 0 ? `❌ ${r.failed + r.notDispatched}` : '—',
      count(r.acknowledged)
    ])
  );
}

/** The job summary after dispatching: totals, one row per release branch, then one table per repo. */
export function renderResultsSummary(
  plan: ReportScope,
  results: readonly BuildResult[],
  links: SummaryLinks,
  notes: readonly string[] = []
): string {
  const totals = countResults(results);
  const registry = commonRegistryPath(results.map((r) => r.fullImage));
  const parts: string[] = [
    `## Image rebuilds for ${tableCell(plan.org)}/${tableCell(plan.productStreamRepo)}`,
    ...renderNotes(notes),
    `**${describeTotals(totals)}**`,
    renderReleaseTable(plan, results, links.serverUrl),
    ...(registry ? [`Images are under ${codeSpan(registry)}.`] : [])
  ];
  const repos = [...new Set(results.map((r) => r.githubRepo))];
  // repos that need attention come first and open; repos whose builds all went well are folded
  const needsAttention = (repo: string): boolean => results.some((r) => r.githubRepo === repo && needsPerson(r));
  for (const repo of [...repos.filter(needsAttention), ...repos.filter((r) => !needsAttention(r))]) {
    const rows = results.filter((r) => r.githubRepo === repo);
    // the heading names the repo, and the registry path is said once above
    const repoTable = table(
      ['Git tag', 'Image', 'Branches', 'Conclusion', 'Run'],
      rows.map((r) => [
        gitTagLink(links, plan.org, repo, r),
        imageCell(links, r.fullImage, r.fullImage.slice(registry.length)),
        tableCell(r.branches.join(', ') || '—'),
        conclusionCell(r),
        runCell(r)
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
  // the totals line follows in the log, once
  return textTable(['REPO', 'GIT TAG', 'IMAGE', 'OUTCOME', 'RUN', 'WHY'], rows);
}
