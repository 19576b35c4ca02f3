import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tc from '@actions/tool-cache';
import { HELM_DOWNLOAD, Inputs } from '../constants.js';
import { errorMessage } from '../errors.js';
import { findHelmOnPath } from './helm.js';

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
 * Download a helm release archive with @actions/tool-cache, refuse it unless its sha256 is the
 * pinned one, and cache the binary in the runner's tool cache.
 */
export async function installHelmRelease(release: HelmRelease, log: (message: string) => void): Promise<string> {
  const semver = release.version.replace(/^v/, '');
  const cached = tc.find('helm', semver);
  if (cached) return join(cached, 'helm');
  const url = `${release.baseUrl.replace(/\/+$/, '')}/helm-${release.version}-${release.platform}.tar.gz`;
  log(`helm is not on PATH: downloading ${url}`);
  let archive: string;
  try {
    archive = await tc.downloadTool(url);
  } catch (error) {
    throw new Error(
      `cannot download helm ${release.version} from ${url} (${errorMessage(error)}): put helm on PATH before this step ` +
        `(for example with azure/setup-helm), or plan without charts with ${Inputs.SkipCharts}: true`,
      { cause: error }
    );
  }
  const actual = createHash('sha256')
    .update(await readFile(archive))
    .digest('hex');
  if (actual !== release.sha256)
    throw new Error(`helm download ${url} has sha256 ${actual}, expected ${release.sha256}: refusing to run it`);
  const extracted = await tc.extractTar(archive);
  const dir = await tc.cacheDir(join(extracted, release.platform), 'helm', semver);
  return join(dir, 'helm');
}

/**
 * helm from PATH; otherwise, on a runner, the pinned release (linux-amd64) downloaded into the tool
 * cache and checked against its sha256. Outside a runner there is no tool cache: say what to do.
 */
export async function locateHelm(log: (message: string) => void, options: { download: boolean } = { download: true }): Promise<string> {
  const onPath = findHelmOnPath();
  if (onPath) return onPath;
  if (!options.download) {
    throw new Error(
      'helm is not on PATH, and planning renders charts with it: install helm (https://helm.sh/docs/intro/install/; ' +
        'in a clone of this repository `npm run setup` puts it in .tools/bin, then add that folder to PATH), or plan without charts with --skip-charts'
    );
  }
  const here = thisPlatform();
  if (here !== PINNED.platform) {
    throw new Error(
      `helm is not on PATH and no pinned helm download exists for ${here}: install helm first (for example with azure/setup-helm)`
    );
  }
  return installHelmRelease(PINNED, log);
}
