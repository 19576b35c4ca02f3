import type { BuildResult } from '../../src/dispatch/build-result.js';
import { connect } from '../../src/github/client.js';
import { githubIssueTracker } from '../../src/github/issues.js';
import { ConsoleLog } from '../../src/log.js';
import {
  advanceStreaks,
  FAILURE_ISSUE_LABEL,
  failuresOfNight,
  issueMarker,
  MAX_ISSUE_BODY_CHARS,
  readIssueState,
  renderIssueBody,
  updateFailureIssue,
  type FailureItem
} from '../../src/report/failure-issue.js';
import { GitHubEmulator } from '../support/github-emulator.js';
import { ORG } from '../support/sample-stream.js';
import { testHttp } from '../support/network.js';

const STREAM = 'Cray-HPE/csm';
const night = (day: number): Date => new Date(Date.UTC(2026, 10, day, 7, 0, 0));
const failed = (image: string, outcome: BuildResult['outcome'], reason?: string): BuildResult => ({
  githubRepo: 'hms-x',
  image,
  fullImage: `reg/${image}:1.0.0`,
  tag: '1.0.0',
  gitTag: 'v1.0.0',
  branches: ['release/1.6'],
  outcome,
  ...(reason ? { reason } : {}),
  ...(outcome === 'failed' ? { runUrl: `https://github.example/Cray-HPE/hms-x/actions/runs/${image.length}` } : {})
});

describe('the failure issue: what fails, and since when', () => {
  const a: FailureItem = { key: 'build:a', kind: 'build', what: 'a failed' };
  const b: FailureItem = { key: 'build:b', kind: 'build', what: 'b failed' };

  it('lists failed builds, images not dispatched and planning errors; successes are not listed', () => {
    const items = failuresOfNight(
      [
        failed('a', 'failed'),
        failed('b', 'succeeded'),
        failed('c', 'not-dispatched', 'tag v1.0.0 does not exist'),
        failed('d', 'succeeded-on-retry')
      ],
      [{ severity: 'error', message: 'no helm-repo-lookup entry', where: { branch: 'release/1.6', chart: 'cray-hms-x 1.0.0' } }],
      'https://github.example/Cray-HPE/dispatcher/actions/runs/1'
    );
    expect(items.map((i) => [i.kind, i.what])).toEqual([
      ['build', 'hms-x a:1.0.0: failed'],
      ['not-dispatched', 'hms-x c:1.0.0: tag v1.0.0 does not exist'],
      ['planning', 'branch release/1.6, chart cray-hms-x 1.0.0: no helm-repo-lookup entry']
    ]);
    expect(items[0]?.url).toBe('https://github.example/Cray-HPE/hms-x/actions/runs/1');
  });

  it('keeps a build still running when the job stopped (a cancelled shard) in the issue: it needs a person', () => {
    const items = failuresOfNight(
      [failed('a', 'running', 'still in_progress when the job stopped'), failed('b', 'succeeded')],
      [],
      undefined
    );
    expect(items.map((i) => [i.kind, i.what])).toEqual([['build', 'hms-x a:1.0.0: still running']]);
  });

  it('lists a kind of planning error seen many times as one item, as the job summary groups them', () => {
    const missing = Array.from({ length: 5000 }, (_, i) => ({
      severity: 'error' as const,
      message: `http://charts.example/x/cray-hms-bss-9.${i}.0.tgz: download answered 404: no such chart version in the chart repository`,
      where: { branch: 'release/1.6', chart: `cray-hms-bss 9.${i}.0` }
    }));
    const items = failuresOfNight([], [...missing, { severity: 'error', message: 'no helm-repo-lookup entry' }], undefined);
    expect(items.map((i) => i.what)).toEqual([
      '5,000 × … download answered #: no such chart version in the chart repository (the first: branch release/1.6, chart cray-hms-bss 9.0.0: http://charts.example/x/cray-hms-bss-9.0.0.tgz: download answered 404: no such chart version in the chart repository; all in the job summary)',
      'no helm-repo-lookup entry'
    ]);
    // the same kind keeps its key from night to night, whatever versions are missing
    expect(items[0]?.key).toBe('planning-kind:… download answered #: no such chart version in the chart repository');
  });

  it('carries a streak from night to night; a fixed failure drops out, a new one starts at 1', () => {
    const first = advanceStreaks(undefined, [a], STREAM, night(24));
    const second = advanceStreaks(first, [a, b], STREAM, night(25));
    const third = advanceStreaks(second, [b], STREAM, night(26));
    expect(second.failures.map((f) => [f.key, f.since, f.nights])).toEqual([
      ['build:a', '2026-11-24', 2],
      ['build:b', '2026-11-25', 1]
    ]);
    expect(third.failures.map((f) => [f.key, f.since, f.nights])).toEqual([['build:b', '2026-11-25', 2]]);
  });

  it('counts a streak in days: a second run on the same day does not add one', () => {
    const morning = advanceStreaks(undefined, [a], STREAM, new Date('2026-11-24T06:00:00Z'));
    const evening = advanceStreaks(morning, [a], STREAM, new Date('2026-11-24T18:00:00Z'));
    const nextDay = advanceStreaks(evening, [a], STREAM, new Date('2026-11-25T06:00:00Z'));
    expect([morning, evening, nextDay].map((s) => s.failures[0]?.nights)).toEqual([1, 1, 2]);
    expect(renderIssueBody(nextDay, undefined)).toContain('| Days in a row |');
  });

  it('keeps its state in a hidden block that text from elsewhere cannot end or forge', () => {
    const hostile: FailureItem = { key: 'planning:x', kind: 'planning', what: 'evil --> <img src=x> | row\nbreak' };
    const state = advanceStreaks(undefined, [hostile], STREAM, night(24));
    const body = renderIssueBody(state, 'https://github.example/run/1');
    expect(body).toContain(issueMarker(STREAM));
    expect(body.match(/-->/g)).toHaveLength(2); // the marker's and the state block's own ends
    expect(body).not.toContain('<img');
    expect(readIssueState(body)).toEqual({ ok: true, state });
  });

  it('refuses a forged state block whose values are not what they claim (a link in since, nights of 1e308)', () => {
    const forged = (failure: Record<string, unknown>): string =>
      `<!-- hms-build-workflow-dispatcher:state ${JSON.stringify({ version: 1, productStream: STREAM, lastRun: 'x', failures: [{ key: 'k', kind: 'build', what: 'w', since: '2026-11-24', nights: 1, ...failure }] })} -->`;
    expect(readIssueState(forged({}))).toMatchObject({ ok: true });
    expect(readIssueState(forged({ since: '[click](https://evil.example) <img src=x>' }))).toMatchObject({ ok: false });
    expect(readIssueState(forged({ nights: 1e308 }))).toMatchObject({ ok: false });
    expect(readIssueState(forged({ url: 'javascript:alert(1)' }))).toMatchObject({ ok: false });
  });

  it("keeps its body under GitHub's bound with 5,000 failures: the rest counted, the state block whole and readable", () => {
    const many: FailureItem[] = Array.from({ length: 5000 }, (_, i) => ({
      key: `build:${i}`,
      kind: 'build' as const,
      what: `hms-repo-${i} cray-image-${i}:1.2.${i}: failed in the job "build and push the image to the registry"`,
      url: `https://github.example/Cray-HPE/hms-repo-${i}/actions/runs/${1000 + i}`
    }));
    const state = advanceStreaks(undefined, many, STREAM, night(24));
    const body = renderIssueBody(state, 'https://github.example/run/1');
    expect(body.length).toBeLessThan(MAX_ISSUE_BODY_CHARS);
    expect(body).toMatch(/…and \d+ more, not listed: an issue holds at most 65,536 characters/);
    const read = readIssueState(body);
    expect(read.ok).toBe(true);
    if (read.ok) expect(read.state.failures.length).toBeGreaterThan(100);
  });

  it('says what is wrong with a damaged state block instead of throwing', () => {
    expect(readIssueState('no block')).toEqual({ ok: false, reason: 'no state block' });
    expect(readIssueState('<!-- hms-build-workflow-dispatcher:state {"version":1 -->')).toEqual({
      ok: false,
      reason: 'the state block is not JSON'
    });
    expect(readIssueState('<!-- hms-build-workflow-dispatcher:state {"version":2} -->')).toMatchObject({ ok: false });
  });
});

describe('the failure issue on GitHub (emulator, real Octokit)', () => {
  let github: GitHubEmulator;
  afterEach(() => github?.stop());

  async function trackerFor(options: { issuesWritable?: boolean } = {}) {
    github = await new GitHubEmulator({
      org: ORG,
      repos: [{ name: 'hms-build-workflow-dispatcher', tags: {}, workflows: [], files: {} }],
      ...options
    }).start();
    const { octokit } = await connect({
      http: testHttp(),
      apiUrl: github.url,
      org: ORG,
      auth: { kind: 'token', token: 'test-token' },
      log: new ConsoleLog(),
      retries: 0
    });
    return githubIssueTracker(octokit, `${ORG}/hms-build-workflow-dispatcher`);
  }
  const issues = () => github.repo('hms-build-workflow-dispatcher')?.issues ?? [];
  const a: FailureItem = {
    key: 'build:a',
    kind: 'build',
    what: 'hms-bss cray-bss:1.0.0: failed',
    url: 'https://github.example/Cray-HPE/hms-bss/actions/runs/7'
  };

  it('is created on a failure, updated the next night (2 nights in a row), closed when green, reopened on the next failure', async () => {
    const tracker = await trackerFor();
    const warnings: string[] = [];
    const run = (day: number, tonight: FailureItem[]) =>
      updateFailureIssue(tracker, {
        productStream: STREAM,
        tonight,
        now: night(day),
        jobRunUrl: `https://github.example/run/${day}`,
        warn: (w) => warnings.push(w)
      });

    expect(await run(23, [])).toMatchObject({ action: 'none' });
    expect(await run(24, [a])).toMatchObject({ action: 'created', number: 1, nightsOfLongest: 1 });
    expect(issues()[0]).toMatchObject({ title: 'Image rebuilds failing: Cray-HPE/csm', labels: [FAILURE_ISSUE_LABEL], state: 'open' });
    expect(await run(25, [a])).toMatchObject({ action: 'updated', number: 1, nightsOfLongest: 2 });
    expect(issues()[0]?.body).toContain(
      '| hms-bss cray-bss:1.0.0: failed | 2026-11-24 | 2 | [run](https://github.example/Cray-HPE/hms-bss/actions/runs/7) |'
    );
    expect(await run(26, [])).toMatchObject({ action: 'closed', number: 1 });
    expect(issues()[0]).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(issues()[0]?.comments[0]?.body).toMatch(
      /^All green: \[the run on 2026-11-26 07:00 UTC\]\(https:\/\/github\.example\/run\/26\) rebuilt every image/
    );
    expect(await run(27, [a])).toMatchObject({ action: 'reopened', number: 1, nightsOfLongest: 1 });
    expect(issues()[0]?.body).toContain('| hms-bss cray-bss:1.0.0: failed | 2026-11-27 | 1 |');
    expect(issues()).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('keeps follow-ups (a stale base) folded as known, not urgent: they neither open the issue nor keep it open', async () => {
    const tracker = await trackerFor();
    const stale: FailureItem = { key: 'stale-base:alpine:3.15', kind: 'stale-base', what: 'image alpine:3.15: last published 2023-08-07' };
    const run = (day: number, tonight: FailureItem[]) =>
      updateFailureIssue(tracker, {
        productStream: STREAM,
        tonight,
        now: night(day),
        jobRunUrl: `https://github.example/Cray-HPE/hms-build-workflow-dispatcher/actions/runs/10${day}`,
        warn: () => undefined
      });
    // a stale base alone opens nothing
    expect(await run(23, [stale])).toMatchObject({ action: 'none' });
    expect(issues()).toHaveLength(0);
    // a failed build opens the issue; the stale base is listed, folded, under "Known, not urgent"
    expect(await run(24, [a, stale])).toMatchObject({ action: 'created', nightsOfLongest: 1 });
    const body = issues()[0]?.body ?? '';
    expect(body).toContain(
      'Latest: [run 1024 on 2026-11-24 07:00 UTC](https://github.example/Cray-HPE/hms-build-workflow-dispatcher/actions/runs/1024): its job summary lists every build, and why.'
    );
    expect(body).toContain('<details><summary>Known, not urgent: Base images no longer republished (1)</summary>');
    expect(body).toContain('| image alpine:3.15: last published 2023-08-07 | 2026-11-24 | 1 | — |');
    expect(body.indexOf('### Builds that did not succeed')).toBeLessThan(body.indexOf('Known, not urgent'));
    // the build is fixed: the stale base does not hold the issue open, and its streak goes on in the closed issue
    expect(await run(25, [stale])).toMatchObject({ action: 'closed' });
    expect(issues()[0]).toMatchObject({ state: 'closed' });
    expect(await run(26, [stale])).toMatchObject({ action: 'none' });
    expect(issues()[0]?.body).toContain('| image alpine:3.15: last published 2023-08-07 | 2026-11-24 | 3 | — |');
    expect(issues()[0]).toMatchObject({ state: 'closed' });
  });

  it('lists a frozen distribution branch as a follow-up: known, not urgent, it opens nothing', async () => {
    const frozen = { 'alpine 3.15': { eol: '2023-11-01', images: { 'cray-smd:2.24.0': 5, 'cray-smd-test:2.23.0': 5 }, cves: 5 } };
    const items = failuresOfNight([], [], 'https://github.example/run/1', frozen);
    expect(items).toEqual([
      {
        key: 'frozen:alpine 3.15',
        kind: 'frozen',
        what: 'Alpine 3.15, end of life 2023-11-01: 2 images, 5 CVEs fixed in a supported branch for packages they hold: cray-smd:2.24.0, cray-smd-test:2.23.0',
        url: 'https://github.example/run/1'
      }
    ]);
    const tracker = await trackerFor();
    const run = (day: number, tonight: FailureItem[]) =>
      updateFailureIssue(tracker, { productStream: STREAM, tonight, now: night(day), warn: () => undefined });
    expect(await run(23, items)).toMatchObject({ action: 'none' });
    expect(await run(24, [a, ...items])).toMatchObject({ action: 'created' });
    expect(issues()[0]?.body).toContain('<details><summary>Known, not urgent: Frozen: no rebuild can fix these (1)</summary>');
  });

  it('rebuilds a damaged state block with a warning, and leaves other issues with the label alone', async () => {
    const tracker = await trackerFor();
    const other = await tracker.create('Someone else’s', 'no marker here', [FAILURE_ISSUE_LABEL]);
    const mine = await tracker.create(
      'Image rebuilds failing: Cray-HPE/csm',
      `${issueMarker(STREAM)}\n<!-- hms-build-workflow-dispatcher:state {broken -->`,
      [FAILURE_ISSUE_LABEL]
    );
    const warnings: string[] = [];
    const outcome = await updateFailureIssue(tracker, {
      productStream: STREAM,
      tonight: [a],
      now: night(24),
      warn: (w) => warnings.push(w)
    });
    expect(outcome).toMatchObject({ action: 'updated', number: mine.number, nightsOfLongest: 1 });
    expect(warnings).toEqual([`failure issue #${mine.number}: the state block is not JSON; rebuilt from this run`]);
    expect(issues().find((i) => i.number === other.number)?.body).toBe('no marker here');
  });

  it('fails (for the caller to warn about) without issues: write', async () => {
    const tracker = await trackerFor({ issuesWritable: false });
    await expect(
      updateFailureIssue(tracker, { productStream: STREAM, tonight: [a], now: night(24), warn: () => undefined })
    ).rejects.toThrow(
      /^GitHub refused the token \(403 Resource not accessible by integration.*\) for POST \/repos\/Cray-HPE\/hms-build-workflow-dispatcher\/issues: it needs issues: write/
    );
  });
});
