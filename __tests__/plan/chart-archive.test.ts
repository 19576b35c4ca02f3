import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ArchiveRefused, extractChartArchive } from '../../src/plan/chart-archive.js';
import { ChartRepository, DEFAULT_CHART_LIMITS } from '../../src/plan/chart-repository.js';
import { startChartRepo, type ChartRepoServer } from '../support/chart-repo.js';
import { makeTgz } from '../support/tar.js';
import { tarOf } from '../support/package-mirror.js';
import { testHttp } from '../support/network.js';

const CHART = [
  { name: 'cray-hms-x/', type: '5' as const },
  {
    name: 'cray-hms-x/Chart.yaml',
    data: 'apiVersion: v2\nname: cray-hms-x\nversion: 1.0.0\nsources: [https://github.com/Cray-HPE/hms-x]\n'
  },
  { name: 'cray-hms-x/values.yaml', data: 'image: {repository: x, tag: 1.0.0}\n' },
  { name: 'cray-hms-x/templates/deployment.yaml', data: 'kind: Deployment\n' }
];

const MB = 1048576;

/** Every path below a folder, links shown as `path -> target`. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string, prefix: string): void => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      const stat = lstatSync(path);
      out.push(`${prefix}${name}${stat.isDirectory() ? '/' : stat.isSymbolicLink() ? ' (link)' : ''}`);
      if (stat.isDirectory()) walk(path, `${prefix}${name}/`);
    }
  };
  walk(dir, '');
  return out;
}

describe("chart archives, extracted by the action's own bounded reader", () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'chart-archive-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('extracts a chart as tar --strip-components=1 does', async () => {
    const dir = join(work, 'chart');
    await extractChartArchive(makeTgz(CHART), dir, DEFAULT_CHART_LIMITS);
    expect(listing(dir)).toEqual(['Chart.yaml', 'templates/', 'templates/deployment.yaml', 'values.yaml']);
    // the same archive through GNU tar, for comparison
    const byTar = join(work, 'tar');
    execFileSync('mkdir', ['-p', byTar]);
    execFileSync('tar', ['-xzf', '-', '-C', byTar, '--strip-components=1'], { input: makeTgz(CHART) });
    expect(listing(dir)).toEqual(listing(byTar));
    expect(readFileSync(join(dir, 'values.yaml'), 'utf8')).toBe('image: {repository: x, tag: 1.0.0}\n');
  });

  it.each([
    [
      'a symbolic link to a file of the runner',
      { name: 'cray-hms-x/files/secret', type: '2' as const, linkname: '/etc/passwd' },
      'is a symbolic link'
    ],
    ['a hard link', { name: 'cray-hms-x/files/hard', type: '1' as const, linkname: 'cray-hms-x/Chart.yaml' }, 'is a hard link'],
    ['a device', { name: 'cray-hms-x/dev', type: '3' as const }, 'is a character device'],
    ['a traversal entry', { name: 'cray-hms-x/../../evil.txt', data: 'x' }, "leaves the chart's folder (..)"],
    ['an absolute path', { name: '/tmp/evil.txt', data: 'x' }, 'has an absolute path']
  ])('refuses %s, and writes nothing outside its folder', async (_what, entry, message) => {
    const dir = join(work, 'out', 'chart');
    const attempt = extractChartArchive(makeTgz([...CHART, entry]), dir, DEFAULT_CHART_LIMITS);
    await expect(attempt).rejects.toThrow(ArchiveRefused);
    await expect(attempt).rejects.toThrow(message);
    // nothing beside the chart's folder
    expect(listing(work).filter((p) => !p.startsWith('out/'))).toEqual([]);
    expect(listing(join(work, 'out')).some((p) => p.includes('(link)') || p.includes('evil') || p.includes('dev'))).toBe(false);
    expect(existsSync('/tmp/evil.txt')).toBe(false);
  });

  it('stops inflating at the bound, in all and per file, before anything reaches the disk', async () => {
    const freeBefore = statfsSync(work).bavail;
    // 60 MB of zeros packs into about 60 KB: over the 50 MB default
    const bomb = makeTgz([...CHART, { name: 'cray-hms-x/files/zeros', data: Buffer.alloc(60 * MB) }]);
    expect(bomb.length).toBeLessThan(MB);
    await expect(extractChartArchive(bomb, join(work, 'a'), DEFAULT_CHART_LIMITS)).rejects.toThrow(
      'it inflates to more than 50 MB (configuration.limits.chart-unpacked-megabytes)'
    );
    expect(existsSync(join(work, 'a', 'files', 'zeros'))).toBe(false);
    const big = makeTgz([...CHART, { name: 'cray-hms-x/files/big', data: Buffer.alloc(3 * MB) }]);
    await expect(extractChartArchive(big, join(work, 'b'), { maxUnpackedBytes: 50 * MB, maxFileBytes: 2 * MB })).rejects.toThrow(
      'entry "cray-hms-x/files/big" is 3 MB, more than the 2 MB a file may be (configuration.limits.chart-file-megabytes)'
    );
    // nothing like the archive's inflated size was written
    expect((freeBefore - statfsSync(work).bavail) * statfsSync(work).bsize).toBeLessThan(10 * MB);
  });

  it('says an archive that is not gzip, or ends inside an entry, is not a valid chart archive', async () => {
    const refused = (archive: Buffer) => extractChartArchive(archive, join(work, 'c'), DEFAULT_CHART_LIMITS);
    await expect(refused(Buffer.from('not gzip'))).rejects.toMatchObject({
      invalid: true,
      message: expect.stringMatching(/^not a gzip archive/)
    });
    const tar = gunzipSync(makeTgz([...CHART, { name: 'cray-hms-x/files/long', data: 'x'.repeat(2000) }]));
    await expect(refused(gzipSync(tar.subarray(0, tar.length - 2048)))).rejects.toMatchObject({
      invalid: true,
      message: 'the archive ends inside an entry'
    });
  });
});

describe('chart archives as other tar writers write them (tar-stream reads them)', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'chart-archive-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  /** The ustar header of the entry at this offset with its checksum made right again, as a writer would have it. */
  const checksummed = (tar: Buffer, at: number): void => {
    tar.fill(0x20, at + 148, at + 156);
    let sum = 0;
    for (let i = at; i < at + 512; i++) sum += tar[i] ?? 0;
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'ascii');
  };

  it('reads a pax long name, and a size in base-256 (as GNU tar writes sizes past 8 GB)', async () => {
    const deep = `cray-hms-x/templates/${'nested-folder/'.repeat(8)}${'a-long-file-name-'.repeat(7)}configmap.yaml`;
    // written by tar-stream's packer, which puts a name past 100 characters in a pax header
    const tar = await tarOf({
      ...Object.fromEntries(CHART.filter((e) => e.data !== undefined).map((e) => [e.name, e.data ?? ''])),
      [deep]: 'kind: ConfigMap\n'
    });
    expect(tar.includes('path=' + deep)).toBe(true);
    // the size of values.yaml in base-256: a 0x80 lead byte, then the number big-endian
    const values = tar.indexOf('cray-hms-x/values.yaml\0');
    expect(values % 512).toBe(0);
    const size = Buffer.alloc(12);
    size[0] = 0x80;
    size.writeUInt32BE(35, 8);
    size.copy(tar, values + 124);
    checksummed(tar, values);
    const dir = join(work, 'chart');
    await extractChartArchive(gzipSync(tar), dir, DEFAULT_CHART_LIMITS);
    expect(readFileSync(join(dir, 'values.yaml'), 'utf8')).toBe('image: {repository: x, tag: 1.0.0}\n');
    expect(readFileSync(join(dir, deep.slice('cray-hms-x/'.length)), 'utf8')).toBe('kind: ConfigMap\n');
  });

  it('refuses a header whose checksum is wrong, as an invalid archive', async () => {
    const tar = gunzipSync(makeTgz(CHART));
    tar[512 + 10] = 0x41; // a byte of the second entry's name, its checksum left as it was
    await expect(extractChartArchive(gzipSync(tar), join(work, 'd'), DEFAULT_CHART_LIMITS)).rejects.toMatchObject({
      invalid: true,
      message: expect.stringMatching(/^not a valid tar archive: /)
    });
  });
});

describe('the chart repository with hostile archives (real server)', () => {
  const credentials = { username: 'reader', password: 'pa55word-xyz' };
  let server: ChartRepoServer;
  beforeAll(async () => {
    server = await startChartRepo(credentials);
  });
  afterAll(() => server.close());

  it('refuses a chart whose file is a link to a file of the runner before helm sees it, naming the chart entry', async () => {
    server.put(
      'stable/linky/linky-1.0.0.tgz',
      makeTgz([...CHART, { name: 'cray-hms-x/files/passwd', type: '2', linkname: '/etc/passwd' }])
    );
    const charts = new ChartRepository(credentials, testHttp());
    const result = await charts.download(`${server.url}/stable/linky/linky-1.0.0.tgz`);
    expect(result).toEqual({
      ok: false,
      reason: 'chart archive refused: entry "cray-hms-x/files/passwd" is a symbolic link: links and devices are not extracted'
    });
    await charts.dispose();
  });

  it('stops a download past its bound', async () => {
    server.put('stable/huge/huge-1.0.0.tgz', Buffer.alloc(3 * MB, 1));
    const charts = new ChartRepository(credentials, testHttp(), { limits: { ...DEFAULT_CHART_LIMITS, maxDownloadBytes: 2 * MB } });
    expect(await charts.download(`${server.url}/stable/huge/huge-1.0.0.tgz`)).toEqual({
      ok: false,
      reason: 'the archive is larger than 2 MB (configuration.limits.chart-download-megabytes)'
    });
    await charts.dispose();
  });
});
