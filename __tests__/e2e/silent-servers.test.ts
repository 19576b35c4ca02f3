import { runBundle } from '../support/run-action.js';
import { CHART_PASSWORD, CHART_USER, startSampleStream, type LocalParts } from '../support/sample-stream.js';
import { startSilentServer, type SilentServer } from '../support/silent-server.js';

/** Deadlines of a few seconds, so each silent server ends the job in seconds rather than minutes. */
const shortTimeouts = (c: Record<string, unknown>): void => {
  (c.configuration as Record<string, unknown>).timeouts = {
    'github-api-seconds': 1,
    'git-stall-seconds': 2,
    'chart-download-seconds': 2,
    'helm-template-seconds': 30
  };
};

describe('a server that accepts and never answers ends the job with one error naming it', () => {
  let parts: LocalParts | undefined;
  let silent: SilentServer | undefined;
  afterEach(async () => {
    await Promise.all([parts?.stop(), silent?.close()]);
    parts = undefined;
    silent = undefined;
  });

  const inputs = (p: LocalParts): Record<string, string> => ({
    config: p.configFile,
    'dry-run': 'true',
    'app-id': p.github.appId,
    'private-key': p.github.privateKey,
    'chart-repo-username': CHART_USER,
    'chart-repo-password': CHART_PASSWORD
  });

  it('the GitHub API: each request has a deadline, reads are tried 3 times', async () => {
    parts = await startSampleStream({ config: shortTimeouts });
    silent = await startSilentServer();
    const run = await runBundle('dist/index.js', { ...parts.actionEnv(inputs(parts)), GITHUB_API_URL: silent.url }, 60_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::GitHub API: GET /orgs/Cray-HPE/installation gave no answer in 1 s (3 tries)');
    expect(silent.requests).toEqual(Array(3).fill('GET /orgs/Cray-HPE/installation HTTP/1.1'));
    expect(run.summary).toContain(
      '> ⚠️ The job stopped early: GitHub API: GET /orgs/Cray-HPE/installation gave no answer in 1 s (3 tries)'
    );
    expect(run.summary).toContain('Nothing was dispatched: the job stopped while planning.');
    expect(run.annotations.filter((a) => a.kind === 'error')).toHaveLength(1);
    expect(run.ms).toBeLessThan(30_000);
  });

  it('git: a transfer that stalls is stopped', async () => {
    parts = await startSampleStream({ config: shortTimeouts });
    silent = await startSilentServer();
    const run = await runBundle('dist/index.js', { ...parts.actionEnv(inputs(parts)), GITHUB_SERVER_URL: silent.url }, 60_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`::error::git server: git ls-remote ${silent.url}/Cray-HPE/csm gave no answer in 2 s`);
    expect(run.ms).toBeLessThan(30_000);
  });

  it('the chart repository: the first silent download ends the job, no other download waits on it', async () => {
    parts = await startSampleStream({ config: shortTimeouts });
    silent = await startSilentServer();
    const run = await runBundle(
      'dist/index.js',
      parts.actionEnv({ ...inputs(parts), 'chart-repo-rewrite': `${parts.charts.url}/=${silent.url}/` }),
      60_000
    );
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.kind === 'error').map((a) => a.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `^chart repository ${silent.url}: GET /artifactory/csm-helm-charts/stable/cray-hms-[a-z]+/cray-hms-[a-z]+-[\\d.]+\\.tgz gave no answer in 2 s$`
      )
    );
    expect(run.ms).toBeLessThan(30_000);
  });

  it('a cancel mid-plan aborts the requests in flight, and the process ends by itself (no process.exit())', async () => {
    // a long deadline: only the cancel can end these downloads
    parts = await startSampleStream({
      config: (c) => ((c.configuration as Record<string, unknown>).timeouts = { 'chart-download-seconds': 120 })
    });
    silent = await startSilentServer();
    const server = silent;
    let signalledAt = 0;
    const run = await runBundle(
      'dist/index.js',
      parts.actionEnv({ ...inputs(parts), 'chart-repo-rewrite': `${parts.charts.url}/=${server.url}/` }),
      60_000,
      [],
      [],
      (child) => {
        const wait = setInterval(() => {
          if (server.requests.length < 2) return;
          clearInterval(wait);
          signalledAt = Date.now();
          child.kill('SIGTERM');
        }, 50);
        child.on('close', () => clearInterval(wait));
      }
    );
    expect(signalledAt).toBeGreaterThan(0);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the job was cancelled (SIGTERM)');
    expect(run.summary).toContain('Nothing was dispatched: the job stopped while planning.');
    // the process ended within seconds of the signal, its downloads aborted: none waited on its 120 s deadline
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    for (let i = 0; i < 50 && server.open() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.open()).toBe(0);
  });
});
