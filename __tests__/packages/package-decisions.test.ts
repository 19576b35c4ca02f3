import { ConsoleLog, PhaseLog } from '../../src/log.js';
import { PackageIndexes } from '../../src/packages/package-indexes.js';
import { decideRebuilds } from '../../src/plan/decide-rebuilds.js';
import type { Plan, PlannedRepo } from '../../src/plan/plan.js';
import { RegistryClient } from '../../src/registry/registry-client.js';
import { fixesOf, frozenOf, frozenSection } from '../../src/report/package-report.js';
import {
  hasRegistry,
  NO_REGISTRY,
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type LocalRegistry
} from '../support/image-registry.js';
import { testHttp } from '../support/network.js';
import {
  alpineLayer,
  apkIndexArchive,
  debianLayer,
  packagesGz,
  releasesJson,
  serveAlpineBranch,
  startPackageMirror,
  type PackageMirror
} from '../support/package-mirror.js';
import { describeWith } from '../support/skips.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T07:00:00Z');
const iso = (daysAgo: number): string => new Date(NOW - daysAgo * DAY).toISOString();
const withRegistry = describeWith('docker-registry', hasRegistry(), NO_REGISTRY);

withRegistry('rebuild: when-outdated decides on what a rebuild would install (real registry, loopback package mirror)', () => {
  let registry: LocalRegistry;
  let mirror: PackageMirror;
  const host = (): string => registry.host;
  beforeAll(async () => {
    registry = await startRegistry('htpasswd');
    mirror = await startPackageMirror();
    await registry.push('docker.io/alpine', '3.22', { created: iso(60) });
    await registry.push('docker.io/alpine', '3.15', { created: '2023-08-07T19:20:20Z' });
    const history = [{ created_by: 'ADD rootfs' }];
    // openssl has a fix on 3.22: a rebuild installs it
    await registry.push('csm/cray-bss', '1.28.0', {
      created: iso(3),
      history,
      layers: [
        await alpineLayer('3.22.2', [
          ['busybox', '1.37.0-r19'],
          ['libcrypto3', '3.5.1-r0', 'openssl']
        ])
      ]
    });
    // nothing newer on 3.22, and a month old: up to date whatever max-age says
    await registry.push('csm/cray-hbtd', '1.20.0', {
      created: iso(30),
      history,
      layers: [await alpineLayer('3.22.2', [['busybox', '1.37.0-r19']])]
    });
    // 3.15 is past its end of life: nothing to upgrade, and what only a new base fixes (openssl's and busybox's fixes in 3.23;
    // CVE-2023-5678 is fixed at the version it holds)
    await registry.push('csm/cray-smd', '2.24.0', {
      created: iso(30),
      history,
      layers: [
        await alpineLayer('3.15.11', [
          ['busybox', '1.34.1-r7'],
          ['libcrypto1.1', '1.1.1w-r1', 'openssl']
        ])
      ]
    });
    // a Dockerfile that pip-installs unpinned: not modelled, so max-age decides
    await registry.push('csm/cray-fas', '1.33.0', {
      created: iso(30),
      history,
      layers: [await alpineLayer('3.22.2', [['busybox', '1.37.0-r19']])]
    });
    await serveAlpineBranch(
      mirror,
      'v3.22',
      [
        ['busybox', '1.37.0-r19'],
        ['libcrypto3', '3.5.4-r0', 'openssl']
      ],
      { openssl: { '3.5.4-r0': ['CVE-2025-9230', 'CVE-2025-9231'] } }
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
    await serveAlpineBranch(mirror, 'v3.23', undefined, {
      openssl: { '3.5.4-r0': ['CVE-2025-9230'], '1.1.1w-r1': ['CVE-2023-5678'] },
      busybox: { '1.37.0-r20': ['CVE-2025-46394'] }
    });
    // alpine:3 floats: it now resolves to 3.23, and cray-pcs was built on 3.22
    await registry.push('docker.io/alpine', '3', { created: iso(60), layers: [await alpineLayer('3.23.0', [['busybox', '1.37.0-r20']])] });
    await registry.push('csm/cray-pcs', '2.0.0', {
      created: iso(3),
      history,
      layers: [await alpineLayer('3.22.2', [['busybox', '1.37.0-r19']])]
    });
    // Debian 12: openssl has a security update; the add-only image's curl moves with its libcurl4, its libssl3 does not
    await registry.push('csm/debian-tool', '1.0.0', {
      created: iso(30),
      history: [{ created_by: 'ADD rootfs' }, { created_by: 'RUN apt-get update && apt-get upgrade -y' }],
      layers: [
        await debianLayer([
          ['base-files', '12.4+deb12u5'],
          ['libssl3', '3.0.11-1~deb12u1', 'openssl']
        ]),
        await debianLayer([
          ['base-files', '12.4+deb12u5'],
          ['libssl3', '3.0.11-1~deb12u1', 'openssl']
        ])
      ]
    });
    await registry.push('csm/debian-adds', '1.0.0', {
      created: iso(30),
      history,
      layers: [
        await debianLayer([
          ['curl', '7.88.1-10+deb12u4', undefined, 'libc6 (>= 2.34), libcurl4 (= 7.88.1-10+deb12u4)'],
          ['libcurl4', '7.88.1-10+deb12u4', 'curl'],
          ['libssl3', '3.0.11-1~deb12u1', 'openssl']
        ])
      ]
    });
    mirror.put(
      '/deb/debian/dists/bookworm/main/binary-amd64/Packages.gz',
      packagesGz([
        ['base-files', '12.4+deb12u5'],
        ['curl', '7.88.1-10+deb12u4'],
        ['libcurl4', '7.88.1-10+deb12u4', 'curl'],
        ['libssl3', '3.0.11-1~deb12u1', 'openssl']
      ])
    );
    mirror.put('/deb/debian/dists/bookworm-updates/main/binary-amd64/Packages.gz', packagesGz([]));
    mirror.put(
      '/deb/debian-security/dists/bookworm-security/main/binary-amd64/Packages.gz',
      packagesGz([
        ['curl', '7.88.1-10+deb12u8'],
        ['libcurl4', '7.88.1-10+deb12u8', 'curl'],
        ['libssl3', '3.0.15-1~deb12u1', 'openssl']
      ])
    );
    mirror.osv({
      'Debian:12/openssl@3.0.11-1~deb12u1': ['DEBIAN-CVE-2024-5535', 'DSA-5764-1', 'DEBIAN-CVE-2024-0727'],
      'Debian:12/openssl@3.0.15-1~deb12u1': ['DEBIAN-CVE-2024-0727'],
      'Debian:12/curl@7.88.1-10+deb12u4': ['DEBIAN-CVE-2024-2398']
    });
    mirror.put('/www/releases.json', releasesJson({ 'v3.23': '2027-11-01', 'v3.22': '2027-05-01', 'v3.15': '2023-11-01' }));
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
    await mirror?.close();
  });

  const repo = (name: string, image: string, tag: string): PlannedRepo =>
    ({
      githubRepo: name,
      images: [
        {
          githubRepo: name,
          fullImage: `${host()}/csm/${image}:${tag}`,
          name: image,
          tag,
          gitTag: `v${tag}`,
          branches: ['release/1.6'],
          sources: [{ kind: 'docker-index' }],
          state: 'resolved'
        }
      ],
      builds: [
        {
          githubRepo: name,
          gitTag: `v${tag}`,
          commit: 'c'.repeat(40),
          workflow: { id: 1, name: 'build', path: '.github/workflows/build.yaml' },
          chosenBy: 'image-name',
          images: [`${host()}/csm/${image}:${tag}`]
        }
      ]
    }) as PlannedRepo;

  const dockerfiles = (): Record<string, string> => ({
    'hms-bss': `FROM ${host()}/docker.io/alpine:3.22\nRUN apk -U upgrade && apk add --no-cache curl\n`,
    'hms-hbtd': `FROM ${host()}/docker.io/alpine:3.22\nRUN apk -U upgrade\n`,
    'hms-smd': `FROM ${host()}/docker.io/alpine:3.15\nRUN apk -U upgrade && apk add curl\n`,
    'hms-fas': `FROM ${host()}/docker.io/alpine:3.22\nRUN apk -U upgrade && pip3 install --upgrade pip\n`,
    'hms-power-control': `FROM ${host()}/docker.io/alpine:3\nRUN apk -U upgrade\n`,
    'hms-broken': `FROM ${host()}/docker.io/alpine:3.22\nRUN apk -U upgrade\n`,
    'debian-tool': `FROM ${host()}/docker.io/debian:12\nRUN apt-get update && apt-get upgrade -y\n`,
    'debian-adds': `FROM ${host()}/docker.io/debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u4\n`
  });

  /** The decisions of these repos' builds, read from the registry and the mirror (`folder`: where the indexes are). */
  async function decide(
    repos: PlannedRepo[],
    folder: string,
    debianFolder = 'deb',
    osvFolder = 'osv',
    secdbFolder = 'secdb'
  ): Promise<{ decided: Plan; log: PhaseLog }> {
    const plan = {
      version: 3,
      createdAt: new Date(NOW).toISOString(),
      org: 'Cray-HPE',
      productStreamRepo: 'csm',
      branches: [{ branch: 'release/1.6', commit: 'a'.repeat(40), images: repos.length }],
      repos
    } as unknown as Plan;
    const client = new RegistryClient({
      credentialsFor: (h) => (h === registry.host ? { username: REGISTRY_USER, password: REGISTRY_PASSWORD } : undefined),
      rewrites: [],
      namedHosts: new Set([registry.host]),
      timeoutMs: 5000,
      http: testHttp()
    });
    const indexes = new PackageIndexes({
      http: testHttp(),
      rewrites: [
        { from: 'https://dl-cdn.alpinelinux.org/alpine', to: `${mirror.url}/${folder}` },
        { from: 'https://secdb.alpinelinux.org', to: `${mirror.url}/${secdbFolder}` },
        { from: 'https://alpinelinux.org', to: `${mirror.url}/www` },
        { from: 'http://deb.debian.org', to: `${mirror.url}/${debianFolder}` },
        { from: 'https://api.osv.dev', to: `${mirror.url}/${osvFolder}` }
      ],
      timeoutMs: 5000,
      maxBytes: 8 * 1024 * 1024
    });
    const log = new PhaseLog(new ConsoleLog());
    const decided = await decideRebuilds(plan, {
      registry: client,
      readFile: (repoName) => Promise.resolve(dockerfiles()[repoName]),
      now: NOW,
      maxAgeMs: 7 * DAY,
      staleBaseDays: 100_000,
      maxBases: 50,
      log,
      packages: {
        layers: client,
        indexes,
        limits: { layerBytes: 8 * 1024 * 1024, imageBytes: 16 * 1024 * 1024 },
        layerCache: new Map(),
        today: '2026-12-07'
      }
    });
    return { decided, log };
  }

  it('rebuilds what has an upgrade (with its CVEs), keeps a modelled month-old image up to date, lists what is frozen, lets max-age decide the rest', async () => {
    const { decided, log } = await decide(
      [
        repo('hms-bss', 'cray-bss', '1.28.0'),
        repo('hms-hbtd', 'cray-hbtd', '1.20.0'),
        repo('hms-smd', 'cray-smd', '2.24.0'),
        repo('hms-fas', 'cray-fas', '1.33.0')
      ],
      'alpine'
    );
    const decision = (name: string) => decided.repos.find((r) => r.githubRepo === name)?.builds[0]?.decision;
    expect(decision('hms-bss')).toMatchObject({
      rebuild: true,
      why: '1 package would upgrade (libcrypto3 3.5.1-r0 → 3.5.4-r0), fixing 2 CVEs',
      packages: {
        modelled: true,
        classification: 'upgrade',
        release: '3.22.2',
        upgrades: [{ name: 'libcrypto3', fixes: ['CVE-2025-9230', 'CVE-2025-9231'] }]
      }
    });
    expect(decision('hms-hbtd')).toMatchObject({ rebuild: false, packages: { modelled: true, upgrades: [] } });
    expect(decision('hms-hbtd')?.why).toMatch(/no package would upgrade$/);
    expect(decision('hms-smd')).toMatchObject({
      rebuild: false,
      packages: { modelled: true, frozen: { branch: 'v3.15', eol: '2023-11-01', cves: ['CVE-2025-46394', 'CVE-2025-9230'] } }
    });
    expect(decision('hms-fas')).toMatchObject({
      rebuild: true,
      packages: { modelled: false, unmodelled: ['stage final: pip3 install --upgrade pip'] }
    });
    expect(decision('hms-fas')?.why).toMatch(/more than 7 days ago \(max-age\); not modelled: its Dockerfile fetches what no index models/);
    // each index, database and releases.json read once this run
    expect(mirror.requests.filter((p) => p === '/alpine/v3.22/main/x86_64/APKINDEX.tar.gz')).toHaveLength(1);
    expect(new Set(mirror.requests).size).toBe(mirror.requests.length);
    expect(fixesOf(decided)).toEqual({ 'cray-bss:1.28.0': ['CVE-2025-9230', 'CVE-2025-9231'] });
    expect(frozenOf(decided)).toEqual({ 'alpine 3.15': { eol: '2023-11-01', images: { 'cray-smd:2.24.0': 2 }, cves: 2 } });
    expect(frozenSection(decided)).toContain(
      '<details><summary>Alpine 3.15, end of life 2023-11-01: 1 image, 2 CVEs fixed in a supported branch for packages they hold</summary>'
    );
    expect(log.problems).toEqual([]);
  });

  it('decides a Debian image by its dpkg database, its deb822 sources and OSV: an upgrade, and an add-only image whose added package moves with its dependency', async () => {
    const { decided, log } = await decide(
      [repo('debian-tool', 'debian-tool', '1.0.0'), repo('debian-adds', 'debian-adds', '1.0.0')],
      'alpine'
    );
    const decision = (name: string) => decided.repos.find((r) => r.githubRepo === name)?.builds[0]?.decision;
    expect(decision('debian-tool')).toMatchObject({
      rebuild: true,
      why: '1 package would upgrade (libssl3 3.0.11-1~deb12u1 → 3.0.15-1~deb12u1), fixing 1 CVE',
      packages: { modelled: true, distribution: 'debian', release: '12', classification: 'upgrade' }
    });
    expect(decision('debian-tool')?.packages?.upgrades).toEqual([
      { name: 'libssl3', installed: '3.0.11-1~deb12u1', available: '3.0.15-1~deb12u1', fixes: ['CVE-2024-5535'] }
    ]);
    expect(decision('debian-adds')).toMatchObject({ rebuild: true, packages: { modelled: true, classification: 'add-only' } });
    expect(decision('debian-adds')?.packages?.upgrades.map((u) => [u.name, u.fixes])).toEqual([
      ['curl', ['CVE-2024-2398']],
      ['libcurl4', ['CVE-2024-2398']]
    ]);
    // each index once; the OSV batches asked each source at each version once
    for (const path of [
      '/deb/debian/dists/bookworm/main/binary-amd64/Packages.gz',
      '/deb/debian-security/dists/bookworm-security/main/binary-amd64/Packages.gz'
    ])
      expect(mirror.requests.filter((p) => p === path)).toHaveLength(1);
    expect(log.problems).toEqual([]);
  });

  it('rebuilds an image whose floating base (alpine:3) now resolves to another branch than it was built on', async () => {
    const { decided, log } = await decide([repo('hms-power-control', 'cray-pcs', '2.0.0')], 'alpine');
    expect(decided.repos[0]?.builds[0]?.decision).toMatchObject({
      rebuild: true,
      why: `${host()}/docker.io/alpine:3 now resolves to 3.23; the image was built on 3.22`,
      packages: { modelled: true, upgrades: [], floating: { base: `${host()}/docker.io/alpine:3`, now: '3.23', built: '3.22' } }
    });
    expect(log.problems).toEqual([]);
  });

  it('a Debian index that is not gzip leaves its images unmodelled; OSV not answering leaves the upgrades known without their CVEs', async () => {
    mirror.put('/corrupt/debian/dists/bookworm/main/binary-amd64/Packages.gz', 'Package: curl\nVersion: 1\n');
    const broken = await decide([repo('debian-tool', 'debian-tool', '1.0.0')], 'alpine', 'corrupt');
    expect(broken.decided.repos[0]?.builds[0]?.decision).toMatchObject({ rebuild: true, packages: { modelled: false } });
    expect(broken.log.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^http:\/\/deb\.debian\.org\/debian\/dists\/bookworm\/main\/binary-amd64\/Packages\.gz: .*incorrect header check: its images are not modelled, and dates decide$/
      )
    ]);
    const silent = await decide([repo('debian-tool', 'debian-tool', '1.0.0')], 'alpine', 'deb', 'no-osv');
    expect(silent.decided.repos[0]?.builds[0]?.decision?.packages?.upgrades).toEqual([
      { name: 'libssl3', installed: '3.0.11-1~deb12u1', available: '3.0.15-1~deb12u1', fixes: [] }
    ]);
    expect(silent.log.problems.map((p) => p.message)).toEqual([
      'https://api.osv.dev/v1/querybatch: answered 404: the upgrades of its images are known, the CVEs they fix are not'
    ]);
  });

  it('bad input is one warning naming the index, the database or the image, and each build fails open', async () => {
    // an index with a stanza whose version does not parse, a security database that is not JSON, an image database with a broken stanza
    mirror.put(
      '/bad/v3.22/main/x86_64/APKINDEX.tar.gz',
      await apkIndexArchive([
        ['busybox', '1.37.0-r19'],
        ['libcrypto3', 'not a version', 'openssl']
      ])
    );
    mirror.put('/bad-secdb/v3.22/main.json', '<html>not JSON</html>');
    await registry.push('csm/cray-broken', '1.0.0', {
      created: iso(30),
      history: [{ created_by: 'ADD rootfs' }],
      layers: [
        await alpineLayer('3.22.2', [['busybox', '1.37.0-r19']], { 'lib/apk/db/installed': 'P:busybox\nV:1.37.0-r19\n\nP:half a stanza\n' })
      ]
    });
    const { decided, log } = await decide(
      [repo('hms-hbtd', 'cray-hbtd', '1.20.0'), repo('hms-broken', 'cray-broken', '1.0.0')],
      'bad',
      'deb',
      'osv',
      'bad-secdb'
    );
    const decision = (name: string) => decided.repos.find((r) => r.githubRepo === name)?.builds[0]?.decision;
    // the index's readable packages still decide; the CVEs are not known
    expect(decision('hms-hbtd')).toMatchObject({ rebuild: false, packages: { modelled: true, upgrades: [] } });
    expect(decision('hms-broken')).toMatchObject({ rebuild: true, packages: { modelled: false } });
    expect(decision('hms-broken')?.why).toMatch(/more than 7 days ago \(max-age\); not modelled: its package database \(layer sha256:/);
    // in the order of their text: the images not modelled, then the index, then the database
    expect(log.problems.map((p) => p.message).sort()).toEqual([
      expect.stringMatching(
        /^1 image is not modelled, since what it holds cannot be read, so max-age decides it: cray-broken:1\.0\.0 \(its package database \(layer sha256:[0-9a-f]{64}\) has 1 stanza that cannot be read \(P:half a stanza\)\)$/
      ),
      'https://dl-cdn.alpinelinux.org/alpine/v3.22/main/x86_64/APKINDEX.tar.gz: 1 package stanza cannot be read (P:libcrypto3 V:not a version): left out, so an upgrade of what they name is not seen',
      expect.stringMatching(
        /^https:\/\/secdb\.alpinelinux\.org\/v3\.22\/main\.json: .*JSON.*: the upgrades of its images are known, the CVEs they fix are not$/
      )
    ]);
  });

  it('an index that cannot be read leaves its images unmodelled, with one warning naming it', async () => {
    // a rewrite to a folder the mirror lacks: the index answers 404
    const { decided, log } = await decide([repo('hms-hbtd', 'cray-hbtd', '1.20.0')], 'nothing-here');
    expect(decided.repos[0]?.builds[0]?.decision).toMatchObject({ rebuild: true, packages: { modelled: false } });
    expect(log.problems.map((p) => p.message)).toEqual([
      'https://dl-cdn.alpinelinux.org/alpine/v3.22/main/x86_64/APKINDEX.tar.gz: answered 404: its images are not modelled, and dates decide'
    ]);
  });
});
