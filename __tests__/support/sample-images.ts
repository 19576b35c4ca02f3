import type { Plan } from '../../src/plan/plan.js';
import type { LocalRegistry } from './image-registry.js';
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
const OTHER_DOCKERFILE = `FROM ${HOST}/docker.io/alpine:3.20\nRUN apk -U upgrade\n`;

/** A root Dockerfile at every tag of the sample repos. */
export function addSampleDockerfiles(parts: LocalParts): void {
  for (const repo of ['hms-smd', 'hms-bss', 'hms-rts', 'hms-shcd-parser', 'hardware-topology-assistant', 'hms-test']) {
    const emulated = parts.github.repo(repo);
    if (emulated) emulated.files['*'] = { ...emulated.files['*'], Dockerfile: repo === 'hms-smd' ? SMD_DOCKERFILE : OTHER_DOCKERFILE };
  }
}

/**
 * The sample stream's images in the registry, built two days ago, except those of `missing` repos;
 * the golang base republished yesterday (after them), alpine 3.15 last in 2023, alpine 3.20 a month ago.
 */
export async function publishSampleImages(registry: LocalRegistry, plan: Plan, missing: readonly string[]): Promise<void> {
  await registry.push('docker.io/library/golang', '1.23-alpine', { created: iso(1 * DAY), multiArch: true });
  await registry.push('docker.io/alpine', '3.15', { created: '2023-08-07T19:20:20Z', multiArch: true, docker: true });
  const alpine320 = await registry.push('docker.io/alpine', '3.20', { created: iso(30 * DAY), multiArch: true });
  for (const image of plan.repos.flatMap((r) => r.images)) {
    if (image.state !== 'resolved' || missing.includes(image.githubRepo)) continue;
    await registry.push(image.repository.slice(HOST.length + 1), image.tag, {
      created: iso(2 * DAY),
      ...(image.githubRepo === 'hms-smd' ? {} : { annotations: { 'org.opencontainers.image.base.digest': alpine320 } })
    });
  }
}
