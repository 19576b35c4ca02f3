/**
 * What a silent server (no answer within its deadline) or a refusing one (401/403) means, per kind
 * of server: one table, which docs/troubleshooting.md shows cell for cell (a test holds them
 * together). The consumers named in each row carry it out.
 */
export const SERVER_FAILURES = {
  'GitHub API': {
    silent: 'tried 3 times, then the job stops early with what it knows reported',
    refusing: "one error naming the token's need (`contents: read`, `actions: write`, `issues: write`)",
    where: 'src/github/client.ts'
  },
  'git (product stream)': {
    silent: 'the job stops (`timeouts.git-stall-seconds`)',
    refusing: "the job stops, naming the token's need",
    where: 'src/plan/git.ts'
  },
  'chart repository': {
    silent: 'the job stops: no later download from it is tried',
    refusing: 'that chart is an error; the plan goes on',
    where: 'src/plan/chart-repository.ts'
  },
  'image registry': {
    silent: 'warned once, asked nothing more this run; its builds are rebuilt (fail open)',
    refusing: 'warned per image; the builds are rebuilt',
    where: 'src/registry/registry-client.ts'
  }
} as const;
