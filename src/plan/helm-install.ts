import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tc from '@actions/tool-cache';
import { HELM_DOWNLOAD } from '../constants.js';
import { findHelmOnPath } from './helm.js';

/**
 * helm from PATH; otherwise the pinned release, downloaded with @actions/tool-cache and checked
 * against its sha256 before it is used or cached.
 */
export async function locateHelm(log: (message: string) => void): Promise<string> {
  const onPath = findHelmOnPath();
  if (onPath) return onPath;
  const { version, platform, sha256 } = HELM_DOWNLOAD;
  const here = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
  if (here !== platform) {
    throw new Error(
      `helm is not on PATH and no pinned helm download exists for ${here}: install helm first (for example with azure/setup-helm)`
    );
  }
  const cached = tc.find('helm', version.slice(1));
  if (cached) return join(cached, 'helm');
  const url = `https://get.helm.sh/helm-${version}-${platform}.tar.gz`;
  log(`helm is not on PATH: downloading ${url}`);
  const archive = await tc.downloadTool(url);
  const actual = createHash('sha256')
    .update(await readFile(archive))
    .digest('hex');
  if (actual !== sha256) throw new Error(`helm download ${url} has sha256 ${actual}, expected ${sha256}: refusing to run it`);
  const extracted = await tc.extractTar(archive);
  const dir = await tc.cacheDir(join(extracted, platform), 'helm', version.slice(1));
  return join(dir, 'helm');
}
