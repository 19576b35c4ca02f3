import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildResult } from '../../src/dispatch/build-result.js';
import { runBundle } from '../support/run-action.js';
import { sampleInputs, startSampleStream, type LocalParts } from '../support/sample-stream.js';

const inputs = sampleInputs;

describe('a late error or a cancel never costs the report', () => {
  let parts: LocalParts | undefined;
  let temp: string | undefined;
  afterEach(async () => {
    await parts?.stop();
    if (temp) rmSync(temp, { recursive: true, force: true });
    parts = undefined;
    temp = undefined;
  });

  it('checks output paths before any request: makes missing folders, refuses paths out of the workspace', async () => {
    parts = await startSampleStream();
    const outside = await runBundle('dist/index.js', parts.actionEnv(inputs(parts, { 'results-file': '../../x.json' })));
    expect(outside.code).toBe(1);
    expect(outside.stdout).toContain('::error::input results-file: "../../x.json" is outside GITHUB_WORKSPACE');
    expect(parts.github.requests).toHaveLength(0);

    const nested = await runBundle(
      'dist/index.js',
      parts.actionEnv(inputs(parts, { 'dry-run': 'true', 'results-file': '', 'plan-file': 'new/deeper/plan.json' }))
    );
    expect(nested.code).toBe(0);
    expect(existsSync(join(parts.workDir, 'new', 'deeper', 'plan.json'))).toBe(true);
  });

  it('reports every dispatched build with its run link when the GitHub API goes silent while watching', async () => {
    parts = await startSampleStream({
      config: (c) => {
        (c.configuration as Record<string, unknown>).timeouts = { 'github-api-seconds': 1 };
      },
      emulator: { runScript: () => ({ queuedMs: 500, runMs: 600_000, conclusion: 'success' }) }
    });
    const github = parts.github;
    github.faults.push({ method: 'GET', path: /\/actions\/runs$/, status: 'hang', times: 1000, when: () => github.dispatches.length > 0 });
    const run = await runBundle('dist/index.js', parts.actionEnv(inputs(parts, { 'results-file': 'out/results.json' })), 120_000);
    expect(run.code).toBe(1);
    expect(run.summary).toMatch(
      /> ⚠️ The job stopped early: GitHub API: GET \/repos\/Cray-HPE\/[\w-]+\/actions\/runs gave no answer in 1 s \(3 tries\)/
    );
    const { results } = JSON.parse(readFileSync(join(parts.workDir, 'out', 'results.json'), 'utf8')) as { results: BuildResult[] };
    const dispatched = results.filter((r) => r.runId !== undefined);
    expect(dispatched.length).toBe(github.dispatches.length);
    expect(dispatched.length).toBeGreaterThan(0);
    for (const r of dispatched) {
      expect(r.outcome).toBe('running');
      expect(run.summary).toContain(`(${r.runUrl ?? ''})`);
    }
    expect(run.outputs.dispatched).toBe(String(dispatched.length));
    expect(run.stdout).toMatch(/::error::the job stopped early: GitHub API: GET/);
  });

  it('a cancelled job (SIGINT) writes what it dispatched, with run links, and leaves no temp folder', async () => {
    parts = await startSampleStream({ emulator: { runScript: () => ({ queuedMs: 500, runMs: 600_000, conclusion: 'success' }) } });
    temp = mkdtempSync(join(tmpdir(), 'cancel-tmp-'));
    const github = parts.github;
    const env = { ...parts.actionEnv(inputs(parts, { 'results-file': 'results.json' })), TMPDIR: temp };
    let signalledAt = 0;
    const run = await runBundle('dist/index.js', env, 120_000, [], [], (child) => {
      const poll = setInterval(() => {
        // once four dispatches reached GitHub (three were answered: they are spaced a second apart) and runs were listed
        if (github.dispatches.length >= 4 && github.requests.some((r) => r.path.endsWith('/actions/runs') && r.method === 'GET')) {
          clearInterval(poll);
          signalledAt = Date.now();
          child.kill('SIGINT');
        }
      }, 100);
      child.on('close', () => clearInterval(poll));
    });
    expect(signalledAt).toBeGreaterThan(0);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::the job was cancelled (SIGINT): reporting what is known and stopping');
    expect(run.summary).toContain(
      '> ⚠️ The job stopped early: it was cancelled (SIGINT); builds still running go on without being watched'
    );
    const { results } = JSON.parse(readFileSync(join(parts.workDir, 'results.json'), 'utf8')) as { results: BuildResult[] };
    // every dispatch GitHub received is reported: with its run link, or (the one being sent when the cancel came) as maybe sent
    const dispatched = results.filter((r) => r.runId !== undefined);
    const unanswered = results.filter((r) => r.reason?.startsWith('the job stopped while its dispatch was being sent'));
    expect(unanswered.length).toBeLessThanOrEqual(1);
    expect(dispatched.length).toBeLessThanOrEqual(github.dispatches.length);
    expect(dispatched.length + unanswered.length).toBeGreaterThanOrEqual(github.dispatches.length);
    expect(dispatched.length).toBeGreaterThanOrEqual(3);
    for (const r of dispatched) expect(run.summary).toContain(`(${r.runUrl ?? ''})`);
    expect(readdirSync(temp)).toEqual([]);
  });
});
