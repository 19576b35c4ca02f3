/**
 * The embedded demo: the main job with no credentials. Starts the local GitHub emulator, git
 * server and chart repository with the sample product stream of the tests (three release
 * branches, six repos, four charts, one build that fails), then runs the built action
 * (dist/index.js) exactly as the Actions runner does and prints its log and job summary.
 *
 *   npm run demo              plan, dispatch, monitor, report
 *   npm run demo -- --dry-run plan only
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBundle } from '../__tests__/support/run-action.js';
import { CHART_PASSWORD, CHART_USER, commitOf, startSampleStream } from '../__tests__/support/sample-stream.js';

const dryRun = process.argv.includes('--dry-run');
const FAILING = { repo: 'hms-rts', ref: 'v3.1.1' };

const started = Date.now();
const parts = await startSampleStream({
  emulator: {
    runScript: (repo, _workflow, ref) => ({
      queuedMs: 1000,
      runMs: 3000,
      conclusion: repo === FAILING.repo && ref === FAILING.ref ? 'failure' : 'success'
    })
  }
});
let exitCode = 1;
try {
  const hta = parts.github.repo('hardware-topology-assistant');
  if (hta) hta.tags['v0.3.1'] = commitOf('hta-0.3.1');
  console.log(`Local GitHub emulator ${parts.github.url}, git server ${parts.git.url}, chart repository ${parts.charts.url}`);
  console.log(`Running dist/index.js${dryRun ? ' (dry run)' : ''} as the Actions runner would…\n`);
  const env = parts.actionEnv({
    config: parts.configFile,
    'dry-run': String(dryRun),
    'app-id': parts.github.appId,
    'private-key': parts.github.privateKey,
    'chart-repo-username': CHART_USER,
    'chart-repo-password': CHART_PASSWORD,
    'results-file': 'results.json'
  });
  const run = await runBundle('dist/index.js', env, 300_000);
  const log = run.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::') && !l.startsWith('::debug::'))
    .map((l) => l.replace(/^::group::/, '▸ ').replace(/^::endgroup::$/, ''))
    .filter((l) => l !== '')
    .join('\n');
  console.log(log);
  console.log('\n──────── job summary ($GITHUB_STEP_SUMMARY) ────────\n');
  console.log(run.summary);
  console.log(`outputs: ${['dispatched', 'succeeded', 'failed'].map((k) => `${k}=${run.outputs[k] ?? '-'}`).join(' ')}`);
  if (!dryRun) console.log(`results file: ${readFileSync(join(parts.workDir, 'results.json'), 'utf8').length} bytes of JSON`);
  console.log(`the action exited ${run.code} after ${(run.ms / 1000).toFixed(1)} s`);
  const expected = dryRun ? 0 : 1;
  if (run.code === expected) {
    console.log(
      dryRun
        ? 'demo done: plan built, nothing dispatched.'
        : `demo done: one build (${FAILING.repo} ${FAILING.ref}) failed and the action failed the job, as it should.`
    );
    exitCode = 0;
  } else {
    console.error(`demo: the action exited ${run.code}, expected ${expected}`);
  }
} finally {
  await parts.stop();
}
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s in all)`);
process.exitCode = exitCode;
