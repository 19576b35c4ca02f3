import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HELM_DOWNLOAD } from '../../src/constants.js';
import { installHelmRelease } from '../../src/plan/helm-install.js';
import { CapturedStdout } from '../support/captured-stdout.js';
import { ROOT } from '../support/run-action.js';
import { listen, type RunningServer } from '../support/http.js';
import { testHttp } from '../support/network.js';

describe('installing a pinned helm release through the network policy into the tool cache', () => {
  const work = mkdtempSync(join(tmpdir(), 'helm-install-'));
  let server: RunningServer;
  let archive: Buffer;
  const saved = { temp: process.env.RUNNER_TEMP, cache: process.env.RUNNER_TOOL_CACHE };
  // @actions/tool-cache's ::debug:: lines
  const stdout = new CapturedStdout();
  beforeEach(() => stdout.start());
  afterEach(() => stdout.stop());

  beforeAll(async () => {
    // a release archive laid out as get.helm.sh's: linux-amd64/helm
    const src = join(work, 'src');
    mkdirSync(join(src, 'linux-amd64'), { recursive: true });
    writeFileSync(join(src, 'linux-amd64', 'helm'), '#!/bin/sh\necho v9.9.9\n');
    chmodSync(join(src, 'linux-amd64', 'helm'), 0o755);
    execFileSync('tar', ['-czf', join(work, 'helm.tgz'), '-C', src, 'linux-amd64']);
    archive = readFileSync(join(work, 'helm.tgz'));
    server = await listen((req, res) => {
      if (req.url === '/helm-v9.9.9-linux-amd64.tar.gz') {
        res.writeHead(200, { 'content-type': 'application/gzip' });
        res.end(archive);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    process.env.RUNNER_TEMP = join(work, 'temp');
    process.env.RUNNER_TOOL_CACHE = join(work, 'cache');
  });
  afterAll(async () => {
    await server.close();
    process.env.RUNNER_TEMP = saved.temp;
    process.env.RUNNER_TOOL_CACHE = saved.cache;
    if (saved.temp === undefined) delete process.env.RUNNER_TEMP;
    if (saved.cache === undefined) delete process.env.RUNNER_TOOL_CACHE;
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses an archive whose sha256 is not the pinned one', async () => {
    const release = { version: 'v9.9.9', platform: 'linux-amd64', sha256: '0'.repeat(64), baseUrl: server.url };
    await expect(installHelmRelease(release, () => undefined, testHttp())).rejects.toThrow(
      /has sha256 [0-9a-f]{64}, expected 0{64}: refusing to run it$/
    );
  });

  it('says helm, the version and what to do when the download fails', async () => {
    const release = { version: 'v9.9.8', platform: 'linux-amd64', sha256: '0'.repeat(64), baseUrl: server.url };
    await expect(installHelmRelease(release, () => undefined, testHttp())).rejects.toThrow(
      `cannot download helm v9.9.8 from ${server.url}/helm-v9.9.8-linux-amd64.tar.gz (answered 404): put helm on PATH`
    );
  });

  it('pins the helm that the tests, CI and the demo run (npm run setup)', () => {
    const installed = execFileSync(join(ROOT, '.tools/bin/helm'), ['version', '--short'], { encoding: 'utf8' });
    expect(installed.split('+')[0]).toBe(HELM_DOWNLOAD.version);
    expect(HELM_DOWNLOAD.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('installs, caches and then reuses an archive with the pinned sha256', async () => {
    const sha256 = createHash('sha256').update(archive).digest('hex');
    const logged: string[] = [];
    const helm = await installHelmRelease(
      { version: 'v9.9.9', platform: 'linux-amd64', sha256, baseUrl: server.url },
      (m) => logged.push(m),
      testHttp()
    );
    expect(helm).toBe(join(work, 'cache', 'helm', '9.9.9', process.arch, 'helm'));
    expect(execFileSync(helm, [], { encoding: 'utf8' })).toBe('v9.9.9\n');
    expect(logged).toEqual([`helm is not on PATH: downloading ${server.url}/helm-v9.9.9-linux-amd64.tar.gz`]);
    // the second time it comes from the tool cache, without a download
    expect(
      await installHelmRelease(
        { version: 'v9.9.9', platform: 'linux-amd64', sha256, baseUrl: 'http://127.0.0.1:9' },
        () => undefined,
        testHttp()
      )
    ).toBe(helm);
  });
});
