import { upgradesCell } from './package-report.js';
import type { Plan, PlannedBuild, PlannedImage, PlannedRepo } from '../plan/plan.js';
import { planBuilds, planImages } from '../plan/plan.js';
import { splitImageReference } from '../plan/found-image.js';
import { codeSpan, repoPageUrl, tableCell } from '../escape.js';
import { details, link, table, textTable } from './markdown.js';
import type { BuildResult } from '../dispatch/build-result.js';
import type { FailureIssueLink } from './job-report.js';
import { counted } from '../words.js';
import { commonRegistryPath } from './release-rollup.js';
import { ACKNOWLEDGED_SECTION } from './gap-summary.js';

/** Where the summary's links go: the GitHub server, and the registry page of an image when the configuration gives one. */
export interface SummaryLinks {
  serverUrl: string;
  /** `configuration.image-link-template`: `{path}`, `{name}`, `{tag}`, `{repository}` are filled in. */
  imageLinkTemplate?: string;
  /** The failure issue this run kept: linked from the totals, and each build in it says how many days it has failed. */
  failureIssue?: FailureIssueLink;
}

export function tagUrl(serverUrl: string, org: string, repo: string, gitTag: string): string {
  return repoPageUrl(serverUrl, org, repo, 'tree', gitTag);
}

/** The git tag's release page when the repo has a release for it, else the tag's tree. */
export function gitTagLink(links: SummaryLinks, org: string, repo: string, image: { gitTag: string; releaseUrl?: string }): string {
  return link(image.gitTag, image.releaseUrl ?? tagUrl(links.serverUrl, org, repo, image.gitTag));
}

/**
 * The image as a code span, or as a link to its registry page when the configuration has a
 * template: `{repository}` is `registry/path/name`, `{path}` the same without the registry host.
 */
export function imageCell(links: SummaryLinks, fullImage: string, shown: string): string {
  const template = links.imageLinkTemplate;
  if (!template) return codeSpan(shown);
  const { repository, tag } = splitImageReference(fullImage) ?? { repository: fullImage, tag: '' };
  const values: Record<string, string> = {
    repository,
    path: repository.slice(repository.indexOf('/') + 1),
    name: repository.slice(repository.lastIndexOf('/') + 1),
    tag
  };
  return link(
    shown,
    template.replace(/\{(repository|path|name|tag)\}/g, (_m, key: string) => encodeURIComponent(values[key] ?? '').replace(/%2F/g, '/'))
  );
}

/** Short list of where an image comes from: kinds, charts; the branches have their own column. */
export function describeSources(image: PlannedImage): string {
  const labels = new Set<string>();
  for (const s of image.sources) {
    if (s.kind === 'docker-index') labels.add('docker index');
    else if (s.kind === 'chart') labels.add(s.releaseName === s.chart ? `chart ${s.chart}` : `chart ${s.chart} (${s.releaseName})`);
    else labels.add('git tag');
  }
  return [...labels].join(', ');
}

export interface PlanCounts {
  repos: number;
  builds: number;
  images: number;
  resolved: number;
  unresolved: number;
  branches: number;
}

export function countPlan(plan: Plan): PlanCounts {
  const images = planImages(plan);
  const resolved = images.filter((i) => i.state === 'resolved').length;
  return {
    repos: plan.repos.length,
    builds: planBuilds(plan).length,
    images: images.length,
    resolved,
    unresolved: images.length - resolved,
    branches: plan.branches.length
  };
}

/** What the run was narrowed to (`only repo:hms-smd: 2 of 144 builds`), first under the title. */
export function renderHeadline(headline: string | undefined): string[] {
  return headline ? [`> 🎯 ${tableCell(headline, 1000)}`] : [];
}

/** Lines a reader must see first (the job stopped early, charts were skipped), as a quote. */
export function renderNotes(notes: readonly string[]): string[] {
  return notes.length === 0 ? [] : [notes.map((n) => `> ⚠️ ${tableCell(n, 2000)}`).join('\n>\n')];
}

/** What a plan will do, build by build and gap by gap: the dry run's headline. */
export interface PlanOutlook {
  toDispatch: number;
  upToDate: number;
  gaps: number;
  acknowledged: number;
  /** Distinct CVEs the builds to dispatch fix with their package upgrades (rebuild: when-outdated). */
  cves: number;
}

/** Builds to dispatch and up to date (rebuild: when-outdated), images that are gaps and acknowledged gaps (from the gaps' results). */
export function planOutlook(repos: readonly PlannedRepo[], results: readonly BuildResult[]): PlanOutlook {
  const builds = repos.flatMap((r) => r.builds);
  const inRepos = new Set(repos.map((r) => r.githubRepo));
  const ofRepos = results.filter((r) => inRepos.has(r.githubRepo));
  return {
    toDispatch: builds.filter((b) => b.decision?.rebuild !== false).length,
    upToDate: builds.filter((b) => b.decision?.rebuild === false).length,
    gaps: ofRepos.filter((r) => r.outcome === 'not-dispatched').length,
    acknowledged: ofRepos.filter((r) => r.outcome === 'acknowledged').length,
    cves: new Set(builds.filter((b) => b.decision?.rebuild).flatMap((b) => (b.decision?.packages?.upgrades ?? []).flatMap((u) => u.fixes)))
      .size
  };
}

/** `4 builds to dispatch, 9 up to date, 1 acknowledged gap`: what the night will do first, then what it will not. */
export function describeOutlook(o: PlanOutlook): string {
  const parts = [`${counted(o.toDispatch, 'build')} to dispatch${o.cves > 0 ? ` (fixing ${counted(o.cves, 'CVE')})` : ''}`];
  if (o.upToDate > 0) parts.push(`${o.upToDate.toLocaleString('en-US')} up to date`);
  if (o.gaps > 0) parts.push(`${counted(o.gaps, 'image')} that cannot be rebuilt`);
  if (o.acknowledged > 0) parts.push(counted(o.acknowledged, 'acknowledged gap'));
  return parts.join(', ');
}

/**
 * The dry-run job summary: what the night will do first, then one table per repo. The registry
 * path the images share is said once; repos with nothing to dispatch and no gap are folded.
 */
export function renderPlanSummary(
  plan: Plan,
  links: SummaryLinks,
  results: readonly BuildResult[],
  notes: readonly string[] = [],
  headline?: string
): string {
  const counts = countPlan(plan);
  const registry = commonRegistryPath(planImages(plan).map((i) => i.fullImage));
  const outcomeOf = new Map(results.map((r) => [`${r.githubRepo}\u0000${r.fullImage}`, r]));
  const parts: string[] = [
    `## Rebuild plan for ${tableCell(plan.org)}/${tableCell(plan.productStreamRepo)}`,
    ...renderHeadline(headline),
    ...renderNotes(notes),
    `**${describeOutlook(planOutlook(plan.repos, results))}**`,
    `${counted(counts.builds, 'build')} of ${counted(counts.images, 'image')} in ${counted(counts.repos, 'repo')}, from ` +
      `${counted(counts.branches, 'branch')} (${plan.branches.map((b) => tableCell(b.branch)).join(', ') || 'none'})` +
      `${plan.shard ? `, shard ${plan.shard.index}/${plan.shard.count}` : ''}.`,
    ...(registry ? [`Images are under ${codeSpan(registry)}.`] : [])
  ];
  const open = (repo: PlannedRepo): boolean => {
    const o = planOutlook([repo], results);
    return o.toDispatch > 0 || o.gaps > 0;
  };
  for (const repo of [...plan.repos.filter(open), ...plan.repos.filter((r) => !open(r))]) {
    const repoTable = table(
      ['Git tag', 'Image', 'Branches', 'Workflow', 'Decision', 'Source'],
      imagesInBuildOrder(repo).map(({ image, build }) => [
        gitTagLink(links, plan.org, repo.githubRepo, image),
        imageCell(links, image.fullImage, image.fullImage.slice(registry.length)),
        tableCell(image.branches.join(', ') || '—'),
        build ? workflowCell(links, plan.org, build) : '—',
        build ? decisionText(build) : gapText(image, outcomeOf.get(`${image.githubRepo}\u0000${image.fullImage}`)),
        tableCell(describeSources(image))
      ])
    );
    const outlook = describeOutlook(planOutlook([repo], results));
    if (open(repo)) parts.push(`### ${tableCell(repo.githubRepo)}: ${tableCell(outlook)}`, repoTable);
    else parts.push(details(`${repo.githubRepo}: ${outlook.replace(/^0 builds to dispatch, /, '')}`, repoTable));
  }
  return parts.join('\n\n') + '\n';
}

/** The workflow file at the build's tag, linked, and how it was chosen. */
function workflowCell(links: SummaryLinks, org: string, build: PlannedBuild): string {
  const url = repoPageUrl(links.serverUrl, org, build.githubRepo, 'blob', build.gitTag, build.workflow.path);
  return `${link(build.workflow.path.replace(/^\.github\/workflows\//, ''), url)} (by ${build.chosenBy})`;
}

/** `🔁 dispatch: golang:1.23-alpine was published …`, `🟰 up to date: built …`, or `🔁 dispatch: rebuild: always`. */
function decisionText(build: PlannedBuild): string {
  if (!build.decision) return '🔁 dispatch: rebuild: always';
  const upgrades = build.decision.rebuild ? upgradesCell(build.decision.packages) : '';
  return `${build.decision.rebuild ? '🔁 dispatch' : '🟰 up to date'}: ${tableCell(build.decision.why, 400)}${upgrades ? `<br>${upgrades}` : ''}`;
}

/** An image without a build: why, or where its acknowledgement is said. */
function gapText(image: PlannedImage, result: BuildResult | undefined): string {
  if (result?.outcome === 'acknowledged') return `📝 acknowledged gap: see ${ACKNOWLEDGED_SECTION} below`;
  return `⚠️ no build: ${tableCell(image.reason ?? 'unresolved')}`;
}

/** A repo's images, each with the build that builds it: builds in plan order, then the images without one. */
function imagesInBuildOrder(repo: PlannedRepo): { image: PlannedImage; build?: PlannedBuild }[] {
  const buildOf = new Map<string, PlannedBuild>();
  for (const build of repo.builds) for (const image of build.images) buildOf.set(image, build);
  const withBuild = repo.images.filter((i) => buildOf.has(i.fullImage));
  const order = (i: PlannedImage): number => repo.builds.indexOf(buildOf.get(i.fullImage) as PlannedBuild);
  return [
    ...withBuild.sort((a, b) => order(a) - order(b)).map((image) => ({ image, build: buildOf.get(image.fullImage) })),
    ...repo.images.filter((i) => !buildOf.has(i.fullImage)).map((image) => ({ image }))
  ];
}

/** The plan as plain text columns, for a terminal. */
export function renderPlanText(plan: Plan): string {
  const rows = plan.repos.flatMap((repo) =>
    imagesInBuildOrder(repo).map(({ image: i, build }) => [
      i.githubRepo,
      i.gitTag,
      i.fullImage,
      i.branches.join(',') || '-',
      describeSources(i),
      build
        ? `${build.workflow.path}${build.decision ? ` (${build.decision.rebuild ? 'rebuild' : 'up to date'}: ${build.decision.why})` : ''}`
        : `no build: ${i.reason ?? 'unresolved'}`
    ])
  );
  const headers = ['REPO', 'GIT TAG', 'IMAGE', 'BRANCHES', 'SOURCE', 'WORKFLOW'];
  return textTable(headers, rows);
}
