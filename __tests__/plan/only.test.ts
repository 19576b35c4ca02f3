import { narrowPlan, parseSelectors } from '../../src/plan/only.js';
import type { Plan, PlannedRepo } from '../../src/plan/plan.js';

const repo = (name: string, images: { name: string; tag: string; branches: string[] }[]): PlannedRepo =>
  ({
    githubRepo: name,
    images: images.map((i) => ({
      githubRepo: name,
      fullImage: `reg/${i.name}:${i.tag}`,
      name: i.name,
      tag: i.tag,
      gitTag: `v${i.tag}`,
      branches: i.branches,
      sources: [{ kind: 'docker-index' }],
      state: 'resolved'
    })),
    builds: images.map((i) => ({
      githubRepo: name,
      gitTag: `v${i.tag}`,
      commit: 'c'.repeat(40),
      workflow: { id: 1, name: 'build', path: '.github/workflows/build.yaml' },
      chosenBy: 'image-name',
      images: [`reg/${i.name}:${i.tag}`]
    }))
  }) as PlannedRepo;

const plan = {
  version: 3,
  createdAt: '2026-12-07T07:00:00.000Z',
  org: 'Cray-HPE',
  productStreamRepo: 'csm',
  branches: [
    { branch: 'release/1.6', commit: 'a'.repeat(40), images: 3 },
    { branch: 'release/1.5', commit: 'b'.repeat(40), images: 1 }
  ],
  repos: [
    repo('hms-smd', [
      { name: 'cray-smd', tag: '2.24.0', branches: ['release/1.6'] },
      { name: 'cray-smd-test', tag: '2.23.0', branches: ['release/1.6'] }
    ]),
    repo('hms-bss', [{ name: 'cray-bss', tag: '1.28.0', branches: ['release/1.6', 'release/1.5'] }]),
    repo('hms-scsd', [{ name: 'cray-scsd', tag: '1.0.0', branches: [] }])
  ]
} as unknown as Plan;

const builds = (p: Plan): string[] => p.repos.flatMap((r) => r.builds.map((b) => `${r.githubRepo} ${b.gitTag}`));

describe('only: rebuild one thing on demand', () => {
  it('reads one selector per line, skipping blanks and comments, and names a line that is not one', () => {
    expect(parseSelectors('repo:hms-s*\n\n# the night failed here\nimage:cray-smd:2.24.0\nbranch:release/1.6\n', 'input only')).toEqual([
      { kind: 'repo', text: 'repo:hms-s*', pattern: 'hms-s*' },
      { kind: 'image', text: 'image:cray-smd:2.24.0', pattern: 'cray-smd', tag: '2.24.0' },
      { kind: 'branch', text: 'branch:release/1.6', pattern: 'release/1.6' }
    ]);
    expect(parseSelectors('repo:hms-smd image:cray-bss', 'input only').map((s) => s.text)).toEqual(['repo:hms-smd', 'image:cray-bss']);
    expect(() => parseSelectors('hms-smd', 'input only')).toThrow(
      'input only: "hms-smd" is not a selector: write repo:<name>, image:<name>[:<tag>] or branch:<name>, one per line (globs allowed: repo:hms-s*)'
    );
    expect(() => parseSelectors('tag:v1', '--only')).toThrow(/^--only: "tag:v1" is not a selector/);
  });

  it('narrows by repo, image (with or without tag) and branch, with globs, [..] and ! exclusions', () => {
    const by = (text: string): string[] => builds(narrowPlan(plan, parseSelectors(text, 'only')).plan);
    expect(by('repo:hms-smd')).toEqual(['hms-smd v2.24.0', 'hms-smd v2.23.0']);
    expect(by('repo:hms-s*')).toEqual(['hms-smd v2.24.0', 'hms-smd v2.23.0', 'hms-scsd v1.0.0']);
    expect(by('repo:hms-s[c]sd')).toEqual(['hms-scsd v1.0.0']);
    expect(by('repo:!hms-s*')).toEqual(['hms-bss v1.28.0']);
    expect(by('image:cray-smd')).toEqual(['hms-smd v2.24.0']);
    expect(by('image:cray-smd*:2.23.*')).toEqual(['hms-smd v2.23.0']);
    expect(by('branch:release/1.5')).toEqual(['hms-bss v1.28.0']);
    expect(by('branch:release/1.6\nrepo:hms-scsd')).toEqual(['hms-smd v2.24.0', 'hms-smd v2.23.0', 'hms-bss v1.28.0', 'hms-scsd v1.0.0']);
  });

  it('says what it narrowed to, and which selectors pick nothing', () => {
    const narrowed = narrowPlan(plan, parseSelectors('repo:hms-smd\nrepo:hms-smdd\nimage:cray-smd:9.9.9', 'only'));
    expect(narrowed.headline).toBe('only repo:hms-smd, repo:hms-smdd, image:cray-smd:9.9.9: 2 of 4 builds');
    expect(narrowed.unmatched.map((s) => s.text)).toEqual(['repo:hms-smdd', 'image:cray-smd:9.9.9']);
  });

  it('keeps the decisions: an up-to-date build stays up to date (rebuild: always dispatches it)', () => {
    const decided = structuredClone(plan);
    const build = decided.repos[0]?.builds[0];
    if (build) build.decision = { rebuild: false, why: 'built 2026-12-05; alpine:3.20 2026-11-07', bases: [] } as never;
    expect(narrowPlan(decided, parseSelectors('image:cray-smd', 'only')).plan.repos[0]?.builds[0]?.decision).toMatchObject({
      rebuild: false
    });
  });
});
