import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/run-action.js';

const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const release = (...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'scripts/release.mjs'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run release', () => {
  it('in a dry run checks everything and prints the tags it would make, touching nothing', () => {
    const tagsBefore = git('tag', '-l');
    const statusBefore = git('status', '--porcelain');
    const run = release('1.0.0', '--dry-run');
    expect(run.stdout).toContain('✓ the version is X.Y.Z');
    expect(run.stdout).toContain('✓ package.json has the version');
    expect(run.stdout).toContain('✓ CHANGELOG.md has the version');
    // npm test rebuilt dist/ from the sources before the tests
    expect(run.stdout).toContain('✓ dist/ matches the sources');
    const releasable = statusBefore === '' && git('rev-parse', '--abbrev-ref', 'HEAD') === 'main';
    if (releasable) {
      // a fresh clone of main, as CI has
      expect(run.status).toBe(0);
      const head = git('rev-parse', 'HEAD');
      expect(run.stdout).toContain(`would create v1.0.0 at ${head.slice(0, 12)} and move v1 to it`);
      expect(run.stdout).toContain(`(dry run) git tag -a v1.0.0 -m v1.0.0 ${head}`);
      expect(run.stdout).toContain(`(dry run) git tag -f v1 ${head}`);
      expect(run.stdout).toContain('dry run: nothing was tagged or pushed');
    } else {
      // a working copy with changes (or off main) cannot be released
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/✗ (the tree is clean|HEAD is on main)/);
      expect(run.stderr).toMatch(/check\(s\) failed; nothing was tagged/);
    }
    expect(git('tag', '-l')).toBe(tagsBefore);
    expect(git('status', '--porcelain')).toBe(statusBefore);
  }, 120_000);

  it('refuses a version that package.json and CHANGELOG do not have, and a malformed one', () => {
    const missing = release('9.9.9', '--dry-run');
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain('✗ package.json has the version: package.json says 1.0.0: set "version": "9.9.9" and commit');
    expect(missing.stdout).toContain('✗ CHANGELOG.md has the version: CHANGELOG.md has no section "## [9.9.9] - YYYY-MM-DD"');
    expect(missing.stderr).toContain('nothing was tagged');
    // hostile round 2: a typo in a flag, no flag at all without a terminal, a leading zero
    const typo = release('1.0.0', '--dryrun');
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('release: unknown flag --dryrun');
    const unasked = release('1.0.0');
    expect(unasked.status).not.toBe(0);
    expect(unasked.stdout + unasked.stderr).not.toContain('  git push');
    const zero = release('01.0.0', '--dry-run');
    expect(zero.stdout).toContain('"01.0.0" is not X.Y.Z');
    const malformed = release('v1', '--dry-run');
    expect(malformed.status).toBe(1);
    expect(malformed.stdout.trim()).toBe('✗ the version is X.Y.Z: "v1" is not X.Y.Z: npm run release -- 1.2.3');
  }, 120_000);

  it('publishes the CHANGELOG section of the version as the release notes (release.yml)', () => {
    const section = (version: string) =>
      spawnSync(process.execPath, [join(ROOT, 'scripts/changelog-section.mjs'), version], { cwd: ROOT, encoding: 'utf8' });
    const notes = section('1.0.0');
    expect(notes.status).toBe(0);
    expect(notes.stdout).toMatch(/^The first release users can pin/);
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    // the whole section, up to the next version
    expect(changelog).toContain(`## [1.0.0] - 2026-12-01\n\n${notes.stdout.trim()}\n`);
    expect(notes.stdout).not.toMatch(/^## /m);
    const none = section('0.0.1');
    expect(none.status).toBe(1);
    expect(none.stderr).toBe('CHANGELOG.md has no section "## [0.0.1]"\n');
  });
});
