/**
 * rebuild: when-outdated on what a rebuild would install, on the real CSM plan (144 builds): each
 * build's Dockerfile is the real HMS Dockerfile at its tag (../shared/real-world/hms) when there is
 * one; each image holds real Alpine layers (its final base's release, a database layer written by
 * its package step, and a 1 MB COPY layer above it), built ten days ago (older than max-age). A
 * loopback mirror serves Alpine's indexes, security databases and releases.json. Three nights:
 * the date-based decision (no index can be read: every build unmodelled), a quiet night (the
 * indexes hold what the images hold) and a night where one supported branch has upgrades.
 *
 *   npm run bench -- --only fixes
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  hasRegistry,
  NO_REGISTRY,
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type LocalRegistry
} from '../__tests__/support/image-registry.js';
import {
  alpineLayer,
  apkDatabase,
  apkIndexArchive,
  startPackageMirror,
  tarOf,
  type PackageMirror
} from '../__tests__/support/package-mirror.js';
import { hasRealWorld, REAL_WORLD } from '../__tests__/support/shared.js';
import { dockerfilePackages } from '../src/packages/dockerfile-packages.js';
import { dockerfileBases } from '../src/plan/dockerfile.js';
import { planBuilds, planImages, type Plan, type PlannedBuild } from '../src/plan/plan.js';
import { openRealWorldBench, runMeasured, runnerEnv } from './measure.js';
import { latencyProxy } from './registry.js';

const HOSTS = ['artifactory.algol60.net', 'arti.dev.cray.com'];
const DAY = 86_400_000;
const iso = (msAgo: number): string => new Date(Date.now() - msAgo).toISOString();
const SYNTHETIC =
  'FROM artifactory.algol60.net/docker.io/library/golang:1.24-alpine AS build\nRUN go build ./...\nFROM artifactory.algol60.net/docker.io/alpine:3.22\nRUN apk -U upgrade && apk add --no-cache curl\nCOPY --from=build /app /app\n';

/** The Alpine release an image on this final base holds (a floating `alpine:3` is today's newest). */
function releaseOf(base: string | undefined): string {
  const m = /alpine:?(\d+)\.(\d+)|alpine(\d)\.(\d+)/.exec(base ?? '');
  if (m) return `${m[1] ?? m[3] ?? '3'}.${m[2] ?? m[4] ?? '22'}.9`;
  return '3.22.2';
}

const PACKAGES: [string, string, string][] = [
  ['busybox', '1.37.0-r19', 'busybox'],
  ['libcrypto3', '3.5.1-r0', 'openssl'],
  ['libssl3', '3.5.1-r0', 'openssl'],
  ['musl', '1.2.5-r10', 'musl'],
  ['zlib', '1.3.1-r2', 'zlib'],
  ['curl', '8.14.1-r1', 'curl'],
  ['libcurl', '8.14.1-r1', 'curl'],
  ['ca-certificates', '20250619-r0', 'ca-certificates']
];

async function serveMirror(mirror: PackageMirror, releases: readonly string[], upgradesOn?: string): Promise<void> {
  for (const release of releases) {
    const branch = `v${release.split('.').slice(0, 2).join('.')}`;
    const index = PACKAGES.map(([n, v, o]): [string, string, string] =>
      branch === upgradesOn && o === 'openssl'
        ? [n, '3.5.4-r0', o]
        : branch === upgradesOn && o === 'curl'
          ? [n, '8.14.1-r2', o]
          : [n, v, o]
    );
    mirror.put(`/alpine/${branch}/main/x86_64/APKINDEX.tar.gz`, await apkIndexArchive(index));
    mirror.put(`/alpine/${branch}/community/x86_64/APKINDEX.tar.gz`, await apkIndexArchive([]));
    const secdb = {
      packages: [
        { pkg: { name: 'openssl', secfixes: { '3.5.4-r0': ['CVE-2025-9230', 'CVE-2025-9231', 'CVE-2025-9232'] } } },
        { pkg: { name: 'curl', secfixes: { '8.14.1-r2': ['CVE-2025-9086'] } } }
      ]
    };
    mirror.put(`/secdb/${branch}/main.json`, JSON.stringify(secdb));
    mirror.put(`/secdb/${branch}/community.json`, JSON.stringify({ packages: [] }));
  }
  mirror.put(
    '/secdb/v3.23/main.json',
    JSON.stringify({
      packages: [
        { pkg: { name: 'openssl', secfixes: { '3.5.4-r0': ['CVE-2025-9230'] } } },
        { pkg: { name: 'busybox', secfixes: { '1.37.0-r20': ['CVE-2025-46394'] } } }
      ]
    })
  );
  mirror.put('/secdb/v3.23/community.json', JSON.stringify({ packages: [] }));
  mirror.put(
    '/www/releases.json',
    JSON.stringify({
      release_branches: [
        { rel_branch: 'v3.23', eol_date: '2027-11-01' },
        ...releases.map((r) => ({
          rel_branch: `v${r.split('.').slice(0, 2).join('.')}`,
          eol_date: r.startsWith('3.22') ? '2027-05-01' : '2024-11-01'
        }))
      ]
    })
  );
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

export async function benchFixes(): Promise<void> {
  console.log(
    '\n## rebuild: when-outdated on what a rebuild would install (real CSM plan, real HMS Dockerfiles, real registry, package mirror)'
  );
  if (!hasRealWorld) return void console.log('skipped: ../shared/real-world is not there');
  if (!hasRegistry()) return void console.log(NO_REGISTRY);
  const bench = await openRealWorldBench('bench-fixes-');
  const { parts, work, inputs } = bench;
  const registry: LocalRegistry = await startRegistry('htpasswd');
  const mirror = await startPackageMirror();
  try {
    const always = await runMeasured(runnerEnv(work, parts.github.url, parts.git.url, { ...inputs, 'plan-file': 'always.json' }));
    const plan = JSON.parse(readFileSync(join(work, 'always.json'), 'utf8')) as Plan;
    const builds = planBuilds(plan);
    // the real Dockerfile at each build's tag, where the data has it
    const dockerfileOf = new Map<PlannedBuild, string>();
    let real = 0;
    for (const build of builds) {
      const file = join(REAL_WORLD, 'hms', build.githubRepo, build.gitTag, build.dockerfile ?? 'Dockerfile');
      const text = existsSync(file) ? readFileSync(file, 'utf8') : SYNTHETIC;
      if (text !== SYNTHETIC) real++;
      dockerfileOf.set(build, text);
      const repo = parts.github.repo(build.githubRepo);
      if (repo) repo.files[build.gitTag] = { ...repo.files[build.gitTag], [build.dockerfile ?? 'Dockerfile']: text };
    }
    // bases, a month old; images ten days old, each with its release's layers
    const bases = new Set([...dockerfileOf.values()].flatMap((t) => dockerfileBases(t).bases));
    for (const base of bases) {
      const host = HOSTS.find((h) => base.startsWith(`${h}/`));
      if (!host) continue;
      const [path = '', tag = 'latest'] = base.slice(host.length + 1).split(':');
      await registry.push(path, tag, { created: iso(30 * DAY) });
    }
    const releases = new Set<string>();
    const layersOf = new Map<string, Buffer[]>();
    const imageBuild = new Map(builds.flatMap((b) => b.images.map((i) => [i, b] as const)));
    for (const image of planImages(plan)) {
      const host = HOSTS.find((h) => image.repository.startsWith(`${h}/`));
      const build = imageBuild.get(image.fullImage);
      if (image.state !== 'resolved' || !host || !build) continue;
      const text = dockerfileOf.get(build) ?? SYNTHETIC;
      const release = releaseOf(dockerfilePackages(text).base);
      releases.add(release);
      let layers = layersOf.get(release);
      if (!layers) {
        const branch = `v${release.split('.').slice(0, 2).join('.')}`;
        const base = await alpineLayer(release, PACKAGES.slice(0, 4), {
          'etc/apk/repositories': `https://dl-cdn.alpinelinux.org/alpine/${branch}/main\nhttps://dl-cdn.alpinelinux.org/alpine/${branch}/community\n`,
          'bin/busybox': randomBytes(600_000).toString('base64')
        });
        layers = [base];
        layersOf.set(release, layers);
      }
      // each image's package step writes its own layer (the packages it adds, and the database): about 1 MB
      const apk = gzipSync(
        await tarOf({
          'etc/apk/world': 'alpine-baselayout busybox curl ca-certificates\n',
          'lib/apk/db/installed': apkDatabase(PACKAGES),
          [`usr/lib/libcurl.so.4-${image.name}`]: randomBytes(700_000).toString('base64')
        })
      );
      const app = gzipSync(await tarOf({ 'usr/local/bin/service': randomBytes(1_000_000).toString('base64') }));
      await registry.push(image.repository.slice(host.length + 1), image.tag, {
        created: iso(10 * DAY),
        layers: [...layers, apk, app],
        history: [
          { created_by: 'ADD alpine-minirootfs.tar.gz / # buildkit' },
          { created_by: 'RUN /bin/sh -c apk -U upgrade && apk add --no-cache curl # buildkit' },
          { created_by: 'COPY /app /usr/local/bin/service # buildkit' }
        ]
      });
    }
    console.log(
      `rebuild: always, dry run: ${(always.ms / 1000).toFixed(2)} s, ${always.peakRssMb.toFixed(0)} MB; ${builds.length} builds to dispatch; ` +
        `${real} of them on the real HMS Dockerfile at their tag, releases ${[...releases].sort().join(', ')}`
    );
    const rewrites = (folder: string): string =>
      [
        `https://dl-cdn.alpinelinux.org/alpine=${mirror.url}/${folder}`,
        `https://secdb.alpinelinux.org=${mirror.url}/secdb`,
        `https://alpinelinux.org=${mirror.url}/www`
      ].join('\n');
    const nights: [string, string, number, string | undefined][] = [
      ['the date-based decision (no index readable: every build unmodelled)', 'none', 0, undefined],
      ['a quiet night (the indexes hold what the images hold)', 'alpine', 0, undefined],
      ['a quiet night', 'alpine', 50, undefined],
      ['v3.22 has openssl and curl upgrades', 'alpine', 0, 'v3.22'],
      ['v3.22 has openssl and curl upgrades', 'alpine', 50, 'v3.22']
    ];
    for (const [name, folder, delayMs, upgradesOn] of nights) {
      await serveMirror(mirror, [...releases], upgradesOn);
      const mirrorBefore = { requests: mirror.requests.length, bytes: mirror.bytes() };
      const proxy = await latencyProxy(registry.url, delayMs);
      try {
        const file = `fixes-${folder}-${delayMs}-${upgradesOn ?? 'quiet'}.json`;
        const run = await runMeasured(
          runnerEnv(work, parts.github.url, parts.git.url, {
            ...inputs,
            rebuild: 'when-outdated',
            'registry-rewrite': HOSTS.map((h) => `${h}=${proxy.url}`).join('\n'),
            'registry-hosts': HOSTS.join('\n'),
            'registry-username': REGISTRY_USER,
            'registry-password': REGISTRY_PASSWORD,
            'package-index-rewrite': rewrites(folder),
            'plan-file': file
          })
        );
        const decided = planBuilds(JSON.parse(readFileSync(join(work, file), 'utf8')) as Plan);
        const dispatched = decided.filter((b) => b.decision?.rebuild).length;
        const modelled = decided.filter((b) => b.decision?.packages?.modelled);
        const modelledDispatched = modelled.filter((b) => b.decision?.rebuild).length;
        const cves = new Set(
          decided.flatMap((b) => (b.decision?.rebuild ? (b.decision.packages?.upgrades ?? []).flatMap((u) => u.fixes) : []))
        ).size;
        const frozen = decided.filter((b) => b.decision?.packages?.frozen).length;
        const requests = proxy.counts.manifest + proxy.counts.blob + proxy.counts.other;
        const images = new Set(decided.flatMap((b) => b.images)).size;
        const perImage = [...proxy.counts.blobBytes.entries()].filter(([repo]) => repo.includes('csm-docker')).map(([, bytes]) => bytes);
        console.log(
          `${name}, ${delayMs} ms per request: exit ${run.code}, ${(run.ms / 1000).toFixed(2)} s (+${((run.ms - always.ms) / 1000).toFixed(2)} s over always), ` +
            `${run.peakRssMb.toFixed(0)} MB; ${dispatched} of ${decided.length} builds to dispatch (${modelled.length} fully modelled, ${modelledDispatched} of them dispatched; ` +
            `${cves} CVEs fixed; ${frozen} builds on a frozen branch); registry requests ${requests} (${(requests / decided.length).toFixed(2)} per build; ` +
            `${proxy.counts.blob} blobs); blob bytes per image repository: median ${(median(perImage) / 1e6).toFixed(2)} MB, max ${(Math.max(0, ...perImage) / 1e6).toFixed(2)} MB; ` +
            `per image ${(perImage.reduce((a, b) => a + b, 0) / Math.max(1, images) / 1e6).toFixed(2)} MB on average (${images} images); ` +
            `package mirror: ${mirror.requests.length - mirrorBefore.requests} requests, ${((mirror.bytes() - mirrorBefore.bytes) / 1e3).toFixed(0)} KB`
        );
      } finally {
        await proxy.close();
      }
    }
  } finally {
    await Promise.all([bench.close(), registry.stop(), mirror.close()]);
  }
}
