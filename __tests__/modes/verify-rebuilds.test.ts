import type { BuildResult } from '../../src/dispatch/build-result.js';
import { verifyRebuilds } from '../../src/modes/verify-rebuilds.js';
import type { ImagePackages } from '../../src/packages/image-packages.js';
import type { Plan } from '../../src/plan/plan.js';

const IMAGE = 'registry.example/csm/cray-bss:1.28.0';
const upgrade = { name: 'libcrypto3', installed: '3.5.1-r0', available: '3.5.4-r0', fixes: ['CVE-2025-9230'] };

/** A plan of one build of cray-bss, dispatched for an upgrade, and one of cray-hbtd, dispatched by max-age. */
const plan = {
  repos: [
    {
      githubRepo: 'hms-bss',
      images: [],
      builds: [
        {
          githubRepo: 'hms-bss',
          gitTag: 'v1.28.0',
          images: [IMAGE],
          decision: {
            rebuild: true,
            why: 'upgrade',
            images: [],
            bases: [],
            packages: { modelled: true, upgrades: [upgrade], unmodelled: [] }
          }
        },
        {
          githubRepo: 'hms-bss',
          gitTag: 'v1.20.0',
          images: ['registry.example/csm/cray-hbtd:1.20.0'],
          decision: { rebuild: true, why: 'max-age', images: [], bases: [] }
        }
      ]
    }
  ]
} as unknown as Plan;

const result = (fullImage: string, outcome: BuildResult['outcome'], via: BuildResult['via'] = 'dispatched'): BuildResult => ({
  githubRepo: 'hms-bss',
  image: fullImage.split('/').pop()?.split(':')[0] ?? '',
  fullImage,
  tag: fullImage.split(':').pop() ?? '',
  gitTag: `v${fullImage.split(':').pop() ?? ''}`,
  branches: ['release/1.6'],
  outcome,
  via,
  runId: 1
});

const rebuilt: ImagePackages = {
  kind: 'alpine',
  release: '3.22.2',
  installed: [{ name: 'libcrypto3', version: '3.5.4-r0', origin: 'openssl', depends: [], provides: [] }],
  malformed: { count: 0, first: [] },
  repositories: [],
  world: [],
  layer: 'sha256:1',
  bytesRead: 1
};

describe('verifying what was rebuilt for upgrades', () => {
  it('reads only succeeded builds dispatched for upgrades; a failed one, one built by another run, or a max-age one are left as they are', async () => {
    const read: string[] = [];
    const results = [
      result(IMAGE, 'succeeded'),
      result('registry.example/csm/cray-hbtd:1.20.0', 'succeeded'),
      { ...result(IMAGE, 'failed'), gitTag: 'v1.28.0' },
      result(IMAGE, 'already-built', 'recent')
    ];
    const verified = await verifyRebuilds(
      plan,
      results,
      (image) => {
        read.push(image);
        return Promise.resolve(rebuilt);
      },
      () => 60_000
    );
    expect(read).toEqual([IMAGE]);
    expect(verified.results.map((r) => r.verification)).toEqual([{ state: 'verified' }, undefined, undefined, undefined]);
    expect(verified.problems).toEqual([]);
  });

  it('past the time limit nothing is read: unknown, with why; a read that fails is unknown too', async () => {
    let reads = 0;
    const late = await verifyRebuilds(
      plan,
      [result(IMAGE, 'succeeded')],
      () => {
        reads++;
        return Promise.resolve(rebuilt);
      },
      () => 0
    );
    expect(reads).toBe(0);
    expect(late.results[0]?.verification).toEqual({ state: 'unknown', why: 'the time limit passed before it was read' });
    const refused = await verifyRebuilds(
      plan,
      [result(IMAGE, 'succeeded')],
      () => Promise.reject(new Error('registry registry.example: 401')),
      () => 1
    );
    expect(refused.results[0]?.verification).toEqual({ state: 'unknown', why: 'registry registry.example: 401' });
    expect(refused.problems).toEqual([]);
  });
});
