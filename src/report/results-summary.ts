import type { BuildResult } from '../dispatch/build-result.js';
import { countResults, describeOutcomes, describeTotals, needsPerson, OUTCOMES } from './outcomes.js';
import { codeSpan, repoPageUrl, tableCell } from '../escape.js';
import { details, link, table, textTable } from './markdown.js';
import { ACKNOWLEDGED_SECTION } from './gap-summary.js';
import { failureKey } from './failure-issue.js';
import type { FailureIssueLink } from './job-report.js';
import { counted } from '../words.js';
import { describeMissing } from '../packages/verify-upgrades.js';
import { gitTagLink, imageCell, renderHeadline, renderNotes, type SummaryLinks } from './plan-summary.js';
import { commonRegistryPath, rollupByRelease, type ReleaseRollup, type ReportScope } from './release-rollup.js';

/** The outcome, and why: every row says why it was or was not rebuilt, and a failed one what to open next. */
function conclusionCell(r: BuildResult, issue: FailureIssueLink | undefined, upgrades?: string): string {
  const label = OUTCOMES[r.outcome].label;
  const lines = [label];
  if (r.outcome === 'acknowledged') lines.push(`see ${ACKNOWLEDGED_SECTION} below`);
  else {
    if (r.reason) lines.push(tableCell(r.reason));
    if (r.why && r.runId !== undefined && r.via !== 'recent') lines.push(`dispatched: ${tableCell(r.why, 200)}`);
    if (upgrades) lines.push(upgrades);
    const v = r.verification;
    if (v?.state === 'verified') lines.push('upgrades verified');
    else if (v?.state === 'missing') lines.push(`⚠️ upgrades missing: ${tableCell(describeMissing(v), 200)}`);
    else if (v) lines.push(`upgrades not verified: ${tableCell(v.why ?? 'the image was not read', 160)}`);
  }
  const key = failureKey(r);
  const nights = key && issue?.open ? issue.nights[key] : undefined;
  if (issue && nights) lines.push(`failing for ${counted(nights, 'day')}: ${link(`#${issue.number}`, issue.url)}`);
  for (const job of r.failedJobs ?? [])
    lines.push(`${link(`job ${job.name}`, job.url)}${job.step ? `: step ${tableCell(job.step, 120)}` : ''}`);
  if (OUTCOMES[r.outcome].ranAndFailed && r.runUrl) lines.push(link('re-run failed jobs', r.runUrl));
  return lines.join('<br>');
}

/** The failure issue, linked: what it holds tonight, or that this run closed it. */
function issueLine(issue: FailureIssueLink | undefined): string[] {
  if (!issue) return [];
  if (!issue.open) return [`All green: this run closed the failure issue ${link(`#${issue.number}`, issue.url)}.`];
  const longest = Math.max(0, ...Object.values(issue.nights));
  return [
    `The failure issue ${link(`#${issue.number}`, issue.url)} lists what needs a person; the longest has failed ${counted(longest, 'day')} in a row.`
  ];
}

/** The run link, and for a build whose failed jobs were re-run, each attempt's conclusion and page. */
function runCell(r: BuildResult): string {
  if (!r.runUrl || r.runId === undefined) return '—';
  const run = link(`#${r.runId}${r.via === 'attached' ? ' (attached)' : ''}`, r.runUrl);
  if (!r.attempts) return run;
  return `${run}<br>${r.attempts.map((a) => link(`attempt ${a.attempt}: ${a.conclusion ?? 'not ended'}`, a.url)).join('<br>')}`;
}

/** The columns of the release table past Images: together they count every image once. Optional ones show when some row has one. */
const RELEASE_COLUMNS: readonly { title: string; of: (r: ReleaseRollup) => number; always?: true; mark?: string }[] = [
  { title: 'Rebuilt', of: (r) => r.rebuilt + r.rebuiltOnRetry, always: true },
  { title: 'Up to date', of: (r) => r.upToDate, always: true },
  { title: 'Already built', of: (r) => r.alreadyBuilt },
  { title: 'Skipped by GitHub', of: (r) => r.skipped },
  { title: 'Acknowledged', of: (r) => r.acknowledged },
  { title: 'Need a person', of: (r) => r.failed + r.notDispatched, always: true, mark: '❌ ' }
];

/** One row per release branch: what this run did for the images it ships; each row's columns add up to its images. */
function renderReleaseTable(plan: ReportScope, results: readonly BuildResult[], serverUrl: string): string {
  const rows = rollupByRelease(plan, results);
  const columns = RELEASE_COLUMNS.filter((c) => c.always || rows.some((r) => c.of(r) > 0));
  return table(
    ['Release branch', 'Images', ...columns.map((c) => c.title)],
    rows.map((r) => [
      link(r.branch, repoPageUrl(serverUrl, plan.org, plan.productStreamRepo, 'tree', r.branch)),
      String(r.images),
      ...columns.map((c) => (c.of(r) === 0 ? '—' : `${c.mark ?? ''}${c.of(r)}`))
    ])
  );
}

/** The job summary after dispatching: totals, one row per release branch, then one table per repo. */
export function renderResultsSummary(
  plan: ReportScope,
  results: readonly BuildResult[],
  links: SummaryLinks,
  notes: readonly string[] = [],
  headline?: string,
  /** What the rebuilds fixed: the totals line, and each rebuilt image's folded upgrade list (by full image). */
  packages?: { fixed?: string; upgrades: ReadonlyMap<string, string> }
): string {
  const totals = countResults(results);
  const registry = commonRegistryPath(results.map((r) => r.fullImage));
  const parts: string[] = [
    `## Image rebuilds for ${tableCell(plan.org)}/${tableCell(plan.productStreamRepo)}`,
    ...renderHeadline(headline),
    ...renderNotes(notes),
    `**${describeTotals(totals)}**`,
    ...(packages?.fixed ? [tableCell(packages.fixed, 400)] : []),
    ...issueLine(links.failureIssue),
    renderReleaseTable(plan, results, links.serverUrl),
    ...(registry ? [`Images are under ${codeSpan(registry)}.`] : [])
  ];
  const repos = [...new Set(results.map((r) => r.githubRepo))];
  // repos that need attention come first and open; the others are folded, their heading saying what became of their builds
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
        conclusionCell(r, links.failureIssue, r.runId !== undefined ? packages?.upgrades.get(r.fullImage) : undefined),
        runCell(r)
      ])
    );
    if (needsAttention(repo)) parts.push(`### ${tableCell(repo)}`, repoTable);
    else parts.push(details(`${repo}: ${describeOutcomes(rows)}`, repoTable));
  }
  return parts.join('\n\n') + '\n';
}

/** The results as plain columns, for a terminal. */
export function renderResultsText(results: readonly BuildResult[]): string {
  const rows = results.map((r) => [r.githubRepo, r.gitTag, r.image, r.outcome, r.runUrl ?? '-', r.reason ?? '']);
  // the totals line follows in the log, once
  return textTable(['REPO', 'GIT TAG', 'IMAGE', 'OUTCOME', 'RUN', 'WHY'], rows);
}
