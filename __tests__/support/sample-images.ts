import type { Plan } from '../../src/plan/plan.js';
import type { LocalRegistry } from './image-registry.js';
import {
  alpineLayer,
  debianLayer,
  packagesGz,
  releasesJson,
  serveAlpineBranch,
  type DebianEntry,
  type PackageMirror
} from './package-mirror.js';
import type { LocalParts } from './sample-stream.js';

/** The registry host the sample stream's images name. */
export const IMAGE_HOST = 'artifactory.algol60.net';
const HOST = IMAGE_HOST;
const DAY = 86_400_000;
const iso = (msAgo: number): string => new Date(Date.now() - msAgo).toISOString();

// hms-smd builds in a floating golang tag and ships on alpine 3.15 (ended in 2023); the other repos ship on a current alpine
const SMD_DOCKERFILE = `ARG BASE=${HOST}/docker.io
FROM \${BASE}/library/golang:1.23-alpine AS build
RUN apk -U upgrade && go build ./...
FROM ${HOST}/docker.io/alpine:3.15
COPY --from=build /app /app
`;
const OTHER_DOCKERFILE = `FROM ${HOST}/docker.io/alpine:3.22\nRUN apk -U upgrade\n`;
// hms-test's CT image runs on Debian 12: its dpkg database, deb822 sources, Packages.gz and OSV decide it
const DEBIAN_DOCKERFILE = `FROM ${HOST}/docker.io/debian:12\nRUN apt-get update && apt-get upgrade -y\n`;
// a step no package index models: with package reading, max-age decides this one
const PIP_DOCKERFILE = `FROM ${HOST}/docker.io/alpine:3.22\nRUN apk -U upgrade && apk add --no-cache py3-pip && pip3 install --upgrade pip\n`;

/** A root Dockerfile at every tag of the sample repos. */
export function addSampleDockerfiles(parts: LocalParts): void {
  for (const repo of ['hms-smd', 'hms-bss', 'hms-rts', 'hms-shcd-parser', 'hardware-topology-assistant', 'hms-test']) {
    const emulated = parts.github.repo(repo);
    const dockerfile =
      repo === 'hms-smd'
        ? SMD_DOCKERFILE
        : repo === 'hardware-topology-assistant'
          ? PIP_DOCKERFILE
          : repo === 'hms-test'
            ? DEBIAN_DOCKERFILE
            : OTHER_DOCKERFILE;
    if (emulated) emulated.files['*'] = { ...emulated.files['*'], Dockerfile: dockerfile };
  }
}

/**
 * The sample stream's images in the registry, built two days ago, except those of `missing` repos;
 * the golang base republished yesterday (after them), alpine 3.15 last in 2023, alpine 3.22 a month ago.
 * With `mirror`, the images hold real Alpine layers and the mirror serves Alpine's indexes and
 * security databases, so that the four kinds of package decisions show (`packageWorld`).
 */
export async function publishSampleImages(
  registry: LocalRegistry,
  plan: Plan,
  missing: readonly string[],
  mirror?: PackageMirror
): Promise<void> {
  await registry.push('docker.io/library/golang', '1.23-alpine', { created: iso(1 * DAY), multiArch: true });
  await registry.push('docker.io/alpine', '3.15', { created: '2023-08-07T19:20:20Z', multiArch: true, docker: true });
  const alpine322 = await registry.push('docker.io/alpine', '3.22', { created: iso(30 * DAY), multiArch: true });
  const debian12 = await registry.push('docker.io/debian', '12', { created: iso(30 * DAY) });
  if (mirror) await serveAlpine(mirror);
  if (mirror) serveDebian(mirror);
  for (const image of plan.repos.flatMap((r) => r.images)) {
    if (image.state !== 'resolved' || missing.includes(image.githubRepo)) continue;
    const packages = mirror ? await packageWorld(image.githubRepo) : undefined;
    await registry.push(image.repository.slice(HOST.length + 1), image.tag, {
      created: iso((packages?.daysOld ?? 2) * DAY),
      ...(packages ? { layers: [packages.layer], history: [{ created_by: 'ADD alpine-minirootfs.tar.gz / # buildkit' }] } : {}),
      ...(image.githubRepo === 'hms-smd'
        ? {}
        : { annotations: { 'org.opencontainers.image.base.digest': image.githubRepo === 'hms-test' ? debian12 : alpine322 } })
    });
  }
}

/**
 * What a build of the sample world pushes when it succeeds: the images of `repo` at git tag `ref`,
 * built now. `upgraded`: with what the index holds (the rebuild installed its upgrades); else as a
 * stale build cache would leave them (the upgrades did not land).
 */
export async function pushRebuilt(registry: LocalRegistry, plan: Plan, repo: string, ref: string, upgraded: boolean): Promise<number> {
  const images = plan.repos.flatMap((r) => r.images).filter((i) => i.githubRepo === repo && i.gitTag === ref && i.state === 'resolved');
  for (const image of images) {
    const { layer } = await packageWorld(repo, upgraded);
    await registry.push(image.repository.slice(HOST.length + 1), image.tag, {
      created: new Date().toISOString(),
      layers: [layer],
      history: [{ created_by: 'RUN /bin/sh -c apk -U upgrade # buildkit' }]
    });
  }
  return images.length;
}

/** Where the sample's package indexes are, for package-index-rewrite: Alpine's three hosts, each to its folder of the mirror. */
export function packageIndexRewrites(mirror: PackageMirror): string {
  return [
    `https://dl-cdn.alpinelinux.org/alpine=${mirror.url}/alpine`,
    `https://secdb.alpinelinux.org=${mirror.url}/secdb`,
    `https://alpinelinux.org=${mirror.url}/www`,
    `http://deb.debian.org=${mirror.url}/deb`,
    `https://api.osv.dev=${mirror.url}/osv`
  ].join('\n');
}

/**
 * The four kinds: hms-shcd-parser holds an openssl a rebuild would upgrade (a CVE fixed); hms-smd
 * sits on alpine 3.15, past its end of life (frozen: what only a new base fixes);
 * hardware-topology-assistant pip-installs unpinned and is ten days old (not modelled: max-age
 * rebuilds it); the others hold what the index holds (up to date, modelled).
 */
async function packageWorld(repo: string, upgraded = false): Promise<{ layer: Buffer; daysOld: number }> {
  if (repo === 'hms-test') return { layer: await debianLayer(DEBIAN_PACKAGES), daysOld: 2 };
  if (repo === 'hms-smd')
    return {
      layer: await alpineLayer('3.15.11', [
        ['busybox', '1.34.1-r7', 'busybox'],
        ['libcrypto1.1', '1.1.1w-r1', 'openssl']
      ]),
      daysOld: 2
    };
  const openssl = repo === 'hms-shcd-parser' && !upgraded ? '3.5.1-r0' : '3.5.4-r0';
  return {
    layer: await alpineLayer('3.22.2', [
      ['busybox', '1.37.0-r19', 'busybox'],
      ['libcrypto3', openssl, 'openssl']
    ]),
    daysOld: repo === 'hardware-topology-assistant' ? 10 : 2
  };
}

/** hms-test's Debian 12 packages: what the index holds too (up to date, modelled). */
const DEBIAN_PACKAGES: DebianEntry[] = [
  ['base-files', '12.4+deb12u11'],
  ['libssl3', '3.0.17-1~deb12u2', 'openssl']
];

/** Debian's indexes as the sample world has them: bookworm, its updates and its security suite. */
function serveDebian(mirror: PackageMirror): void {
  mirror.put('/deb/debian/dists/bookworm/main/binary-amd64/Packages.gz', packagesGz(DEBIAN_PACKAGES));
  mirror.put('/deb/debian/dists/bookworm-updates/main/binary-amd64/Packages.gz', packagesGz([]));
  mirror.put('/deb/debian-security/dists/bookworm-security/main/binary-amd64/Packages.gz', packagesGz([]));
}

/** Alpine's indexes, security databases and releases.json, as the sample world has them. */
async function serveAlpine(mirror: PackageMirror): Promise<void> {
  const openssl = { '3.5.4-r0': ['CVE-2025-9230', 'CVE-2025-9231', 'CVE-2025-9232'] };
  await serveAlpineBranch(
    mirror,
    'v3.22',
    [
      ['busybox', '1.37.0-r19'],
      ['libcrypto3', '3.5.4-r0', 'openssl']
    ],
    { openssl }
  );
  await serveAlpineBranch(
    mirror,
    'v3.15',
    [
      ['busybox', '1.34.1-r7'],
      ['libcrypto1.1', '1.1.1w-r1', 'openssl']
    ],
    { openssl: { '1.1.1w-r1': ['CVE-2023-5678'] } }
  );
  await serveAlpineBranch(mirror, 'v3.23', undefined, { openssl, busybox: { '1.37.0-r20': ['CVE-2025-46394', 'CVE-2024-58251'] } });
  mirror.put('/www/releases.json', releasesJson({ 'v3.23': '2027-11-01', 'v3.22': '2027-05-01', 'v3.15': '2023-11-01' }));
}
