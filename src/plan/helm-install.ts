import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tc from '@actions/tool-cache';
import { MEGABYTE } from '../bytes.js';
import { HELM_DOWNLOAD } from '../constants.js';
import { errorMessage } from '../errors.js';
import type { OriginBoundFetch } from '../http/origin-bound-fetch.js';
import { findHelmOnPath } from './helm.js';

/** A helm release archive is about 20 MB. */
const MAX_HELM_ARCHIVE_BYTES = 100 * MEGABYTE;
const HELM_DOWNLOAD_MS = 5 * 60_000;

export interface HelmRelease {
  /** `v4.1.4` */
  version: string;
  /** `linux-amd64` */
  platform: string;
  sha256: string;
  /** Where release archives live: `<base>/helm-<version>-<platform>.tar.gz`. */
  baseUrl: string;
}

const PINNED: HelmRelease = { ...HELM_DOWNLOAD, baseUrl: 'https://get.helm.sh' };

function thisPlatform(): string {
  return `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
}

/**
 * Download a helm release archive through the job's network policy, refuse it unless its sha256 is
 * the pinned one, and cache the binary in the runner's tool cache (@actions/tool-cache).
 */
export async function installHelmRelease(
  release: HelmRelease,
  log: (message: string) => void,
  http: OriginBoundFetch,
  skipCharts = 'skip-charts: true'
): Promise<string> {
  const semver = release.version.replace(/^v/, '');
  const cached = tc.find('helm', semver);
  if (cached) return join(cached, 'helm');
  const url = `${release.baseUrl.replace(/\/+$/, '')}/helm-${release.version}-${release.platform}.tar.gz`;
  log(`helm is not on PATH: downloading ${url}`);
  let bytes: Buffer;
  try {
    const answer = await http.request(url, {
      service: `helm releases ${new URL(url).origin}`,
      timeoutMs: HELM_DOWNLOAD_MS,
      maxBytes: MAX_HELM_ARCHIVE_BYTES,
      // get.helm.sh sends the archive from its storage: followed, never with a credential (none is sent)
      redirects: 'drop-credentials'
    });
    if (answer.status !== 200) throw new Error(`answered ${answer.status}`);
    bytes = answer.body;
  } catch (error) {
    throw new Error(
      `cannot download helm ${release.version} from ${url} (${errorMessage(error)}): put helm on PATH before this step ` +
        `(for example with azure/setup-helm), or plan without charts with ${skipCharts}`,
      { cause: error }
    );
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== release.sha256)
    throw new Error(`helm download ${url} has sha256 ${actual}, expected ${release.sha256}: refusing to run it`);
  const folder = await mkdtemp(join(tmpdir(), 'helm-'));
  try {
    const archive = join(folder, 'helm.tar.gz');
    await writeFile(archive, bytes);
    const extracted = await tc.extractTar(archive);
    const dir = await tc.cacheDir(join(extracted, release.platform), 'helm', semver);
    return join(dir, 'helm');
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * helm from PATH; otherwise, on a runner, the pinned release (linux-amd64) downloaded into the tool
 * cache and checked against its sha256. Outside a runner there is no tool cache: say what to do.
 */
export async function locateHelm(
  log: (message: string) => void,
  options: { download: boolean; http: OriginBoundFetch; skipCharts: string }
): Promise<string> {
  const onPath = findHelmOnPath();
  if (onPath) return onPath;
  if (!options.download) {
    throw new Error(
      'helm is not on PATH, and planning renders charts with it: install helm (https://helm.sh/docs/intro/install/; ' +
        'in a clone of this repository `npm run setup` puts it in .tools/bin, then add that folder to PATH), or plan without charts with ' +
        options.skipCharts
    );
  }
  const here = thisPlatform();
  if (here !== PINNED.platform) {
    throw new Error(
      `helm is not on PATH and no pinned helm download exists for ${here}: install helm first (for example with azure/setup-helm)`
    );
  }
  return installHelmRelease(PINNED, log, options.http, options.skipCharts);
}
