import pLimit from 'p-limit';
import type { NonManifestImages } from '../config/configuration.js';
import { compileAnchored } from '../config/configuration.js';
import { errorMessage, rethrowIfFatal } from '../errors.js';
import type { Log, PhaseLog } from '../log.js';
import type { FoundImage } from './found-image.js';
import {
  applyReleaseUrls,
  applyTagResolutions,
  mergeFoundImages,
  tagKey,
  tagsOfRepos,
  tagsToResolve,
  type PlannedRepo,
  type TagResolution
} from './plan.js';
import type { PlanningApi } from './planning-api.js';
import { counted } from '../words.js';

/** GitHub requests in flight at once for tag listings and single tag lookups (well under GitHub's 100 concurrent). */
export const TAG_REQUESTS = 8;

/**
 * What planning learnt of each planned git tag, kept as values for the later steps: the workflow
 * files at it (choosing workflows needs no more requests) and its root Dockerfile (deciding a
 * rebuild needs none either). Keyed by `tagKey(repo, tag)`.
 */
export interface TagFacts {
  workflowFiles: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** The root Dockerfile at a tag; null when the tag has none. */
  dockerfiles: ReadonlyMap<string, string | null>;
}

export const NO_TAG_FACTS: TagFacts = { workflowFiles: new Map(), dockerfiles: new Map() };

/** A file at a planned tag: the root Dockerfile from the facts when they hold it, anything else read. */
export function fileAtTag(facts: TagFacts, api: Pick<PlanningApi, 'readFile'>) {
  return async (repo: string, path: string, tag: string): Promise<string | undefined> => {
    const known = path === 'Dockerfile' ? facts.dockerfiles.get(tagKey(repo, tag)) : undefined;
    if (known !== undefined) return known ?? undefined;
    return api.readFile(repo, path, tag);
  };
}

/** The images of `non-manifest-images`: every git tag of a repo matching its regex. */
export async function findTagImages(
  api: Pick<PlanningApi, 'listTags'>,
  entries: readonly NonManifestImages[],
  log: PhaseLog
): Promise<FoundImage[]> {
  const limit = pLimit(TAG_REQUESTS);
  const results = await Promise.all(
    entries.map((entry, i) =>
      limit(async (): Promise<FoundImage[]> => {
        const repo = entry['github-repo'];
        const pattern = compileAnchored(entry['tag-regex']);
        let tags;
        try {
          tags = await api.listTags(repo);
        } catch (error) {
          rethrowIfFatal(error);
          log.problem({
            severity: 'error',
            message: `cannot list tags: ${errorMessage(error)}`,
            where: { repo, yamlPath: `non-manifest-images[${i}]` }
          });
          return [];
        }
        const matching = tags.filter((t) => pattern.test(t.name));
        log.info(`${repo}: ${matching.length} of ${counted(tags.length, 'tag')} match ${entry['tag-regex']}`);
        return matching.map((t) => ({
          repository: entry.image_repo,
          tag: t.name.replace(/^v/, ''),
          githubRepo: repo,
          commit: t.commit,
          source: { kind: 'git-tag', repo }
        }));
      })
    )
  );
  return results.flat();
}

/**
 * Look up the planned tags: their commits (for the tags no listing resolved), the workflow files at
 * each, their root Dockerfile and their releases, in a few GraphQL requests; a tag they do not answer
 * is looked up with REST (a server without GraphQL, a query that failed).
 */
export async function lookUpTags(
  api: Pick<PlanningApi, 'readTagSnapshots' | 'resolveTag'>,
  repos: ReturnType<typeof mergeFoundImages>,
  org: string,
  log: Log
): Promise<{ repos: PlannedRepo[]; facts: TagFacts }> {
  const wanted = tagsToResolve(repos);
  const needed = new Set(wanted.map((w) => tagKey(w.githubRepo, w.gitTag)));
  const pairs = [...tagsOfRepos(repos).entries()].flatMap(([repo, tags]) => tags.map((tag) => ({ repo, tag })));
  const resolutions = new Map<string, TagResolution>();
  const releaseUrls = new Map<string, string>();
  const workflowFiles = new Map<string, Map<string, string>>();
  const dockerfiles = new Map<string, string | null>();
  const answered = new Set<string>();
  for (const snapshot of await api.readTagSnapshots(pairs)) {
    const key = tagKey(snapshot.repo, snapshot.tag);
    answered.add(key);
    if (snapshot.releaseUrl) releaseUrls.set(key, snapshot.releaseUrl);
    if (snapshot.workflowFiles) workflowFiles.set(key, snapshot.workflowFiles);
    if (snapshot.dockerfile !== undefined) dockerfiles.set(key, snapshot.dockerfile);
    if (!needed.has(key)) continue;
    resolutions.set(
      key,
      snapshot.commit
        ? { ok: true, commit: snapshot.commit }
        : { ok: false, reason: `tag ${snapshot.tag} does not exist in ${org}/${snapshot.repo}` }
    );
  }
  const limit = pLimit(TAG_REQUESTS);
  const rest = pairs.filter(({ repo, tag }) => needed.has(tagKey(repo, tag)) && !answered.has(tagKey(repo, tag)));
  await Promise.all(
    rest.map(({ repo, tag }) =>
      limit(async () => {
        let resolution: TagResolution;
        try {
          resolution = await api.resolveTag(repo, tag);
        } catch (error) {
          rethrowIfFatal(error);
          resolution = { ok: false, reason: `cannot look up tag ${tag}: ${errorMessage(error)}` };
        }
        resolutions.set(tagKey(repo, tag), resolution);
      })
    )
  );
  log.info(`${counted(wanted.length, 'git tag')} looked up, ${[...resolutions.values()].filter((r) => !r.ok).length} missing`);
  return { repos: applyReleaseUrls(applyTagResolutions(repos, resolutions), releaseUrls), facts: { workflowFiles, dockerfiles } };
}
