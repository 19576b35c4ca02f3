import type { Octokit } from './client.js';
import type { TagResolution } from '../plan/plan.js';
import type { RepoTag } from '../plan/planning-api.js';
import { httpStatus } from '../errors.js';
import { allPages } from './listing.js';

/** Every tag of a repo, all pages. */
export async function listTags(octokit: Octokit, owner: string, repo: string): Promise<RepoTag[]> {
  const tags = await allPages(
    octokit.paginate.iterator('GET /repos/{owner}/{repo}/tags', { owner, repo, per_page: 100 }),
    `GET /repos/${owner}/${repo}/tags`
  );
  return tags.map((t) => ({ name: t.name, commit: t.commit.sha }));
}

/** The commit a git tag points at, with one ref lookup (and one more for an annotated tag). */
export async function resolveTag(octokit: Octokit, owner: string, repo: string, tag: string): Promise<TagResolution> {
  try {
    const { data: ref } = await octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner, repo, ref: `tags/${tag}` });
    if (ref.object.type === 'commit') return { ok: true, commit: ref.object.sha };
    if (ref.object.type === 'tag') {
      const { data: annotated } = await octokit.request('GET /repos/{owner}/{repo}/git/tags/{tag_sha}', {
        owner,
        repo,
        tag_sha: ref.object.sha
      });
      return { ok: true, commit: annotated.object.sha };
    }
    return { ok: false, reason: `tag ${tag} points at a ${ref.object.type}, not a commit` };
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404) return { ok: false, reason: `tag ${tag} does not exist in ${owner}/${repo}` };
    throw error;
  }
}
