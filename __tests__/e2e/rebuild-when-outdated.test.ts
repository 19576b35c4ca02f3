import { describeWith } from '../support/skips.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildResult } from '../../src/dispatch/build-result.js';
import type { Plan } from '../../src/plan/plan.js';
import { planBuilds, PLAN_VERSION } from '../../src/plan/plan.js';
import {
  hasRegistry,
  NO_REGISTRY,
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type LocalRegistry
} from '../support/image-registry.js';
import { runBundle } from '../support/run-action.js';
import { sampleInputs, startSampleStream, type LocalParts } from '../support/sample-stream.js';
import {
  addSampleDockerfiles,
  IMAGE_HOST as HOST,
  packageIndexRewrites,
  publishSampleImages,
  pushRebuilt
} from '../support/sample-images.js';
import { startPackageMirror, type PackageMirror } from '../support/package-mirror.js';

const withRegistry = describeWith('docker-registry', hasRegistry(), NO_REGISTRY);

/** The inputs of a run with rebuild: when-outdated against the local registry (its credentials unless `extra` says otherwise). */
const whenOutdated = (p: LocalParts, registry: LocalRegistry, extra: Record<string, string>): Record<string, string> =>
  sampleInputs(p, {
    rebuild: 'when-outdated',
    'registry-rewrite': `${HOST}=${registry.url}`,
    'registry-username': REGISTRY_USER,
    'registry-password': REGISTRY_PASSWORD,
    ...extra
  });

/** The sample plan with every build (rebuild: always, dry run), and its images published to the registry but `missing`'s. */
async function publishedWorld(p: LocalParts, registry: LocalRegistry, missing: string[], mirror?: PackageMirror): Promise<Plan> {
  addSampleDockerfiles(p);
  const always = await runBundle('dist/index.js', p.actionEnv(sampleInputs(p, { 'dry-run': 'true', 'plan-file': 'always.json' })));
  expect(always.code).toBe(0);
  const plan = JSON.parse(readFileSync(join(p.workDir, 'always.json'), 'utf8')) as Plan;
  await publishSampleImages(registry, plan, missing, mirror);
  return plan;
}

withRegistry.each(['htpasswd', 'token'] as const)('rebuild: when-outdated against the real registry (%s auth)', (auth) => {
  let parts: LocalParts | undefined;
  let registry: LocalRegistry | undefined;
  afterEach(async () => {
    await Promise.all([parts?.stop(), registry?.stop()]);
    parts = undefined;
    registry = undefined;
  });

  it('dispatches only what upstream changed or is missing; the rest is up to date, with why; a stale base is warned once', async () => {
    registry = await startRegistry(auth);
    parts = await startSampleStream({ emulator: { runScript: () => ({ queuedMs: 200, runMs: 500, conclusion: 'success' }) } });
    const p = parts;
    const reg = registry;
    const inputs = (extra: Record<string, string>): Record<string, string> => whenOutdated(p, reg, extra);
    await publishedWorld(p, reg, ['hms-shcd-parser']);

    const dryRun = await runBundle('dist/index.js', p.actionEnv(inputs({ 'dry-run': 'true', 'plan-file': 'plan.json' })));
    expect(dryRun.code).toBe(0);
    const plan = JSON.parse(readFileSync(join(p.workDir, 'plan.json'), 'utf8')) as Plan;
    expect(plan.version).toBe(PLAN_VERSION);
    const decided = planBuilds(plan).map((b) => [b.githubRepo, b.gitTag, b.decision?.rebuild]);
    expect(
      decided
        .filter(([, , rebuild]) => rebuild)
        .map(([repo, tag]) => `${repo} ${tag}`)
        .sort()
    ).toEqual(['hms-shcd-parser v1.10.0', 'hms-shcd-parser v1.9.0', 'hms-smd v2.23.0', 'hms-smd v2.24.0']);
    const smd = planBuilds(plan).find((b) => b.githubRepo === 'hms-smd' && b.gitTag === 'v2.24.0');
    expect(smd?.decision?.why).toMatch(/^golang:1\.23-alpine was published \d{4}-\d\d-\d\d, after cray-smd:2\.24\.0 was built/);
    // the evidence: every base with its digest and date
    expect(smd?.decision?.bases.map((b) => [b.reference, b.created?.slice(0, 4)])).toEqual([
      [`${HOST}/docker.io/library/golang:1.23-alpine`, String(new Date(Date.now() - 86_400_000).getUTCFullYear())],
      [`${HOST}/docker.io/alpine:3.15`, '2023']
    ]);
    expect(dryRun.summary).toMatch(/🟰 up to date: built \d{4}-\d\d-\d\d; alpine:3\.22 \d{4}-\d\d-\d\d/);
    const stale = dryRun.annotations.filter((a) => a.message.includes('last published'));
    expect(stale.map((a) => [a.kind, a.message])).toEqual([
      [
        'warning',
        'image alpine:3.15: last published 2023-08-07: rebuilding on it picks up no fixes from it (built on it: cray-smd:2.24.0, cray-smd-test:2.23.0)'
      ]
    ]);
    // the password went to the registry (or its token server), and never into the log
    expect(dryRun.stdout).not.toContain(`::warning::${REGISTRY_PASSWORD}`);
    expect(dryRun.stdout).toContain(`::add-mask::${REGISTRY_PASSWORD}`);

    const night = await runBundle('dist/index.js', p.actionEnv(inputs({ 'from-plan': 'plan.json', 'results-file': 'results.json' })));
    expect(night.code).toBe(0);
    expect(p.github.dispatches.map((d) => `${d.repo} ${d.ref}`).sort()).toEqual([
      'hms-shcd-parser v1.10.0',
      'hms-shcd-parser v1.9.0',
      'hms-smd v2.23.0',
      'hms-smd v2.24.0'
    ]);
    const { results } = JSON.parse(readFileSync(join(p.workDir, 'results.json'), 'utf8')) as { results: BuildResult[] };
    const upToDate = results.filter((r) => r.outcome === 'up-to-date');
    expect(upToDate).toHaveLength(9);
    for (const r of upToDate) expect(r.reason).toMatch(/^built \d{4}-\d\d-\d\d; (alpine:3\.22|debian:12) /);
    expect(night.outputs).toMatchObject({ dispatched: '4', succeeded: '4', failed: '0' });
    expect(night.summary).toContain('9 up to date');
    if (auth === 'token') expect(registry.tokenRequests.length).toBeGreaterThan(0);
  });

  it('rebuilds, with a warning naming image and registry, when the registry refuses the credentials; nothing is lost', async () => {
    registry = await startRegistry(auth);
    parts = await startSampleStream();
    const p = parts;
    const run = await runBundle(
      'dist/index.js',
      p.actionEnv(whenOutdated(p, registry, { 'dry-run': 'true', 'plan-file': 'plan.json', 'registry-password': 'wrong' }))
    );
    expect(run.code).toBe(0);
    const plan = JSON.parse(readFileSync(join(p.workDir, 'plan.json'), 'utf8')) as Plan;
    if (auth === 'token') {
      // the token server is on another port over plain http: the credentials never reach it, and an anonymous pull reads
      expect(registry.tokenRequestsWithCredentials()).toBe(0);
      expect(planBuilds(plan).every((b) => b.decision !== undefined)).toBe(true);
      return;
    }
    expect(planBuilds(plan).every((b) => b.decision?.rebuild === true)).toBe(true);
    // past GitHub's 9 warning annotations a step shows, the rest are log lines: read both
    const warnings = run.stdout.split('\n').filter((l) => l.includes('since whether it is up to date cannot be known'));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatch(
      new RegExp(`${HOST}/csm-docker/stable/[\\w-]+:[\\d.]+: registry ${HOST}: .*rebuilt, since whether it is up to date cannot be known`)
    );
  });
});

withRegistry('rebuild: when-outdated on what a rebuild would install: the four kinds, through the built action', () => {
  let parts: LocalParts | undefined;
  let registry: LocalRegistry | undefined;
  let mirror: PackageMirror | undefined;
  afterEach(async () => {
    await Promise.all([parts?.stop(), registry?.stop(), mirror?.close()]);
  });

  it('rebuilds the image with an openssl fix (its CVEs in the fixes output), lets max-age rebuild the unmodelled one, keeps the rest up to date, lists the frozen branch', async () => {
    registry = await startRegistry('htpasswd');
    mirror = await startPackageMirror();
    parts = await startSampleStream();
    const p = parts;
    await publishedWorld(p, registry, ['hms-rts'], mirror);
    const run = await runBundle(
      'dist/index.js',
      p.actionEnv(
        whenOutdated(p, registry, { 'dry-run': 'true', 'plan-file': 'plan.json', 'package-index-rewrite': packageIndexRewrites(mirror) })
      )
    );
    expect(run.code).toBe(0);
    const plan = JSON.parse(readFileSync(join(p.workDir, 'plan.json'), 'utf8')) as Plan;
    const why = (repo: string): string[] =>
      planBuilds(plan)
        .filter((b) => b.githubRepo === repo)
        .map((b) => `${b.decision?.rebuild ? 'rebuild' : 'up to date'}: ${b.decision?.why ?? ''}`);
    expect(why('hms-shcd-parser')).toEqual([
      'rebuild: 1 package would upgrade (libcrypto3 3.5.1-r0 → 3.5.4-r0), fixing 3 CVEs',
      'rebuild: 1 package would upgrade (libcrypto3 3.5.1-r0 → 3.5.4-r0), fixing 3 CVEs'
    ]);
    expect(why('hardware-topology-assistant')[0]).toMatch(
      /^rebuild: hardware-topology-assistant:0\.2\.0 was built \d{4}-\d\d-\d\d, more than 7 days ago \(max-age\); not modelled: its Dockerfile fetches what no index models \(stage final: pip3 install --upgrade pip\)$/
    );
    for (const line of why('hms-bss')) expect(line).toMatch(/^up to date: built .*; no package would upgrade$/);
    // a Debian image: its dpkg database against bookworm's indexes, nothing newer
    for (const line of why('hms-test')) expect(line).toMatch(/^up to date: built .*debian:12 .*; no package would upgrade$/);
    expect(
      planBuilds(plan)
        .filter((b) => b.githubRepo === 'hms-test')
        .map((b) => [b.decision?.packages?.distribution, b.decision?.packages?.release, b.decision?.packages?.modelled])
    ).toEqual([
      ['debian', '12', true],
      ['debian', '12', true]
    ]);
    expect(JSON.parse(run.outputs.fixes ?? '{}')).toEqual({
      'hms-shcd-parser:1.9.0': ['CVE-2025-9230', 'CVE-2025-9231', 'CVE-2025-9232'],
      'hms-shcd-parser:1.10.0': ['CVE-2025-9230', 'CVE-2025-9231', 'CVE-2025-9232']
    });
    expect(JSON.parse(run.outputs.frozen ?? '{}')).toEqual({
      'alpine 3.15': { eol: '2023-11-01', images: { 'cray-smd:2.24.0': 5, 'cray-smd-test:2.23.0': 5 }, cves: 5 }
    });
    expect(run.summary).toContain('**7 builds to dispatch (fixing 3 CVEs), 6 up to date, 1 acknowledged gap**');
    expect(run.summary).toContain('### 🧊 Frozen: no rebuild can fix these');
    // each build to dispatch folds its packages and the CVEs they fix
    expect(run.summary).toContain(
      '<details><summary>the packages and their CVEs</summary>libcrypto3 3.5.1-r0 → 3.5.4-r0: CVE-2025-9230, CVE-2025-9231, CVE-2025-9232</details>'
    );
    // the images on alpine 3.15 are said there, not also as a stale base
    expect(run.stdout).not.toMatch(/alpine:3\.15.*last published/);
    // every index, database and releases.json read once
    expect(new Set(mirror.requests).size).toBe(mirror.requests.length);
  }, 180_000);

  it('reads what it rebuilt for upgrades again: one rebuild installed them (verified), one did not (a warning naming the package; still outdated)', async () => {
    registry = await startRegistry('htpasswd');
    mirror = await startPackageMirror();
    const pushes: Promise<unknown>[] = [];
    // the plan, known once the first run wrote it; the emulator's builds push its images
    const world: { plan?: Plan } = {};
    const reg = registry;
    parts = await startSampleStream({
      emulator: {
        // the build of hms-shcd-parser pushes its image: v1.10.0 with the upgrade, v1.9.0 from a stale cache
        runScript: (repo, _workflow, ref) => {
          if (repo === 'hms-shcd-parser' && world.plan) pushes.push(pushRebuilt(reg, world.plan, repo, ref, ref === 'v1.10.0'));
          return { queuedMs: 100, runMs: 1500, conclusion: 'success' };
        }
      }
    });
    const p = parts;
    world.plan = await publishedWorld(p, registry, ['hms-rts'], mirror);
    const run = await runBundle(
      'dist/index.js',
      p.actionEnv(
        whenOutdated(p, registry, {
          'dry-run': 'false',
          'results-file': 'results.json',
          'package-index-rewrite': packageIndexRewrites(mirror)
        })
      )
    );
    await Promise.all(pushes);
    expect(pushes).toHaveLength(2);
    const results = (JSON.parse(readFileSync(join(p.workDir, 'results.json'), 'utf8')) as { results: BuildResult[] }).results;
    const verification = (tag: string) => results.find((r) => r.image === 'hms-shcd-parser' && r.tag === tag)?.verification;
    expect(verification('1.10.0')).toEqual({ state: 'verified' });
    expect(verification('1.9.0')).toEqual({ state: 'missing', missing: [{ name: 'libcrypto3', expected: '3.5.4-r0', found: '3.5.1-r0' }] });
    // nothing else was dispatched for upgrades, so nothing else is read again
    expect(results.filter((r) => r.verification)).toHaveLength(2);
    expect(run.summary).toContain(
      'Rebuilds fixed 3 CVEs in 1 image (verified in 1). 1 image rebuilt for upgrades did not install them, and stays outdated.'
    );
    expect(run.summary).toContain('upgrades verified');
    expect(run.summary).toContain(
      '<details><summary>the packages and their CVEs</summary>libcrypto3 3.5.1-r0 → 3.5.4-r0: CVE-2025-9230, CVE-2025-9231, CVE-2025-9232</details>'
    );
    expect(run.summary).toContain('⚠️ upgrades missing: libcrypto3 is still 3.5.1-r0 (3.5.4-r0 expected)');
    expect(run.stdout).toMatch(
      /::warning ::.*hms-shcd-parser:1\.9\.0: rebuilt, but libcrypto3 is still 3\.5\.1-r0 \(3\.5\.4-r0 expected\): a build cache/
    );
  }, 180_000);
});
