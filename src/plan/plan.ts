import type { FoundImage, ImageSource } from './found-image.js';
import { shortName } from './found-image.js';
import type { Problem } from '../log.js';
import type { RebuildDecision } from './rebuild-decision.js';

/** The commit a git tag points at, or why it could not be resolved. */
export type TagResolution = { ok: true; commit: string } | { ok: false; reason: string };

/** An image of the plan. `resolved`: one build of the plan builds it; `unresolved`: it gets no build, and `reason` says why. */
export interface PlannedImage {
  githubRepo: string;
  /** `registry/path/name:tag` */
  fullImage: string;
  repository: string;
  name: string;
  tag: string;
  gitTag: string;
  commit?: string;
  branches: string[];
  sources: ImageSource[];
  state: 'resolved' | 'unresolved';
  /** Why the image cannot be dispatched, when it is unresolved. */
  reason?: string;
  /** The repo's release page for the git tag, when there is a release (the summary links it). */
  releaseUrl?: string;
}

/** The workflow a build dispatches. */
export interface PlannedWorkflow {
  id: number;
  name: string;
  /** `.github/workflows/build_and_release_image.yaml` */
  path: string;
}

/** How the workflow was chosen: an `image-name` input at the tag, the original tool's name rule, or a configured override. */
export type WorkflowChosenBy = 'image-name' | 'workflow-name' | 'override';

/** One workflow run to obtain: a workflow of a repo dispatched at a git tag, building every image it lists. */
export interface PlannedBuild {
  githubRepo: string;
  gitTag: string;
  commit: string;
  workflow: PlannedWorkflow;
  chosenBy: WorkflowChosenBy;
  /** `fullImage` of each image of the repo it builds. */
  images: string[];
  /** The Dockerfile the workflow builds (its `docker-build-file` or `docker-build-context` input; `Dockerfile` without). */
  dockerfile?: string;
  /** With `rebuild: when-outdated`: whether to dispatch it, why, and the registry's evidence. */
  decision?: RebuildDecision;
}

export interface PlannedRepo {
  githubRepo: string;
  images: PlannedImage[];
  /** Every build of the repo: each resolved image is in exactly one. */
  builds: PlannedBuild[];
}

export interface BranchReport {
  branch: string;
  commit: string;
  images: number;
}

/** The plan file's format; a reader refuses other versions. */
export const PLAN_VERSION = 2;

/** Which part of a plan a job dispatches (`shard: K/N`). */
export interface Shard {
  index: number;
  count: number;
}

/** Every decision of a run, before anything is dispatched: what `plan-file` holds and `from-plan` reads. */
export interface Plan {
  version: typeof PLAN_VERSION;
  /** ISO time planning ended. */
  createdAt: string;
  /** Present when this is one shard of a plan. */
  shard?: Shard;
  org: string;
  productStreamRepo: string;
  branches: BranchReport[];
  repos: PlannedRepo[];
  /**
   * What planning reported besides the gaps (which the images carry): a job that dispatches the plan
   * from a file passes them on, so the report of a sharded run says what a single job would.
   */
  problems?: Problem[];
}

/** The git tag that builds an image tag: `v<image tag>`, unless the tag already has its `v`. */
export function gitTagFor(imageTag: string): string {
  return imageTag.startsWith('v') ? imageTag : `v${imageTag}`;
}

function sourceKey(source: ImageSource): string {
  return JSON.stringify(source);
}

/**
 * Merge what the finders found into one plan: the same image on several branches or from several
 * sources becomes one entry listing all of them; repos and images come out sorted.
 */
export function mergeFoundImages(found: readonly FoundImage[]): PlannedRepo[] {
  const byImage = new Map<string, PlannedImage & { sourceKeys: Set<string> }>();
  for (const image of found) {
    const fullImage = `${image.repository}:${image.tag}`;
    const key = `${image.githubRepo}\u0000${fullImage}`;
    let entry = byImage.get(key);
    if (!entry) {
      entry = {
        githubRepo: image.githubRepo,
        fullImage,
        repository: image.repository,
        name: shortName(image.repository),
        tag: image.tag,
        gitTag: gitTagFor(image.tag),
        branches: [],
        sources: [],
        state: 'resolved',
        sourceKeys: new Set()
      };
      byImage.set(key, entry);
    }
    if (image.commit && !entry.commit) entry.commit = image.commit;
    if ('branch' in image.source && !entry.branches.includes(image.source.branch)) entry.branches.push(image.source.branch);
    const k = sourceKey(image.source);
    if (!entry.sourceKeys.has(k)) {
      entry.sourceKeys.add(k);
      entry.sources.push(image.source);
    }
  }
  const repos = new Map<string, PlannedImage[]>();
  for (const { sourceKeys: _unused, ...image } of byImage.values()) {
    const list = repos.get(image.githubRepo) ?? [];
    list.push(image);
    repos.set(image.githubRepo, list);
  }
  return [...repos.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([githubRepo, images]) => ({
      githubRepo,
      builds: [],
      images: images.sort((a, b) => a.name.localeCompare(b.name) || a.tag.localeCompare(b.tag, undefined, { numeric: true }))
    }));
}

/** The (repo, git tag) pairs whose commit must be looked up: each once, whatever number of images share it. */
export function tagsToResolve(repos: readonly PlannedRepo[]): { githubRepo: string; gitTag: string }[] {
  const seen = new Set<string>();
  const result: { githubRepo: string; gitTag: string }[] = [];
  for (const repo of repos)
    for (const image of repo.images) {
      const key = `${image.githubRepo}\u0000${image.gitTag}`;
      if (image.commit || seen.has(key)) continue;
      seen.add(key);
      result.push({ githubRepo: image.githubRepo, gitTag: image.gitTag });
    }
  return result;
}

/** Every planned git tag of each repo, once. */
export function tagsOfRepos(repos: readonly PlannedRepo[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const repo of repos) {
    const tags = [...new Set(repo.images.map((i) => i.gitTag))];
    if (tags.length > 0) result.set(repo.githubRepo, tags);
  }
  return result;
}

/** Each image whose git tag has a release gets that release's page. */
export function applyReleaseUrls(repos: readonly PlannedRepo[], urls: ReadonlyMap<string, string>): PlannedRepo[] {
  if (urls.size === 0) return [...repos];
  return repos.map((repo) => ({
    ...repo,
    images: repo.images.map((image) => {
      const url = urls.get(tagKey(image.githubRepo, image.gitTag));
      return url ? { ...image, releaseUrl: url } : image;
    })
  }));
}

/** Record the tag lookups in the plan; an image whose tag is missing is unresolved and will not be dispatched. */
export function applyTagResolutions(repos: readonly PlannedRepo[], resolutions: ReadonlyMap<string, TagResolution>): PlannedRepo[] {
  return repos.map((repo) => ({
    ...repo,
    images: repo.images.map((image) => {
      if (image.commit) return image;
      const resolution = resolutions.get(`${image.githubRepo}\u0000${image.gitTag}`);
      if (!resolution) return image;
      return resolution.ok
        ? { ...image, commit: resolution.commit, state: 'resolved' as const }
        : { ...image, state: 'unresolved' as const, reason: resolution.reason };
    })
  }));
}

export function tagKey(githubRepo: string, gitTag: string): string {
  return `${githubRepo}\u0000${gitTag}`;
}

export function planImages(plan: Pick<Plan, 'repos'>): PlannedImage[] {
  return plan.repos.flatMap((r) => r.images);
}

export function planBuilds(plan: Pick<Plan, 'repos'>): PlannedBuild[] {
  return plan.repos.flatMap((r) => r.builds);
}

/** A build's identity: a workflow of a repo at a git tag (never dispatched twice in a run). */
export function buildKey(build: Pick<PlannedBuild, 'githubRepo' | 'gitTag'> & { workflow: { id: number } }): string {
  return `${build.githubRepo}\u0000${build.workflow.id}\u0000${build.gitTag}`;
}
