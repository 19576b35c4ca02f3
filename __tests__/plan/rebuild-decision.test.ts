import { Writable } from 'node:stream';
import { ConsoleLog, PhaseLog, type Problem } from '../../src/log.js';
import { decideRebuilds } from '../../src/plan/decide-rebuilds.js';
import { PlanningBudget } from '../../src/plan/planning-budget.js';
import type { Plan, PlannedBuild } from '../../src/plan/plan.js';
import type { ImageReference } from '../../src/registry/image-reference.js';
import { plannedImage } from '../support/planned-image.js';
import { dockerfileBases } from '../../src/plan/dockerfile.js';
import { decideRebuild, staleBases, type RegistryAnswer } from '../../src/plan/rebuild-decision.js';
import { formatImageReference, originFor, parseImageReference, checkRegistryRewrite } from '../../src/registry/image-reference.js';
import { parseChallenge } from '../../src/registry/www-authenticate.js';

// hms-smd's Dockerfile, as the issue quotes it: a build stage on a floating golang tag, a final stage on alpine 3.15
const HMS_SMD = `# Copyright HPE
ARG BASE_REGISTRY=artifactory.algol60.net/docker.io
FROM \${BASE_REGISTRY}/library/golang:1.23-alpine AS build-base
RUN apk -U upgrade
FROM build-base AS base
COPY . /go/src
FROM base AS builder
RUN go build ./...
FROM --platform=linux/amd64 artifactory.algol60.net/docker.io/alpine:3.15
COPY --from=builder /usr/local/bin /usr/local/bin
`;

describe('the bases of a Dockerfile', () => {
  it('takes every external stage, substitutes ARG defaults, skips earlier stages and scratch, allows --platform', () => {
    expect(dockerfileBases(HMS_SMD)).toEqual({
      bases: ['artifactory.algol60.net/docker.io/library/golang:1.23-alpine', 'artifactory.algol60.net/docker.io/alpine:3.15'],
      unresolved: []
    });
    expect(dockerfileBases('FROM scratch\nCOPY x /\n').bases).toEqual([]);
    expect(dockerfileBases('ARG V="3.18"\nFROM alpine:${V:-3.15} \\\n  AS a\nFROM a\n').bases).toEqual(['alpine:3.18']);
    expect(dockerfileBases('ARG V\nFROM alpine:${V:-3.15}\n').bases).toEqual(['alpine:3.15']);
  });

  it('says which FROM it cannot resolve (an ARG with no default)', () => {
    expect(dockerfileBases('ARG BASE\nFROM ${BASE}\nFROM alpine:3.19\n')).toEqual({ bases: ['alpine:3.19'], unresolved: ['FROM ${BASE}'] });
  });
});

describe('the bases of a Dockerfile, read as docker reads them (hostile round 2)', () => {
  it('expands an ARG defined from another ARG', () => {
    expect(dockerfileBases('ARG REG=artifactory.example\nARG BASE=${REG}/alpine\nFROM ${BASE}:3.20\n').bases).toEqual([
      'artifactory.example/alpine:3.20'
    ]);
  });
  it('does not take a FROM inside a heredoc body', () => {
    const text =
      'FROM alpine:3.20\nRUN <<EOF\nFROM evil.example/x:1\nEOF\nCOPY <<-EOT /etc/x\n\tFROM other.example/y:2\n\tEOT\nFROM golang:1.23\n';
    expect(dockerfileBases(text).bases).toEqual(['alpine:3.20', 'golang:1.23']);
  });
  it('honours the escape directive', () => {
    const text = '# escape=`\nFROM `\n  alpine:3.20\nRUN echo c:\\\nFROM golang:1.23\n';
    expect(dockerfileBases(text).bases).toEqual(['alpine:3.20', 'golang:1.23']);
  });
  it('stops at its bound of bases, and de-duplicates in linear time', () => {
    const many = Array.from({ length: 60_000 }, (_, i) => `FROM reg.example/b${i % 20_000}:1`).join('\n');
    const started = process.hrtime.bigint();
    expect(dockerfileBases(many, 50)).toMatchObject({ truncated: true });
    expect(dockerfileBases(many, 50).bases).toHaveLength(50);
    expect(dockerfileBases(many).bases).toHaveLength(20_000);
    // a guard against the quadratic de-duplication (22 s before), not a timing benchmark
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(10);
  });
});

describe('image references', () => {
  it('are read as docker reads them', () => {
    expect(parseImageReference('alpine:3.15')).toEqual({ registry: 'docker.io', repository: 'library/alpine', reference: '3.15' });
    expect(parseImageReference('golang')).toEqual({ registry: 'docker.io', repository: 'library/golang', reference: 'latest' });
    expect(parseImageReference('artifactory.algol60.net/csm-docker/stable/cray-smd:2.24.0')).toEqual({
      registry: 'artifactory.algol60.net',
      repository: 'csm-docker/stable/cray-smd',
      reference: '2.24.0'
    });
    expect(parseImageReference('localhost:5000/x@sha256:' + 'a'.repeat(64))?.reference).toBe('sha256:' + 'a'.repeat(64));
    expect(parseImageReference('Not A Ref')).toBeUndefined();
    expect(formatImageReference(parseImageReference('alpine:3.15')!)).toBe('docker.io/library/alpine:3.15');
  });

  it('are read from a rewrite target, plain http only on loopback', () => {
    const rewrites = [{ from: 'artifactory.algol60.net', to: 'http://127.0.0.1:5000' }];
    expect(originFor('artifactory.algol60.net', rewrites)).toBe('http://127.0.0.1:5000');
    expect(originFor('docker.io', rewrites)).toBe('https://registry-1.docker.io');
    expect(originFor('127.0.0.1:5001', [])).toBe('http://127.0.0.1:5001');
    expect(() => checkRegistryRewrite('http://mirror.example', 'input registry-rewrite')).toThrow(/plain http; only loopback/);
  });

  it('follow the registry challenge', () => {
    expect(
      parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"')
    ).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scope: 'repository:library/alpine:pull'
    });
    expect(parseChallenge('Basic realm="Artifactory Realm"')).toEqual({ scheme: 'basic', realm: 'Artifactory Realm' });
    expect(parseChallenge('Bearer service="x"')).toBeUndefined();
  });
});

describe('the rebuild decision', () => {
  const now = Date.parse('2026-12-07T07:00:00Z');
  const found = (
    created: string,
    digest = 'sha256:' + created.replace(/\D/g, '').padEnd(64, '0'),
    baseDigest?: string
  ): RegistryAnswer => ({
    found: true,
    digest,
    created,
    ...(baseDigest ? { baseDigest } : {})
  });
  const input = (image: RegistryAnswer, golang: RegistryAnswer, alpine: RegistryAnswer) => ({
    images: [{ reference: 'reg/cray-smd:2.24.0', name: 'cray-smd:2.24.0', answer: image }],
    bases: [
      { reference: 'reg/golang:1.23-alpine', name: 'golang:1.23-alpine', answer: golang },
      { reference: 'reg/alpine:3.15', name: 'alpine:3.15', answer: alpine }
    ],
    now,
    maxAgeMs: 7 * 86_400_000
  });

  it('does not believe a date that does not parse or lies in the future, and reads an epoch base date as no date', () => {
    const base = found('2026-11-20T00:00:00Z');
    const alpine = found('2023-08-07T19:20:20Z');
    for (const created of ['last tuesday', '2999-01-01T00:00:00Z', '2026-12-01']) {
      const decision = decideRebuild(input({ found: true, digest: 'sha256:' + 'a'.repeat(64), created }, base, alpine));
      expect(decision.rebuild).toBe(true);
      expect(decision.why).toContain('cannot be believed');
    }
    const distroless = { found: true as const, digest: 'sha256:' + 'd'.repeat(64), created: '1970-01-01T00:00:00Z' };
    expect(decideRebuild(input(found('2026-12-02T02:00:00Z'), base, distroless)).rebuild).toBe(false);
    expect(
      staleBases(
        [{ image: 'x:1', bases: [{ reference: 'reg/distroless:1', created: '1970-01-01T00:00:00Z' }], names: new Map() }],
        now,
        180
      )
    ).toEqual([]);
  });

  it('is up to date when nothing moved, and says so with the dates', () => {
    const decision = decideRebuild(input(found('2026-12-02T02:00:00Z'), found('2026-11-20T00:00:00Z'), found('2023-08-07T19:20:20Z')));
    expect(decision).toMatchObject({ rebuild: false, why: 'built 2026-12-02; golang:1.23-alpine 2026-11-20, alpine:3.15 2023-08-07' });
    expect(decision.bases.map((b) => b.created)).toEqual(['2026-11-20T00:00:00Z', '2023-08-07T19:20:20Z']);
  });

  it('rebuilds when a base was published after the image, a recorded base digest moved, the image is old or missing, or a registry cannot be read', () => {
    const why = (i: ReturnType<typeof input>) => [decideRebuild(i).rebuild, decideRebuild(i).why];
    expect(why(input(found('2026-11-18T00:00:00Z'), found('2026-11-20T00:00:00Z'), found('2023-08-07T00:00:00Z')))).toEqual([
      true,
      'golang:1.23-alpine was published 2026-11-20, after cray-smd:2.24.0 was built 2026-11-18'
    ]);
    expect(
      why(
        input(
          found('2026-12-01T00:00:00Z', undefined, 'sha256:' + '1'.repeat(64)),
          found('2026-11-20T00:00:00Z'),
          found('2023-08-07T00:00:00Z', 'sha256:' + '2'.repeat(64))
        )
      )
    ).toEqual([true, 'alpine:3.15 moved since cray-smd:2.24.0 was built on it (sha256:111111111111…, now sha256:222222222222…)']);
    expect(why(input(found('2026-11-20T00:00:00Z'), found('2026-11-01T00:00:00Z'), found('2023-08-07T00:00:00Z')))).toEqual([
      true,
      'cray-smd:2.24.0 was built 2026-11-20, more than 7 days ago (max-age)'
    ]);
    expect(why(input({ found: false, reason: 'missing' }, found('2026-11-01T00:00:00Z'), found('2023-08-07T00:00:00Z')))).toEqual([
      true,
      'cray-smd:2.24.0 is not in the registry'
    ]);
    expect(why(input(found('2026-12-01T00:00:00Z'), { found: 'unknown', error: 'silent' }, found('2023-08-07T00:00:00Z')))).toEqual([
      true,
      'base golang:1.23-alpine cannot be read from its registry'
    ]);
    expect(
      decideRebuild({
        ...input(found('2026-12-01T00:00:00Z'), found('2026-11-01T00:00:00Z'), found('2023-08-07T00:00:00Z')),
        basesUnknown: 'no Dockerfile at v2.24.0'
      }).why
    ).toBe('no Dockerfile at v2.24.0');
  });

  it('keeps every reason that holds, the first as why: a base published after an old image, then max-age', () => {
    const decision = decideRebuild(input(found('2026-11-18T00:00:00Z'), found('2026-11-20T00:00:00Z'), found('2023-08-07T00:00:00Z')));
    expect(decision).toMatchObject({
      rebuild: true,
      why: 'golang:1.23-alpine was published 2026-11-20, after cray-smd:2.24.0 was built 2026-11-18',
      reasons: [
        'golang:1.23-alpine was published 2026-11-20, after cray-smd:2.24.0 was built 2026-11-18',
        'cray-smd:2.24.0 was built 2026-11-18, more than 7 days ago (max-age)'
      ]
    });
    // one reason: no list beside why
    expect(
      decideRebuild(input(found('2026-11-20T00:00:00Z'), found('2026-11-01T00:00:00Z'), found('2023-08-07T00:00:00Z'))).reasons
    ).toBeUndefined();
  });

  it('names each stale base once, with the images built on it', () => {
    const names = new Map([['reg/alpine:3.15', 'alpine:3.15']]);
    const bases = [
      { reference: 'reg/alpine:3.15', created: '2023-08-07T19:20:20Z' },
      { reference: 'reg/golang:1.23-alpine', created: '2026-11-20T00:00:00Z' }
    ];
    expect(
      staleBases(
        [
          { image: 'cray-smd:2.24.0', bases, names },
          { image: 'cray-bss:1.28.0', bases, names }
        ],
        now,
        180
      )
    ).toEqual([{ base: 'alpine:3.15', published: '2023-08-07', images: ['cray-smd:2.24.0', 'cray-bss:1.28.0'] }]);
  });
});

describe('rebuild decisions against the planning deadline', () => {
  it('stop once planning passes its deadline: the builds left are rebuilt and it is said once', async () => {
    const problems: Problem[] = [];
    const log = new PhaseLog(new ConsoleLog(false, new Writable({ write: (_c, _e, cb) => cb() })));
    const asked: string[] = [];
    const registry = {
      imageFacts: (ref: ImageReference) => {
        asked.push(formatImageReference(ref));
        return Promise.resolve({ found: false as const, reason: 'missing' });
      }
    };
    const image = plannedImage('hms-smd', 'cray-smd', '2.24.0');
    const build: PlannedBuild = {
      githubRepo: 'hms-smd',
      gitTag: 'v2.24.0',
      commit: 'c',
      workflow: { id: 1, name: 'build', path: '.github/workflows/build.yaml' },
      chosenBy: 'image-name',
      images: [image.fullImage]
    };
    const plan = {
      repos: [{ githubRepo: 'hms-smd', images: [image], builds: [build, { ...build, gitTag: 'v2.25.0' }] }]
    } as unknown as Plan;
    const decided = await decideRebuilds(plan, {
      registry,
      readFile: () => Promise.resolve('FROM alpine:3.20\n'),
      now: 0,
      maxAgeMs: 1,
      staleBaseDays: 180,
      maxBases: 50,
      budget: new PlanningBudget({ deadline: 1000 }, () => 2000),
      log
    });
    problems.push(...log.problems);
    expect(asked).toEqual([]);
    expect(decided.repos[0]?.builds.map((b) => b.decision?.why)).toEqual([
      'not decided: the planning deadline passed',
      'not decided: the planning deadline passed'
    ]);
    expect(problems.filter((p) => p.message.includes('planning deadline passed'))).toHaveLength(1);
  });
});
