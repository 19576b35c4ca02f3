/**
 * Hostile content (`npm run bench -- --only hostile`): the built action in a dry run of the sample
 * stream with one hostile thing added each time, measured: wall time, the action's peak RSS, the
 * peak disk of the job's temp folder, the annotations it printed, its exit code and whether the
 * summary was written. helm runs under prlimit (2 GB by default), so its memory has that bound.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip, gunzipSync } from 'node:zlib';
import { runBundle, ROOT } from '../__tests__/support/run-action.js';
import { manifest, sampleInputs, startSampleStream, type LocalParts, type SampleOptions } from '../__tests__/support/sample-stream.js';
import { makeTgz } from '../__tests__/support/tar.js';
import { aliasBombManifest } from '../__tests__/support/alias-bomb.js';

interface HostileCase {
  name: string;
  world?: SampleOptions;
  /** Changes made once the servers are up (chart archives, emulator files). */
  prepare?: (parts: LocalParts) => void | Promise<void>;
}

const MB = 1048576;
const CHART_PATH = 'artifactory/csm-helm-charts/stable';

function withManifest(file: string, charts: Record<string, unknown>[], lookups: string[] = []): SampleOptions {
  return {
    branches: (branches, chartUrl) => {
      branches['release/1.6'] = { ...branches['release/1.6'], [`manifests/${file}.yaml`]: manifest(file, chartUrl, charts) };
    },
    config: (config) => {
      for (const chart of lookups) (config['helm-repo-lookup'] as unknown[]).push({ chart, path: `stable/${chart}` });
    }
  };
}

const chartFiles = (name: string, extra: { name: string; type?: '2'; data?: string | Buffer; linkname?: string }[]) =>
  makeTgz([
    { name: `${name}/Chart.yaml`, data: `apiVersion: v2\nname: ${name}\nversion: 1.0.0\nsources: [https://github.com/Cray-HPE/hms-x]\n` },
    { name: `${name}/values.yaml`, data: 'lines: 1\n' },
    ...extra
  ]);

/**
 * A chart archive holding one file of zeros, gzipped as it is made: the bench never holds the
 * inflated bytes (a large parent would also inflate what its children report as their peak).
 */
async function zerosChart(name: string, bytes: number): Promise<Buffer> {
  const gzip = createGzip();
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const tar = makeTgz([{ name: `${name}/Chart.yaml`, data: `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n` }]);
  // the archive's entries, then a header for the zeros, the zeros, and the end blocks
  const entries = gunzipSync(tar).subarray(0, -1024);
  const header = gunzipSync(makeTgz([{ name: `${name}/files/zeros`, data: 'x' }])).subarray(0, 512);
  header.write(bytes.toString(8).padStart(11, '0'), 124, 'ascii');
  header.fill(0x20, 148, 156);
  header.write(
    `${header
      .reduce((sum, b) => sum + b, 0)
      .toString(8)
      .padStart(6, '0')}\0`,
    148,
    'ascii'
  );
  const write = (chunk: Buffer) => new Promise<void>((resolve) => (gzip.write(chunk) ? resolve() : gzip.once('drain', resolve)));
  await write(entries);
  await write(header);
  const zeros = Buffer.alloc(MB);
  for (let left = bytes; left > 0; left -= MB) await write(left >= MB ? zeros : zeros.subarray(0, left));
  gzip.end(Buffer.alloc(1024));
  await done;
  return Buffer.concat(out);
}

const entry = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  source: 'csm-algol60',
  version: '1.0.0',
  namespace: 'services',
  ...extra
});

const CASES: HostileCase[] = [
  { name: 'baseline (the sample stream)' },
  {
    name: 'chart with a symlink to a runner file, read by .Files.Get',
    world: withManifest('linky', [entry('cray-hms-linky')], ['cray-hms-linky']),
    prepare: (parts) =>
      parts.charts.put(
        `${CHART_PATH}/cray-hms-linky/cray-hms-linky-1.0.0.tgz`,
        chartFiles('cray-hms-linky', [
          { name: 'cray-hms-linky/files/passwd', type: '2', linkname: '/etc/passwd' },
          { name: 'cray-hms-linky/templates/cm.yaml', data: 'kind: ConfigMap\ndata: {p: {{ .Files.Get "files/passwd" | quote }}}\n' }
        ])
      )
  },
  {
    name: 'manifest entry whose values are a 652-byte alias bomb',
    world: {
      branches: (branches, chartUrl) => {
        const text = aliasBombManifest(chartUrl);
        branches['release/1.6'] = { ...branches['release/1.6'], 'manifests/bomb.yaml': text };
      }
    }
  },
  {
    name: 'chart template printing about 560 MB',
    world: withManifest('loud', [entry('cray-hms-loud')], ['cray-hms-loud']),
    prepare: (parts) =>
      parts.charts.put(
        `${CHART_PATH}/cray-hms-loud/cray-hms-loud-1.0.0.tgz`,
        chartFiles('cray-hms-loud', [
          {
            name: 'cray-hms-loud/templates/loud.yaml',
            data: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: loud}\ndata:\n{{- range $i := until 14000000 }}\n  k{{ $i }}: all work and no play makes jack\n{{- end }}\n'
          }
        ])
      )
  },
  {
    name: "targeted-branch-regexes ['^(a+)+$'] with a branch of 40 a's and a b",
    world: {
      branches: (branches) => {
        branches[`${'a'.repeat(40)}b`] = { 'README.md': 'x\n' };
      },
      config: (config) => {
        (config.configuration as Record<string, unknown>)['targeted-branch-regexes'] = ['^(a+)+$'];
      }
    }
  },
  {
    name: 'chart archive inflating to 2 GiB',
    world: withManifest('huge', [entry('cray-hms-huge')], ['cray-hms-huge']),
    prepare: async (parts) =>
      parts.charts.put(`${CHART_PATH}/cray-hms-huge/cray-hms-huge-1.0.0.tgz`, await zerosChart('cray-hms-huge', 2048 * MB))
  },
  {
    name: '5,000 manifest entries naming chart versions that do not exist',
    world: withManifest(
      'missing',
      Array.from({ length: 5000 }, (_, i) => entry('cray-hms-bss', { releaseName: `cray-hms-bss-${i}`, version: `9.${i}.0` }))
    )
  },
  {
    name: 'a 20 MB workflow file at a tag',
    prepare: (parts) => {
      const bss = parts.github.repo('hms-bss');
      const path = '.github/workflows/build_and_release_image.yaml';
      if (bss) bss.files['v1.28.0'] = { [path]: `${bss.files['*']?.[path] ?? ''}\n# ${'x'.repeat(20 * MB)}\n` };
    }
  },
  {
    name: 'ESC sequences, an OSC 8 link and U+202E in a tag',
    world: {
      branches: (branches) => {
        const index = branches['release/1.6']?.['docker/index.yaml'];
        if (typeof index === 'string')
          branches['release/1.6'] = {
            ...branches['release/1.6'],
            'docker/index.yaml': index.replace('- 1.9.0', '- "1.9.0\\e[31m\\e]8;;https://evil.example\\aclick\\e]8;;\\a\\u202Egnp"')
          };
      }
    }
  },
  {
    name: '5,000 entries of one chart with distinct release names',
    world: withManifest(
      'many',
      Array.from({ length: 5000 }, (_, i) => entry('cray-hms-bss', { releaseName: `cray-hms-bss-r${i}`, version: '3.2.4' }))
    )
  }
];

/** The largest the job's temp folders grew while it ran, sampled every 100 ms. */
function watchDisk(dir: string): { stop(): number } {
  let peak = 0;
  const size = (path: string): number => {
    let total = 0;
    try {
      for (const name of readdirSync(path)) {
        const full = join(path, name);
        const stat = statSync(full, { throwIfNoEntry: false });
        if (!stat) continue;
        total += stat.isDirectory() ? size(full) : stat.size;
      }
    } catch {
      // removed while walking
    }
    return total;
  };
  const timer = setInterval(() => (peak = Math.max(peak, size(dir))), 100);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    }
  };
}

export async function benchHostile(): Promise<void> {
  console.log('\n## Hostile content (dry run of the sample stream with one hostile thing added)');
  console.log('| case | wall s | action peak RSS MB | peak temp disk MB | errors / warnings annotated | exit | summary |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const hostile of CASES) {
    const parts = await startSampleStream(hostile.world ?? {});
    const temp = mkdtempSync(join(tmpdir(), 'bench-hostile-'));
    try {
      await hostile.prepare?.(parts);
      const disk = watchDisk(temp);
      const run = await runBundle(
        'dist/index.js',
        { ...parts.actionEnv(sampleInputs(parts, { 'dry-run': 'true' })), TMPDIR: temp },
        600_000,
        [],
        ['--import', join(ROOT, 'bench', 'report-peak-memory.mjs')]
      );
      const peakDisk = disk.stop();
      const rss = Number(run.stderr.match(/peak-rss-kb (\d+)/)?.[1] ?? 0) / 1024;
      const count = (kind: string): number => run.annotations.filter((a) => a.kind === kind).length;
      console.log(
        `| ${hostile.name} | ${(run.ms / 1000).toFixed(1)} | ${rss.toFixed(0)} | ${(peakDisk / MB).toFixed(1)} | ${count('error')} / ${count('warning')} | ${run.code} | ${run.summary.length > 0 ? 'written' : 'MISSING'} |`
      );
    } finally {
      await parts.stop();
      rmSync(temp, { recursive: true, force: true });
    }
  }
}
