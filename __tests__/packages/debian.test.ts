import { aptSources, cveIds, debianRelease, newestDebByName, parseDebStanzas } from '../../src/packages/debian.js';
import { dockerfilePackages } from '../../src/packages/dockerfile-packages.js';
import { isFloatingTag } from '../../src/packages/package-evidence.js';

describe("Debian's package stanzas", () => {
  it('reads names, versions, sources (with a binary rebuild version), relations and continuation lines; leaves out what is not installed', () => {
    const status = [
      'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u1+b1\nSource: openssl (3.0.11-1~deb12u1)\nDepends: libc6 (>= 2.34), libzstd1:any | zlib1g\nDescription: SSL\n a long\n description',
      'Package: old-thing\nStatus: deinstall ok config-files\nVersion: 1.0-1',
      'Package: tzdata\nStatus: install ok installed\nVersion: 2024a-0+deb12u1\nProvides: tzdata-bookworm',
      'Package: broken\nVersion: not a version!',
      'Version: 1.0'
    ].join('\n\n');
    const { packages, malformed } = parseDebStanzas(status, true);
    expect(packages).toEqual([
      {
        name: 'libssl3',
        version: '3.0.11-1~deb12u1+b1',
        source: 'openssl',
        sourceVersion: '3.0.11-1~deb12u1',
        depends: ['libc6', 'libzstd1', 'zlib1g'],
        provides: []
      },
      {
        name: 'tzdata',
        version: '2024a-0+deb12u1',
        source: 'tzdata',
        sourceVersion: '2024a-0+deb12u1',
        depends: [],
        provides: ['tzdata-bookworm']
      }
    ]);
    expect(malformed.count).toBe(2);
    expect(malformed.first[0]).toContain('broken');
  });

  it('takes the newest of a name across suites, by Debian order (a security update over the release)', () => {
    const newest = newestDebByName([
      ...parseDebStanzas('Package: libssl3\nVersion: 3.0.11-1~deb12u2').packages,
      ...parseDebStanzas('Package: libssl3\nVersion: 3.0.15-1~deb12u1').packages,
      ...parseDebStanzas('Package: libssl3\nVersion: 3.0.15-1~deb12u1~pre').packages
    ]);
    expect(newest.get('libssl3')?.version).toBe('3.0.15-1~deb12u1');
  });
});

describe("an image's release and its apt sources", () => {
  it('names Debian and Ubuntu releases and their OSV ecosystems, and nothing else', () => {
    expect(debianRelease('ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n')).toEqual({
      distribution: 'debian',
      release: '12',
      ecosystem: 'Debian:12'
    });
    expect(debianRelease('NAME="Ubuntu"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nID=ubuntu\nVERSION_ID="22.04"\n')).toEqual({
      distribution: 'ubuntu',
      release: '22.04',
      ecosystem: 'Ubuntu:22.04:LTS'
    });
    expect(debianRelease('ID=ubuntu\nVERSION="24.10 (Oracular Oriole)"\nVERSION_ID="24.10"\n')?.ecosystem).toBe('Ubuntu:24.10');
    expect(debianRelease('ID=linuxmint\nID_LIKE="ubuntu debian"\nVERSION_ID="21.3"\n')).toBeUndefined();
    expect(debianRelease('ID=debian\n')).toBeUndefined();
  });

  it('reads one-line and deb822 sources; deb-src, disabled stanzas, comments and flat repositories are left out', () => {
    const sources = aptSources([
      {
        path: 'etc/apt/sources.list',
        text: '# the archive\ndeb [arch=amd64 signed-by=/k.gpg] http://archive.ubuntu.com/ubuntu/ jammy main universe\ndeb-src http://archive.ubuntu.com/ubuntu jammy main\ndeb http://example.com/flat ./\n'
      },
      {
        path: 'etc/apt/sources.list.d/debian.sources',
        text: 'Types: deb deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n# off\nTypes: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nEnabled: no\n'
      }
    ]);
    expect(sources).toEqual([
      { uri: 'http://archive.ubuntu.com/ubuntu', suite: 'jammy', component: 'main' },
      { uri: 'http://archive.ubuntu.com/ubuntu', suite: 'jammy', component: 'universe' },
      { uri: 'http://deb.debian.org/debian', suite: 'bookworm', component: 'main' },
      { uri: 'http://deb.debian.org/debian', suite: 'bookworm-updates', component: 'main' }
    ]);
  });

  it("keeps OSV's CVE records as CVE ids, once, and leaves advisories out", () => {
    expect(cveIds(['DEBIAN-CVE-2024-5535', 'DSA-5764-1', 'CVE-2024-5535', 'UBUNTU-CVE-2023-0286', 'USN-6119-1', 'DLA-1-1'])).toEqual([
      'CVE-2023-0286',
      'CVE-2024-5535'
    ]);
  });
});

describe('what a Dockerfile adds by name', () => {
  it('keeps the names of apk add and apt-get install, without flags, their values, versions or variables', () => {
    const ops = dockerfilePackages(
      'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confnew curl=7.88.1-10 ca-certificates $EXTRA\n' +
        'RUN apk add --no-cache --virtual .build-deps gcc "librdkafka-dev>1.1.0"\n'
    );
    expect(ops.added).toEqual(['curl', 'ca-certificates', 'gcc', 'librdkafka-dev']);
  });
});

describe('floating base tags', () => {
  it('a major alone, latest, stable or no tag floats; a minor, a full version or a digest does not', () => {
    const floating = ['alpine:3', 'alpine', 'debian:stable', 'registry.local/docker.io/alpine:latest', 'ubuntu:24'];
    const pinned = ['alpine:3.22', 'golang:1.23-alpine', 'debian:12.8', `alpine@sha256:${'a'.repeat(64)}`, 'debian:bookworm'];
    expect(floating.filter(isFloatingTag)).toEqual(floating);
    expect(pinned.filter(isFloatingTag)).toEqual([]);
  });
});
