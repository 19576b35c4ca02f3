import type { Plan, PlannedBuild, PlannedImage, PlannedRepo } from '../plan/plan.js';
import { planBuilds, planImages } from '../plan/plan.js';
import { splitImageReference } from '../plan/found-image.js';
import { codeSpan, repoPageUrl, tableCell } from '../escape.js';
import { link, table } from './markdown.js';

/** Where the summary's links go: the GitHub server, and the registry page of an image when the configuration gives one. */
export interface SummaryLinks {
  serverUrl: string;
  /** `configuration.image-link-template`: `{path}`, `{name}`, `{tag}`, `{repository}` are filled in. */
  imageLinkTemplate?: string;
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

/** Lines a reader must see first (the job stopped early, charts were skipped), as a quote. */
export function renderNotes(notes: readonly string[]): string[] {
  return notes.length === 0 ? [] : [notes.map((n) => `> ⚠️ ${tableCell(n, 2000)}`).join('\n>\n')];
}

/** The dry-run job summary: one table per repo. */
export function renderPlanSummary(plan: Plan, links: SummaryLinks, notes: readonly string[] = []): string {
  const counts = countPlan(plan);
  const parts: string[] = [
    `## Rebuild plan for ${tableCell(plan.org)}/${tableCell(plan.productStreamRepo)}`,
    ...renderNotes(notes),
    `${counts.builds} builds of ${counts.resolved} images in ${counts.repos} repos, from ${counts.branches} branches ` +
      `(${plan.branches.map((b) => tableCell(b.branch)).join(', ') || 'none'})` +
      `${plan.shard ? ` (shard ${plan.shard.index}/${plan.shard.count})` : ''}; ${counts.unresolved} images get no build.`
  ];
  for (const repo of plan.repos) {
    const builds = repo.builds.length;
    parts.push(`### ${tableCell(repo.githubRepo)}: ${builds} ${builds === 1 ? 'build' : 'builds'}`);
    parts.push(
      table(
        ['Git tag', 'Workflow', 'Image', 'Branches', 'Source'],
        imagesInBuildOrder(repo).map(({ image, build }) => [
          gitTagLink(links, plan.org, repo.githubRepo, image),
          build ? workflowCell(links, plan.org, build) : `⚠️ no build: ${tableCell(image.reason ?? 'unresolved')}`,
          imageCell(links, image.fullImage, image.fullImage),
          tableCell(image.branches.join(', ') || '—'),
          tableCell(describeSources(image))
        ])
      )
    );
  }
  return parts.join('\n\n') + '\n';
}

/** The workflow file at the build's tag, linked, how it was chosen, and (rebuild: when-outdated) the decision and why. */
function workflowCell(links: SummaryLinks, org: string, build: PlannedBuild): string {
  const url = repoPageUrl(links.serverUrl, org, build.githubRepo, 'blob', build.gitTag, build.workflow.path);
  const cell = `${link(build.workflow.path.replace(/^\.github\/workflows\//, ''), url)} (by ${build.chosenBy})`;
  return build.decision ? `${cell}<br>${decisionText(build)}` : cell;
}

/** `🔁 rebuild: golang:1.23-alpine was published …` or `🟰 up to date: built …; …`, escaped for a table cell. */
function decisionText(build: PlannedBuild): string {
  if (!build.decision) return '';
  return `${build.decision.rebuild ? '🔁 rebuild' : '🟰 up to date'}: ${tableCell(build.decision.why, 400)}`;
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

export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
