import type { FromSchema } from 'json-schema-to-ts';
import type { planSchema } from './plan-schema.js';
import type { FoundImage, ImageSource } from './found-image.js';
import { shortName } from './found-image.js';

/** The commit a git tag points at, or why it could not be resolved. */
export type TagResolution = { ok: true; commit: string } | { ok: false; reason: string };

/**
 * Every decision of a run, before anything is dispatched: what `plan-file` holds and `from-plan`
 * reads. Typed from plan.schema.json, the one source of the contract: per repo its images (each
 * `resolved`, one build builds it, or `unresolved` with its `reason`) and its builds (a workflow at
 * a git tag, building every image it lists); `problems` are what planning reported besides the
 * gaps, passed on by a job that dispatches the plan from a file.
 */
export type Plan = FromSchema<typeof planSchema>;
export type PlannedRepo = Plan['repos'][number];
export type PlannedImage = PlannedRepo['images'][number];
export type PlannedBuild = PlannedRepo['builds'][number];
/** The workflow a build dispatches (`path`: `.github/workflows/build_and_release_image.yaml`). */
export type PlannedWorkflow = PlannedBuild['workflow'];
/** How the workflow was chosen: an `image-name` input at the tag, the original tool's name rule, or a configured override. */
export type WorkflowChosenBy = PlannedBuild['chosenBy'];
export type BranchReport = Plan['branches'][number];
/** Which part of a plan a job dispatches (`shard: K/N`). */
export type Shard = NonNullable<Plan['shard']>;

/** The plan file's format; a reader refuses other versions. */
export const PLAN_VERSION: Plan['version'] = 3;

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
