import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { parseImageReference, type ImageReference } from '../../src/registry/image-reference.js';
import { RegistryClient } from '../../src/registry/registry-client.js';
import { layerOrder, readImagePackages, type LayerCache } from '../../src/packages/image-packages.js';
import {
  hasRegistry,
  NO_REGISTRY,
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type LocalRegistry
} from '../support/image-registry.js';
import { testHttp } from '../support/network.js';
import { describeWith } from '../support/skips.js';
import { apkDatabase } from '../support/package-mirror.js';

/** A real tar.gz layer of these files (a `null` content is a whiteout of that path). */
async function layer(files: Record<string, string | null>): Promise<Buffer> {
  const p = pack();
  for (const [path, content] of Object.entries(files)) {
    if (content === null) {
      const slash = path.lastIndexOf('/');
      p.entry({ name: `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}` }, '');
    } else p.entry({ name: path }, content);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

const db = apkDatabase;

const ALPINE_BASE = {
  'etc/alpine-release': '3.15.11\n',
  'etc/apk/repositories': 'https://dl-cdn.alpinelinux.org/alpine/v3.15/main\nhttps://dl-cdn.alpinelinux.org/alpine/v3.15/community\n',
  'etc/apk/world': 'alpine-baselayout busybox\n',
  'lib/apk/db/installed': db([
    ['busybox', '1.34.1-r5'],
    ['libcrypto1.1', '1.1.1t-r0', 'openssl']
  ])
};
// BuildKit's history: the base's ADD, its CMD (no layer), then the Dockerfile's steps
const HISTORY = [
  { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
  { created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
  { created_by: 'RUN /bin/sh -c apk -U upgrade && apk add --no-cache curl # buildkit' },
  { created_by: 'COPY /app /usr/local/bin/app # buildkit' }
];

const withRegistry = describeWith('docker-registry', hasRegistry(), NO_REGISTRY);

withRegistry('what an image holds, read from its layers in the real CNCF registry', () => {
  let registry: LocalRegistry;
  let base: Buffer;
  let upgraded: Buffer;
  let app: Buffer;
  beforeAll(async () => {
    registry = await startRegistry('htpasswd');
    base = await layer(ALPINE_BASE);
    upgraded = await layer({
      'etc/apk/world': 'alpine-baselayout busybox curl\n',
      'lib/apk/db/installed': db([
        ['busybox', '1.34.1-r7'],
        ['libcrypto1.1', '1.1.1w-r1', 'openssl'],
        ['curl', '8.5.0-r0']
      ])
    });
    app = await layer({ 'usr/local/bin/app': 'x'.repeat(100_000) });
  }, 30_000);
  afterAll(() => registry?.stop());

  const client = (): RegistryClient =>
    new RegistryClient({
      credentialsFor: (host) => (host === registry.host ? { username: REGISTRY_USER, password: REGISTRY_PASSWORD } : undefined),
      rewrites: [],
      namedHosts: new Set([registry.host]),
      timeoutMs: 5000,
      http: testHttp()
    });
  const ref = (repository: string, tag: string): ImageReference => {
    const parsed = parseImageReference(`${registry.host}/${repository}:${tag}`);
    if (!parsed) throw new Error('not a reference');
    return parsed;
  };

  it('reads the layer the history names first, then the base below it, never the COPY layer above (multi-arch index)', async () => {
    await registry.push('csm/cray-bss', '1.28.0', {
      created: '2026-12-01T00:00:00Z',
      multiArch: true,
      layers: [base, upgraded, app],
      history: HISTORY
    });
    const c = client();
    const blobsBefore = c.requests.blob;
    const found = await readImagePackages(c, ref('csm/cray-bss', '1.28.0'));
    expect(found).toMatchObject({
      kind: 'alpine',
      release: '3.15.11',
      repositories: ['https://dl-cdn.alpinelinux.org/alpine/v3.15/main', 'https://dl-cdn.alpinelinux.org/alpine/v3.15/community'],
      world: ['alpine-baselayout', 'busybox', 'curl']
    });
    if (found.kind !== 'alpine') return;
    expect(found.installed.map((p) => `${p.name} ${p.version} ${p.origin}`)).toEqual([
      'busybox 1.34.1-r7 busybox',
      'libcrypto1.1 1.1.1w-r1 openssl',
      'curl 8.5.0-r0 curl'
    ]);
    // the config, then two layers: the apk layer and the base; the app layer is not read
    expect(c.requests.blob - blobsBefore).toBe(3);
    expect(found.bytesRead).toBe(base.length + upgraded.length);
    // with the run's layer cache, a second image on the same layers reads none of them again (its config only)
    const cache: LayerCache = new Map();
    await readImagePackages(c, ref('csm/cray-bss', '1.28.0'), undefined, cache);
    const blobsBetween = c.requests.blob;
    await registry.push('csm/cray-bss-copy', '1.28.0', {
      created: '2026-12-02T00:00:00Z',
      layers: [base, upgraded, app],
      history: HISTORY
    });
    expect(await readImagePackages(c, ref('csm/cray-bss-copy', '1.28.0'), undefined, cache)).toMatchObject({
      kind: 'alpine',
      release: '3.15.11'
    });
    expect(c.requests.blob - blobsBetween).toBe(1);
    expect([...cache.keys()]).toHaveLength(2);
  });

  it('scans from the top when the history does not line up, honours whiteouts, and finds no database where there is none', async () => {
    await registry.push('csm/no-history', '1.0.0', {
      created: '2026-12-01T00:00:00Z',
      layers: [base, upgraded, app],
      history: HISTORY.slice(0, 1)
    });
    const c = client();
    const scanned = await readImagePackages(c, ref('csm/no-history', '1.0.0'));
    expect(scanned).toMatchObject({ kind: 'alpine', release: '3.15.11' });
    expect(scanned.bytesRead).toBe(app.length + upgraded.length + base.length);
    await registry.push('csm/deleted', '1.0.0', {
      created: '2026-12-01T00:00:00Z',
      layers: [base, await layer({ 'lib/apk/db/installed': null })]
    });
    expect(await readImagePackages(c, ref('csm/deleted', '1.0.0'))).toMatchObject({ kind: 'no-database' });
    await registry.push('csm/scratch-app', '1.0.0', { created: '2026-12-01T00:00:00Z', layers: [app] });
    expect(await readImagePackages(c, ref('csm/scratch-app', '1.0.0'))).toMatchObject({ kind: 'no-database' });
  });

  it('reads a Debian image, and leaves a layer it cannot read unmodelled, naming it', async () => {
    await registry.push('csm/debian-tool', '1.0.0', {
      created: '2026-12-01T00:00:00Z',
      layers: [
        await layer({
          'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
          'etc/apt/sources.list': 'deb http://deb.debian.org/debian bookworm main\n',
          'var/lib/dpkg/status': 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\n'
        })
      ]
    });
    const c = client();
    expect(await readImagePackages(c, ref('csm/debian-tool', '1.0.0'))).toMatchObject({
      kind: 'debian',
      osRelease: 'ID=debian\nVERSION_ID="12"\n',
      status: expect.stringContaining('Version: 3.0.11-1~deb12u2') as unknown
    });
    const corrupt = Buffer.concat([base.subarray(0, 40), Buffer.from('not the rest of a gzip stream')]);
    await registry.push('csm/corrupt', '1.0.0', { created: '2026-12-01T00:00:00Z', layers: [corrupt] });
    const unread = await readImagePackages(c, ref('csm/corrupt', '1.0.0'));
    expect(unread).toMatchObject({
      kind: 'unmodelled',
      reason: expect.stringMatching(/^layer sha256:[0-9a-f]{64} cannot be read \(/) as unknown
    });
    const over = await readImagePackages(c, ref('csm/cray-bss', '1.28.0'), { layerBytes: 10, imageBytes: 100 });
    expect(over).toMatchObject({
      kind: 'unmodelled',
      reason: expect.stringMatching(/^layer sha256:[0-9a-f]{64} is \d+ bytes, over limits\.layer-megabytes$/) as unknown
    });
    // a layer of 8 MB of zeros packs into a few KB: it is streamed, and stops inflating at the bound
    const bomb = await layer({ 'var/zeros': '\0'.repeat(8 * 1024 * 1024), 'lib/apk/db/installed': 'P:x\nV:1-r0\n' });
    expect(bomb.length).toBeLessThan(64 * 1024);
    await registry.push('csm/bomb', '1.0.0', { created: '2026-12-01T00:00:00Z', layers: [bomb] });
    expect(await readImagePackages(c, ref('csm/bomb', '1.0.0'), { layerBytes: 1024 * 1024, imageBytes: 4 * 1024 * 1024 })).toMatchObject({
      kind: 'unmodelled',
      reason: expect.stringMatching(
        /^layer sha256:[0-9a-f]{64} cannot be read \(it inflates past 1048576 bytes \(limits\.layer-megabytes\)\)$/
      ) as unknown
    });
    // a gzip stream that ends early
    await registry.push('csm/truncated', '1.0.0', { created: '2026-12-01T00:00:00Z', layers: [base.subarray(0, base.length - 100)] });
    expect(await readImagePackages(c, ref('csm/truncated', '1.0.0'))).toMatchObject({
      kind: 'unmodelled',
      reason: expect.stringMatching(/^layer sha256:[0-9a-f]{64} cannot be read \(.*(unexpected end|end of file)/i) as unknown
    });
    expect(await readImagePackages(c, ref('csm/not-pushed', '1.0.0'))).toMatchObject({
      kind: 'unmodelled',
      reason: 'the image is not in the registry'
    });
  });
});

describe('the order layers are read in', () => {
  const layers = [0, 1, 2, 3].map((i) => ({
    digest: `sha256:${String(i).repeat(64)}`,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip'
  }));
  it('starts at the top-most package step when the history lines up, else reads from the top', () => {
    const history = [
      { createdBy: 'ADD rootfs', emptyLayer: false },
      { createdBy: 'RUN apk add --no-cache python3', emptyLayer: false },
      { createdBy: 'ENV X=1', emptyLayer: true },
      { createdBy: 'RUN apk -U upgrade', emptyLayer: false },
      { createdBy: 'COPY app /app', emptyLayer: false }
    ];
    expect(layerOrder({ layers, history })).toEqual([2, 1, 0]);
    expect(layerOrder({ layers, history: history.slice(0, 3) })).toEqual([3, 2, 1, 0]);
    expect(layerOrder({ layers, history: history.map((h) => ({ ...h, createdBy: 'COPY x y' })) })).toEqual([3, 2, 1, 0]);
  });
});
