import { PackageIndexes } from '../../src/packages/package-indexes.js';
import { testHttp } from '../support/network.js';
import { apkIndexArchive, startPackageMirror, type PackageMirror } from '../support/package-mirror.js';

describe('where package indexes are read, and with what', () => {
  let mirror: PackageMirror | undefined;
  afterEach(async () => {
    await mirror?.close();
    mirror = undefined;
  });
  const indexes = (options: Partial<ConstructorParameters<typeof PackageIndexes>[0]> = {}): PackageIndexes =>
    new PackageIndexes({ http: testHttp(), rewrites: [], timeoutMs: 5000, maxBytes: 1024 * 1024, ...options });

  it('reads a URL an image names over https, never on a private address, and nothing but http(s)', async () => {
    // an http source (as Debian's images name theirs) is read as https: here a loopback host, so not read at all
    await expect(indexes().apkIndex('http://127.0.0.1:9/alpine/v3.22/main')).rejects.toThrow(
      'http://127.0.0.1:9/alpine/v3.22/main/x86_64/APKINDEX.tar.gz is a private address: not read'
    );
    await expect(indexes().apkIndex('ftp://mirror.example/alpine/v3.22/main')).rejects.toThrow(
      'ftp://mirror.example/alpine/v3.22/main/x86_64/APKINDEX.tar.gz is not https: not read (a package-index-rewrite line can send it to a mirror)'
    );
  });

  it("sends package-index credentials to a rewrite's target that asks for them; without them, one error naming the URL", async () => {
    mirror = await startPackageMirror({ user: 'reader', password: 'mirror-secret-41' });
    mirror.put('/alpine/v3.22/main/x86_64/APKINDEX.tar.gz', await apkIndexArchive([['busybox', '1.37.0-r19']]));
    const rewrites = [{ from: 'https://dl-cdn.alpinelinux.org/alpine', to: `${mirror.url}/alpine` }];
    const url = 'https://dl-cdn.alpinelinux.org/alpine/v3.22/main';
    const read = await indexes({ rewrites, credentials: { username: 'reader', password: 'mirror-secret-41' } }).apkIndex(url);
    expect(read.packages.map((p) => `${p.name} ${p.version}`)).toEqual(['busybox 1.37.0-r19']);
    await expect(indexes({ rewrites }).apkIndex(url)).rejects.toThrow(`${url}/x86_64/APKINDEX.tar.gz: answered 401`);
  });

  it('asks OSV each package at each version once a run, in one batch', async () => {
    mirror = await startPackageMirror();
    mirror.osv({ 'Debian:12/openssl@3.0.11-1~deb12u1': ['DEBIAN-CVE-2024-5535'] });
    const osv = indexes({ rewrites: [{ from: 'https://api.osv.dev', to: `${mirror.url}/osv` }] });
    const q = { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u1' };
    const other = { ecosystem: 'Debian:12', name: 'curl', version: '7.88.1-10+deb12u4' };
    expect(await osv.osv([q, other, q])).toEqual([['DEBIAN-CVE-2024-5535'], [], ['DEBIAN-CVE-2024-5535']]);
    expect(await osv.osv([q])).toEqual([['DEBIAN-CVE-2024-5535']]);
    expect(mirror.requests).toEqual(['/osv/v1/querybatch']);
  });
});
