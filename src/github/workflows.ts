import type { Octokit } from './client.js';
import type { WorkflowInfo } from '../plan/workflow-choice.js';
import { errorMessage, httpStatus } from '../errors.js';
import { FileTooLarge, MAX_WORKFLOW_FILE_BYTES } from '../plan/planning-api.js';
import { allPages } from './listing.js';

/** The workflows of a repo, all pages; one listing per repo per run. */
export async function listWorkflows(octokit: Octokit, owner: string, repo: string): Promise<WorkflowInfo[]> {
  const workflows = await allPages(
    octokit.paginate.iterator('GET /repos/{owner}/{repo}/actions/workflows', { owner, repo, per_page: 100 }),
    `GET /repos/${owner}/${repo}/actions/workflows`
  );
  return workflows.map((w) => ({ id: w.id, name: w.name, path: w.path, state: w.state }));
}

/** A file's text at a ref, or undefined when the file (or the ref) does not exist; a file over the bound throws FileTooLarge. */
export async function readFileAtRef(octokit: Octokit, owner: string, repo: string, path: string, ref: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path, ref });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
    if (data.size > MAX_WORKFLOW_FILE_BYTES || data.encoding === 'none') throw new FileTooLarge(path, data.size);
    return Buffer.from(data.content, 'base64').toString('utf8');
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    // GitHub answers 403 for files of 1 MB and more
    if (httpStatus(error) === 403 && /too large/i.test(errorMessage(error))) throw new FileTooLarge(path, undefined);
    throw error;
  }
}
