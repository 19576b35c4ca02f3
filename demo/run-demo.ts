/**
 * The embedded demo: the main job with no credentials. Starts the local GitHub emulator, git
 * server and chart repository with the sample product stream of the tests (three release
 * branches, six repos, four charts; one flaky build that succeeds on retry, one build that fails
 * twice), then runs the built action (dist/index.js) exactly as the Actions runner does and prints
 * its log, its job summary and the failure issue it keeps.
 *
 *   npm run demo                 plan, dispatch, monitor, report, failure issue; with the CNCF registry
 *                                installed (docker-registry), rebuild: when-outdated against it
 *   npm run demo -- --nights 2   two runs, as on two days: the failure issue counts 2 days in a row
 *   npm run demo -- --dry-run    plan only
 *   npm run demo -- --serve      keep the local servers up and write .env.demo for `npm run local-action`
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBundle } from '../__tests__/support/run-action.js';
import {
  hasRegistry,
  NO_REGISTRY,
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type LocalRegistry
} from '../__tests__/support/image-registry.js';
import {
  addSampleDockerfiles,
  IMAGE_HOST,
  packageIndexRewrites,
  publishSampleImages,
  pushRebuilt
} from '../__tests__/support/sample-images.js';
import { startPackageMirror, type PackageMirror } from '../__tests__/support/package-mirror.js';
import type { Plan } from '../src/plan/plan.js';
import { CHART_PASSWORD, CHART_USER, localActionEnv, startSampleStream } from '../__tests__/support/sample-stream.js';

const dryRun = process.argv.includes('--dry-run');
const nightsFlag = process.argv.indexOf('--nights');
const nights = nightsFlag > 0 ? Math.max(1, Math.min(7, Number(process.argv[nightsFlag + 1]) || 1)) : 1;
const FAILING = { repo: 'hms-rts', ref: 'v3.1.1' };
const FLAKY = { repo: 'hms-smd', ref: 'v2.24.0' };

const started = Date.now();
/** The sample plan, once known, and the pushes of the builds that rebuild images. */
let plan: Plan | undefined;
const rebuilds: Promise<number>[] = [];
const parts = await startSampleStream({
  emulator: {
    // the failing build fails every attempt; the flaky one fails its first attempt only
    runScript: (repo, _workflow, ref, attempt) => {
      // hms-shcd-parser's build pushes its rebuilt images, openssl upgraded: the action reads them again and verifies it
      if (repo === 'hms-shcd-parser' && registry && plan) rebuilds.push(pushRebuilt(registry, plan, repo, ref, true));
      return {
        queuedMs: 1000,
        runMs: 3000,
        conclusion:
          (repo === FAILING.repo && ref === FAILING.ref) || (repo === FLAKY.repo && ref === FLAKY.ref && attempt === 1)
            ? 'failure'
            : 'success'
      };
    }
  }
});
if (process.argv.includes('--serve')) await serve();
let exitCode = 1;
let registry: LocalRegistry | undefined;
let mirror: PackageMirror | undefined;
try {
  registry = await startImageRegistry();
  console.log(`Local GitHub emulator ${parts.github.url}, git server ${parts.git.url}, chart repository ${parts.charts.url}`);
  console.log(`Running dist/index.js${dryRun ? ' (dry run)' : ''} as the Actions runner would…\n`);
  for (let night = 1; night <= (dryRun ? 1 : nights); night++) {
    if (nights > 1) console.log(`\n════════ night ${night} of ${nights} ════════\n`);
    if (night > 1) movePreviousNightsBackADay();
    exitCode = await runNight(night);
    if (exitCode !== 0) break;
  }
} finally {
  await Promise.allSettled(rebuilds);
  await Promise.all([parts.stop(), registry?.stop(), mirror?.close()]);
}
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s in all)`);

/**
 * Keep the sample stream's servers up for `npm run local-action` (GitHub's @github/local-action
 * running src/action.ts from the sources) and print the `.env` it reads; Ctrl-C stops them.
 */
async function serve(): Promise<never> {
  const dotenv = `# written by \`npm run demo -- --serve\`; valid while it runs\n${localActionEnv(parts)}`;
  // .env.demo, never .env: a .env of a person's own is left as it is (npm run local-action takes .env first)
  writeFileSync('.env.demo', `${dotenv}\n`);
  console.log(`Local GitHub emulator ${parts.github.url}, git server ${parts.git.url}, chart repository ${parts.charts.url}`);
  console.log(`\nWrote .env.demo (see .env.example):\n\n${dotenv}\n`);
  console.log(
    `In another terminal: npm run local-action${existsSync('.env') ? ' -- .env.demo   (.env is there, and taken first)' : ''}   (Ctrl-C here stops the servers)`
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await parts.stop();
  process.exit(0);
}

/**
 * The failure issue counts days, and the demo's nights run minutes apart: before each night after
 * the first, the issue's record of the nights before moves back a day, as if they ran on the days before.
 */
function movePreviousNightsBackADay(): void {
  const issue = parts.github.repo('hms-build-workflow-dispatcher')?.issues?.[0];
  if (!issue) return;
  issue.body = issue.body.replace(/\b(\d{4}-\d\d-\d\d)(?=T|\b)/g, (day) =>
    new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
  );
}

/**
 * With the CNCF registry installed, the demo rebuilds only what upstream changed (rebuild:
 * when-outdated): hms-smd's golang base was republished after its images, hms-rts's images are
 * missing, the others are up to date; hms-smd ships on alpine 3.15, a stale base.
 */
async function startImageRegistry(): Promise<LocalRegistry | undefined> {
  if (!hasRegistry()) {
    console.log(`${NO_REGISTRY.replace('skipped: ', 'rebuild: when-outdated is not shown: ')}\n`);
    return undefined;
  }
  const started = await startRegistry('htpasswd');
  mirror = await startPackageMirror();
  addSampleDockerfiles(parts);
  const planned = await runBundle(
    'dist/index.js',
    parts.actionEnv({ ...demoInputs(), 'dry-run': 'true', 'plan-file': 'everything.json', 'failure-issue': 'false' })
  );
  if (planned.code !== 0) throw new Error(`demo: the first plan failed: ${planned.stdout.slice(-2000)}`);
  plan = JSON.parse(readFileSync(join(parts.workDir, 'everything.json'), 'utf8')) as Plan;
  await publishSampleImages(started, plan, ['hms-rts'], mirror);
  console.log(`Registry ${started.url} (CNCF distribution, htpasswd) holds the sample images: rebuild: when-outdated`);
  console.log(
    `Package mirror ${mirror.url} serves Alpine's and Debian's indexes, security databases, releases.json and an OSV batch query (package-index-rewrite)\n`
  );
  return started;
}

function demoInputs(): Record<string, string> {
  return {
    config: parts.configFile,
    'app-id': parts.github.appId,
    'private-key': parts.github.privateKey,
    'chart-repo-username': CHART_USER,
    'chart-repo-password': CHART_PASSWORD
  };
}

/** One run of the action, as one night of the schedule; 0 when it ended as it should. */
async function runNight(night: number): Promise<number> {
  const env = {
    ...parts.actionEnv({
      ...demoInputs(),
      'dry-run': String(dryRun),
      'results-file': 'results.json',
      'failure-issue': String(!dryRun),
      ...(registry
        ? {
            rebuild: 'when-outdated',
            'registry-rewrite': `${IMAGE_HOST}=${registry.url}`,
            'registry-username': REGISTRY_USER,
            'registry-password': REGISTRY_PASSWORD,
            ...(mirror ? { 'package-index-rewrite': packageIndexRewrites(mirror) } : {})
          }
        : {})
    }),
    GITHUB_RUN_ID: String(1000 + night)
  };
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
  console.log(`outputs: ${['dispatched', 'succeeded', 'failed', 'failure-issue'].map((k) => `${k}=${run.outputs[k] ?? '-'}`).join(' ')}`);
  if (!dryRun) {
    console.log(`results file: ${readFileSync(join(parts.workDir, 'results.json'), 'utf8').length} bytes of JSON`);
    const issue = parts.github.repo('hms-build-workflow-dispatcher')?.issues?.[0];
    console.log('\n──────── failure issue (in the emulator) ────────\n');
    console.log(issue ? `#${issue.number} ${issue.title} [${issue.state}]\n\n${issue.body}` : '(none)');
  }
  console.log(`the action exited ${run.code} after ${(run.ms / 1000).toFixed(1)} s`);
  const expected = dryRun ? 0 : 1;
  if (run.code !== expected) {
    console.error(`demo: the action exited ${run.code}, expected ${expected}`);
    return 1;
  }
  console.log(
    dryRun
      ? 'demo done: plan built, nothing dispatched.'
      : `demo done: ${FLAKY.repo} ${FLAKY.ref} succeeded on retry; ${FAILING.repo} ${FAILING.ref} failed twice and the action failed the job, as it should` +
          (night > 1 ? `; the failure issue counts ${night} days in a row.` : '.')
  );
  if (registry)
    console.log(
      dryRun
        ? 'rebuild: when-outdated: hms-shcd-parser would be rebuilt because openssl has a fix (3 CVEs), hms-smd because its golang base was ' +
            'republished after it, hms-rts because its images are missing, hardware-topology-assistant by max-age (pip install is not modelled); ' +
            'the other builds are up to date (hms-test on Debian 12 too); hms-smd sits on alpine 3.15, frozen: the summary lists what only a new base fixes.'
        : 'rebuild: when-outdated: hms-shcd-parser was rebuilt because openssl has a fix (3 CVEs), hms-smd because its golang base was ' +
            'republished after it, hms-rts because its images are missing, hardware-topology-assistant by max-age (pip install is not modelled); ' +
            `outputs dispatched=${run.outputs.dispatched ?? '-'}, fixes=${run.outputs.fixes ?? '-'}; hms-shcd-parser's rebuilt images read again: upgrades verified; ` +
            'the other builds up to date (hms-test on Debian 12 too); alpine 3.15 listed as frozen.'
    );
  return 0;
}
process.exitCode = exitCode;
