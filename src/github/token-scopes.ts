import type { TokenPermissions } from './client.js';

/**
 * What each installation token of a run may do, one token per phase (README, "GitHub App"). Each
 * is also limited to the repositories its phase reads or writes; `metadata: read` comes with all.
 */
export const TOKEN_PERMISSIONS = {
  /** Cloning the product stream repo. */
  productStream: { contents: 'read' },
  /** Planning: tags, workflow files at tags (contents), workflow listings (actions). */
  planning: { contents: 'read', actions: 'read' },
  /** Dispatching, watching, re-running and cancelling builds. */
  builds: { actions: 'write' },
  /** The failure issue, in failure-issue-repo only. */
  failureIssue: { issues: 'write' }
} as const satisfies Record<string, TokenPermissions>;
