import type { TagResolution } from './plan.js';
import type { WorkflowInfo } from './workflow-choice.js';
import { formatMegabytes, MEGABYTE } from '../bytes.js';

/** Workflow files are read up to this size (real HMS workflows are a few kilobytes; GitHub's contents API stops at 1 MB). */
export const MAX_WORKFLOW_FILE_BYTES = MEGABYTE;

/** A file that is there but too large to read: said as such, never as missing. */
export class FileTooLarge extends Error {
  override readonly name = 'FileTooLarge';
  constructor(path: string, bytes: number | undefined) {
    super(
      `${path} is too large to read${bytes === undefined ? '' : ` (${formatMegabytes(bytes, 1)})`}: more than the ${formatMegabytes(MAX_WORKFLOW_FILE_BYTES)} a workflow file may be`
    );
  }
}

/** A tag of a repo and the commit it points at. */
export interface RepoTag {
  name: string;
  commit: string;
}

/** What planning needs to know of one git tag: its commit, the workflow files at it, its release. */
export interface TagSnapshot {
  repo: string;
  tag: string;
  /** The commit the tag points at; undefined when the tag does not exist. */
  commit: string | undefined;
  /** Workflow file path → text, at the tag; undefined when the tag or its workflows folder did not come back. */
  workflowFiles: Map<string, string> | undefined;
  /** The page of the repo's release for this tag, when it has one. */
  releaseUrl: string | undefined;
  /** The root `Dockerfile` at the tag; null when the tag has none; undefined when not read. */
  dockerfile?: string | null;
}

/**
 * The GitHub reads planning makes, all in the configured org; the real ones are in src/github,
 * passed in. Planning never writes to GitHub.
 */
export interface PlanningApi {
  /** Every tag of a repo. */
  listTags(repo: string): Promise<RepoTag[]>;
  /** The commit of one tag, with REST (when the snapshots cannot be read). */
  resolveTag(repo: string, tag: string): Promise<TagResolution>;
  /** Commits, workflow files and releases of many (repo, tag) pairs at once (GraphQL). */
  readTagSnapshots(batch: readonly { repo: string; tag: string }[]): Promise<TagSnapshot[]>;
  /** The workflows of a repo (ids, names, paths, states). */
  listWorkflows(repo: string): Promise<WorkflowInfo[]>;
  /** A file's text at a ref; undefined when the file or the ref does not exist; FileTooLarge past the bound. */
  readFile(repo: string, path: string, ref: string): Promise<string | undefined>;
}
