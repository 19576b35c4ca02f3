import { gzipSync } from 'node:zlib';
import { apkIndexText, newestByName, parseApkStanzas } from '../../src/packages/apkindex.js';
import { tarOf } from '../support/package-mirror.js';
import {
  fixedBetween,
  frozenBranch,
  newestSupported,
  parseReleases,
  parseSecdb,
  unfixable,
  upgradeList,
  withDependencies,
  worldConstraints,
  satisfies
} from '../../src/packages/upgrades.js';

const INDEX = `C:Q1abc=
P:openssl
V:1.1.1w-r1
o:openssl
t:1700000000
D:so:libc.musl-x86_64.so.1

P:libcrypto1.1
V:1.1.1w-r1
o:openssl
p:so:libcrypto.so.1.1=1.1

P:busybox
V:1.34.1-r7
o:busybox

P:broken
`;

const INSTALLED = `P:openssl
V:1.1.1t-r0
o:openssl
D:so:libcrypto.so.1.1
F:usr/bin
R:openssl

P:libcrypto1.1
V:1.1.1t-r0
o:openssl
p:so:libcrypto.so.1.1=1.1

P:busybox
V:1.34.1-r7
o:busybox

P:curl
V:8.5.0-r0
o:curl
`;

describe("Alpine's index, database and security fixes", () => {
  it('reads an APKINDEX.tar.gz: two gzip streams, a signature fragment then the index tar', async () => {
    const archive = Buffer.concat([
      gzipSync(await tarOf({ '.SIGN.RSA.alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub': 'sig' }, true)),
      gzipSync(await tarOf({ DESCRIPTION: 'v3.15.11', APKINDEX: INDEX }))
    ]);
    const text = await apkIndexText(archive);
    const { packages, malformed } = parseApkStanzas(text);
    expect(packages.map((p) => `${p.name} ${p.version} ${p.origin}`)).toEqual([
      'openssl 1.1.1w-r1 openssl',
      'libcrypto1.1 1.1.1w-r1 openssl',
      'busybox 1.34.1-r7 busybox'
    ]);
    expect(malformed).toEqual({ count: 1, first: ['P:broken'] });
    await expect(apkIndexText(gzipSync(await tarOf({ DESCRIPTION: 'x' })))).rejects.toThrow('not an APKINDEX.tar.gz: it holds DESCRIPTION');
    await expect(apkIndexText(Buffer.from('not gzip'))).rejects.toThrow();
  });

  it('lists the upgrades a rebuild would install, with the CVEs each fixes (installed < fixed ≤ available)', () => {
    const security = parseSecdb({
      packages: [
        {
          pkg: {
            name: 'openssl',
            secfixes: {
              '1.1.1t-r0': ['CVE-2023-0286'],
              '1.1.1u-r0': ['CVE-2023-2650 (+ regression fix)'],
              '1.1.1w-r1': ['CVE-2023-5678'],
              '1.1.1x-r0': ['CVE-2099-0001'],
              '0': ['CVE-2000-0001']
            }
          }
        },
        { pkg: { name: 'busybox', secfixes: { '1.34.1-r5': ['CVE-2022-28391'] } } }
      ]
    });
    const installed = parseApkStanzas(INSTALLED).packages;
    const index = newestByName(parseApkStanzas(INDEX).packages);
    expect(upgradeList(installed, index, security, 'all')).toEqual([
      { name: 'libcrypto1.1', installed: '1.1.1t-r0', available: '1.1.1w-r1', fixes: ['CVE-2023-2650', 'CVE-2023-5678'] },
      { name: 'openssl', installed: '1.1.1t-r0', available: '1.1.1w-r1', fixes: ['CVE-2023-2650', 'CVE-2023-5678'] }
    ]);
    // apk add curl: only curl and what it pulls in may move
    expect(upgradeList(installed, index, security, withDependencies(['curl'], installed))).toEqual([]);
    expect([...withDependencies(['openssl'], installed)]).toEqual(['openssl', 'libcrypto1.1']);
    // the world's constraints bound what apk upgrade installs: a pin or an upper bound holds a package back, a lower bound does not
    expect(upgradeList(installed, index, security, 'all', ['openssl<1.1.1u', 'libcrypto1.1>1.1.0']).map((u) => u.name)).toEqual([
      'libcrypto1.1'
    ]);
    expect(upgradeList(installed, index, security, 'all', ['openssl=1.1.1t-r0', 'libcrypto1.1~1.1.1']).map((u) => u.name)).toEqual([
      'libcrypto1.1'
    ]);
    expect(worldConstraints(['busybox', '!bash', 'curl@edge', 'librdkafka-dev>1.1.0', 'openssl@main<=3.1'])).toEqual(
      new Map([
        ['librdkafka-dev', [{ op: '>', version: '1.1.0' }]],
        ['openssl', [{ op: '<=', version: '3.1' }]]
      ])
    );
    expect(satisfies([{ op: '~', version: '1.36' }], '1.36.1-r2')).toBe(true);
    expect(satisfies([{ op: '~', version: '1.36' }], '1.37.0-r0')).toBe(false);
    expect(fixedBetween(security.get('openssl'), '1.1.1w-r1', '1.1.1w-r1')).toEqual([]);
    expect(() => parseSecdb('<html>')).toThrow('not an Alpine security database');
  });

  it('knows a frozen branch, and what only a change of base can fix', () => {
    const branches = parseReleases({
      release_branches: [
        { rel_branch: 'edge' },
        { rel_branch: 'v3.23', eol_date: '2027-11-01' },
        { rel_branch: 'v3.22', eol_date: '2027-05-01' },
        { rel_branch: 'v3.15', eol_date: '2023-11-01' }
      ]
    });
    expect(frozenBranch(branches, '3.15.11', '2026-12-07')).toEqual({ branch: 'v3.15', eol: '2023-11-01' });
    expect(frozenBranch(branches, '3.22.2', '2026-12-07')).toBeUndefined();
    expect(newestSupported(branches, '2026-12-07')).toEqual({ branch: 'v3.23', eol: '2027-11-01' });
    const newer = parseSecdb({
      packages: [
        { pkg: { name: 'openssl', secfixes: { '1.1.1t-r0': ['CVE-2023-0286'], '3.5.4-r0': ['CVE-2025-9230'] } } },
        { pkg: { name: 'zlib', secfixes: { '1.3.1-r0': ['CVE-2023-45853'] } } }
      ]
    });
    const own = parseSecdb({ packages: [{ pkg: { name: 'openssl', secfixes: { '1.1.1t-r0': ['CVE-2023-0286'] } } }] });
    const installed = parseApkStanzas(INSTALLED).packages;
    // zlib is not in the image; CVE-2023-0286 is fixed at the version it holds
    expect([...unfixable(installed, newer, own)]).toEqual([['openssl', ['CVE-2025-9230']]]);
  });
});
