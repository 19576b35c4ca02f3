/**
 * rebuild: when-outdated on the real CSM plan (144 builds): every repo gets a Dockerfile with a
 * build stage and a final stage, drawn from four shared bases; the images are published two days
 * ago, and one final base (alpine 3.20) republished yesterday. The registry is the real CNCF
 * distribution registry behind a proxy adding 0 or 50 ms to each request.
 *
 *   npm run bench -- --only registry
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { listen } from '../__tests__/support/http.js';
import { join } from 'node:path';
import { planBuilds, planImages, type Plan } from '../src/plan/plan.js';
import {
  hasRegistry,
  NO_REGISTRY,
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type LocalRegistry
} from '../__tests__/support/image-registry.js';
import { hasRealWorld } from '../__tests__/support/shared.js';
import { openRealWorldBench, runMeasured, runnerEnv } from './measure.js';

const HOST = 'artifactory.algol60.net';
const DAY = 86_400_000;
const iso = (msAgo: number): string => new Date(Date.now() - msAgo).toISOString();
const BUILD_BASE = `${HOST}/docker.io/library/golang:1.23-alpine`;
const FINAL_BASES = [`${HOST}/docker.io/alpine:3.20`, `${HOST}/docker.io/library/alpine:3.21`, `${HOST}/docker.io/library/busybox:1.36`];

/** A proxy on 127.0.0.1 answering each request `delayMs` late, counting requests by path kind and the blob bytes of each repository. */
export async function latencyProxy(target: string, delayMs: number) {
  const counts = { manifest: 0, blob: 0, other: 0, blobBytes: new Map<string, number>() };
  const to = new URL(target);
  const server = await listen((req, res) => {
    const kind = req.url?.includes('/manifests/') ? 'manifest' : req.url?.includes('/blobs/') ? 'blob' : 'other';
    counts[kind]++;
    setTimeout(() => {
      const upstream = httpRequest(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          const repo = /\/v2\/(.+)\/blobs\//.exec(req.url ?? '')?.[1];
          answer.on('data', (chunk: Buffer) => {
            if (repo) counts.blobBytes.set(repo, (counts.blobBytes.get(repo) ?? 0) + chunk.length);
          });
          answer.pipe(res);
        }
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    }, delayMs);
  });
  return { url: server.url, counts, close: () => server.close() };
}

async function publish(registry: LocalRegistry, plan: Plan): Promise<void> {
  await registry.push(BUILD_BASE.slice(HOST.length + 1).replace(/:.*/, ''), '1.23-alpine', { created: iso(20 * DAY), multiArch: true });
  for (const [i, base] of FINAL_BASES.entries()) {
    const [path = '', tag = ''] = base.slice(HOST.length + 1).split(':');
    // the first final base moved after the images were built
    await registry.push(path, tag, { created: i === 0 ? iso(1 * DAY) : iso((30 + i * 10) * DAY), multiArch: true });
  }
  for (const image of planImages(plan)) {
    if (image.state !== 'resolved' || !image.repository.startsWith(`${HOST}/`)) continue;
    await registry.push(image.repository.slice(HOST.length + 1), image.tag, { created: iso(2 * DAY) });
  }
}

export async function benchRegistry(): Promise<void> {
  console.log('\n## rebuild: when-outdated on the real CSM plan (real registry, 4 shared bases, one moved)');
  if (!hasRealWorld) return void console.log('skipped: ../shared/real-world is not there');
  if (!hasRegistry()) return void console.log(NO_REGISTRY);
  const bench = await openRealWorldBench('bench-registry-');
  const { parts, work, inputs } = bench;
  const registry = await startRegistry('htpasswd');
  try {
    const always = await runMeasured(runnerEnv(work, parts.github.url, parts.git.url, { ...inputs, 'plan-file': 'always.json' }));
    const plan = JSON.parse(readFileSync(join(work, 'always.json'), 'utf8')) as Plan;
    const repos = plan.repos.map((r) => r.githubRepo);
    for (const [i, name] of repos.entries()) {
      const repo = parts.github.repo(name);
      if (repo)
        repo.files['*'] = {
          ...repo.files['*'],
          Dockerfile: `FROM ${BUILD_BASE} AS build\nRUN go build ./...\nFROM ${FINAL_BASES[i % FINAL_BASES.length] ?? ''}\nCOPY --from=build /app /app\n`
        };
    }
    await publish(registry, plan);
    const builds = planBuilds(plan).length;
    console.log(
      `rebuild: always, dry run: ${(always.ms / 1000).toFixed(2)} s, ${always.peakRssMb.toFixed(0)} MB; ${builds} builds to dispatch`
    );
    for (const delayMs of [0, 50]) {
      const proxy = await latencyProxy(registry.url, delayMs);
      try {
        const run = await runMeasured(
          runnerEnv(work, parts.github.url, parts.git.url, {
            ...inputs,
            rebuild: 'when-outdated',
            'max-age': '30d',
            'registry-rewrite': `${HOST}=${proxy.url}`,
            'registry-username': REGISTRY_USER,
            'registry-password': REGISTRY_PASSWORD,
            'plan-file': `when-outdated-${delayMs}.json`
          })
        );
        const decided = planBuilds(JSON.parse(readFileSync(join(work, `when-outdated-${delayMs}.json`), 'utf8')) as Plan);
        const dispatched = decided.filter((b) => b.decision?.rebuild).length;
        const requests = proxy.counts.manifest + proxy.counts.blob + proxy.counts.other;
        const bases = new Set(decided.flatMap((b) => b.decision?.bases.map((x) => x.reference) ?? [])).size;
        const images = decided.reduce((n, b) => n + b.images.length, 0);
        const imageRequests = requests - proxy.counts.other - bases * 3;
        console.log(
          `rebuild: when-outdated, ${delayMs} ms per registry request: exit ${run.code}, ${(run.ms / 1000).toFixed(2)} s ` +
            `(+${((run.ms - always.ms) / 1000).toFixed(2)} s over always), ${run.peakRssMb.toFixed(0)} MB; ` +
            `${dispatched} of ${builds} builds to dispatch; registry requests ${requests} ` +
            `(${proxy.counts.manifest} manifests, ${proxy.counts.blob} blobs, and ${proxy.counts.other} GET /v2/ asking how it authenticates): ` +
            `${bases} distinct bases at 3 each (index, manifest, config), the rest ${(imageRequests / images).toFixed(2)} per image ` +
            `(${images} images; ${(imageRequests / builds).toFixed(2)} per build)`
        );
      } finally {
        await proxy.close();
      }
    }
  } finally {
    await Promise.all([bench.close(), registry.stop()]);
  }
}
