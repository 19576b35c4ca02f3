#!/usr/bin/env node
// `npm run release -- X.Y.Z --push | --dry-run`: checks that a release can be cut from this tree, then tags
// vX.Y.Z (annotated) and moves the major tag vX (a plain tag), and pushes both. Without --push nor
// --dry-run it asks before pushing (and refuses when there is no terminal to ask); an unknown flag
// (`--dryrun`) is an error, so a typo never makes a real release. The tag push starts
// .github/workflows/release.yml, which publishes the GitHub Release with the CHANGELOG section.
// CI is the test gate: this script does not run the tests again. --dry-run checks everything and
// prints the tags it would make, touching nothing (dist/ is rebuilt in a temp copy of HEAD).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changelogSection } from './changelog-section.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const FLAGS = ['--dry-run', '--push'];
const unknown = args.filter((a) => a.startsWith('-') && !FLAGS.includes(a));
const versions = args.filter((a) => !a.startsWith('-'));
if (unknown.length > 0 || versions.length > 1) {
  console.error(
    `release: ${unknown.length > 0 ? `unknown flag ${unknown.join(', ')}` : `one version, not ${versions.join(' ')}`}: ` +
      'npm run release -- X.Y.Z --dry-run (check only) or --push (tag and push)'
  );
  process.exit(2);
}
const dryRun = args.includes('--dry-run');
const push = args.includes('--push');
const version = versions[0] ?? '';
// a push is asked for, or confirmed at a terminal: never the result of a missing or misspelled flag (said before any check)
if (!dryRun && !push && !process.stdin.isTTY) {
  console.error('release: not pushed: give --push to tag and push, or --dry-run to check only');
  process.exit(2);
}

const git = (...a) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trimEnd();

/** Each check returns undefined when it holds, else what is wrong and what to do. */
const checks = [
  [
    'the version is X.Y.Z',
    // numbers without leading zeros, as semver has them (01.0.0 is not a version)
    () => (/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(version) ? undefined : `"${version}" is not X.Y.Z: npm run release -- 1.2.3`)
  ],
  [
    'the tree is clean',
    () => {
      const status = git('status', '--porcelain');
      return status ? `uncommitted changes:\n${status}` : undefined;
    }
  ],
  [
    'HEAD is on main',
    () => {
      const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
      return branch === 'main' ? undefined : `HEAD is on ${branch}: release from main`;
    }
  ],
  [
    'package.json has the version',
    () => {
      const { version: v } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      return v === version ? undefined : `package.json says ${v}: set "version": "${version}" and commit`;
    }
  ],
  [
    'CHANGELOG.md has the version',
    () =>
      changelogSection(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version)
        ? undefined
        : `CHANGELOG.md has no section "## [${version}] - YYYY-MM-DD" with notes: add it and commit`
  ],
  [
    'the tag does not exist yet',
    () => {
      const found = spawnSync('git', ['rev-parse', '-q', '--verify', `refs/tags/v${version}`], { cwd: root });
      return found.status === 0 ? `the tag v${version} exists already` : undefined;
    }
  ],
  ['dist/ matches the sources', distMatches]
];

/**
 * Bundle into a temp folder and compare with dist/ (the tree is clean, so the sources are HEAD's);
 * dist/ itself is not touched. The bundle is the same wherever it is written to.
 */
function distMatches() {
  const out = mkdtempSync(join(tmpdir(), 'release-dist-'));
  try {
    execFileSync('npm', ['run', '-s', 'package', '--', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    const differ = spawnSync('diff', ['-rq', join(root, 'dist'), out], { encoding: 'utf8' });
    return differ.status === 0 ? undefined : `dist/ is stale: run 'npm run package' and commit dist/.\n${differ.stdout.trim()}`;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

let failed = 0;
for (const [name, check] of checks) {
  let problem;
  try {
    problem = check();
  } catch (error) {
    problem = `cannot check: ${String(error instanceof Error ? error.message : error).split('\n')[0]}`;
  }
  console.log(`${problem ? '✗' : '✓'} ${name}${problem ? `: ${problem}` : ''}`);
  if (problem) failed++;
  // a malformed version makes the later checks meaningless
  if (problem && name === 'the version is X.Y.Z') break;
  // the bundle takes half a minute: not built when a cheaper check already failed
  if (failed > 0 && checks[checks.indexOf(checks.find(([n]) => n === name)) + 1]?.[0] === 'dist/ matches the sources') {
    console.log('- dist/ matches the sources: not checked until the checks above hold');
    break;
  }
}
if (failed) {
  console.error(`release v${version}: ${failed} check(s) failed; nothing was tagged`);
  process.exit(1);
}

const major = `v${version.split('.')[0]}`;
const tag = `v${version}`;
const commit = git('rev-parse', 'HEAD');
const plan = [
  ['git', 'tag', '-a', tag, '-m', tag, commit],
  ['git', 'tag', '-f', major, commit],
  ['git', 'push', 'origin', `refs/tags/${tag}`],
  ['git', 'push', '-f', 'origin', `refs/tags/${major}`]
];
console.log(`${dryRun ? 'would create' : 'creating'} ${tag} at ${commit.slice(0, 12)} and ${dryRun ? 'move' : 'moving'} ${major} to it`);
if (!dryRun && !push) {
  const { createInterface } = await import('node:readline/promises');
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await prompt.question(`push ${tag} and move ${major} on origin? [y/N] `);
  prompt.close();
  if (!/^y(es)?$/i.test(answer.trim())) {
    console.log('not pushed; nothing was tagged');
    process.exit(1);
  }
}
for (const command of plan) {
  console.log(`${dryRun ? '  (dry run) ' : '  '}${command.join(' ')}`);
  if (!dryRun) execFileSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit' });
}
if (dryRun) console.log('dry run: nothing was tagged or pushed');
