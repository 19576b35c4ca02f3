import { GitRepository } from '../../src/plan/git.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBranch, selectBranches } from '../../src/plan/product-stream.js';
import { findRenderSandbox, type RenderSandbox, type RenderScriptMode } from '../../src/plan/render-script.js';

const SKIP = { mode: 'skip' as RenderScriptMode, sandbox: undefined };
/** The sandbox of this machine when there is one; else the script runs as the test's user (what the test checks holds either way). */
const run = (): { mode: RenderScriptMode; sandbox: RenderSandbox | undefined } => {
  const sandbox = findRenderSandbox([]);
  return sandbox ? { mode: 'run', sandbox } : { mode: 'run-unisolated', sandbox: undefined };
};
import { startGitServer, type GitServer } from '../support/git-server.js';
import { listen } from '../support/http.js';

describe('selectBranches', () => {
  const remote = ['main', 'release/1.6', 'release/1.5', 'stable/1.5', 'feature/release/2'].map((name, i) => ({ name, commit: String(i) }));

  it('keeps targeted branches and regex matches anchored at the start, reports missing ones', () => {
    const selection = selectBranches(remote, ['main', 'release/1.9'], [/^(?:release\/.+)/]);
    expect(selection.selected.map((b) => b.name)).toEqual(['main', 'release/1.5', 'release/1.6']);
    expect(selection.missing).toEqual(['release/1.9']);
  });
});

describe('product stream repo over smart HTTP', () => {
  const token = 'ghs_producttoken123456';
  let server: GitServer;
  let commits: Record<string, string>;

  beforeAll(async () => {
    server = await startGitServer({ token });
    commits = server.createRepo('Cray-HPE', 'csm', {
      'release/1.6': {
        'docker/index.yaml': 'a: 1\n',
        'manifests/sysmgmt.yaml': 'x\n',
        'manifests/core.yaml': 'y\n',
        'manifests/sub/deep.yaml': 'z\n'
      },
      'release/1.7': {
        'docker/index.yaml.in': 'version: @V@\n',
        'render_templates.sh': {
          content: 'set -e\nsed s/@V@/1.10.0/ docker/index.yaml.in > docker/index.yaml\necho "token=${GITHUB_TOKEN:-none}" > env.txt\n',
          executable: true
        }
      },
      'release/hostile': {
        'docker/index.yaml': 'as: checked-out\n',
        'render_templates.sh': {
          // the round-2 attack: read the action's environment through /proc, write the runner's file commands, link a runner file
          content: [
            'tr "\\0" "\\n" < /proc/$PPID/environ > stolen.txt 2>/dev/null || echo "environ: refused" > stolen.txt',
            'for f in "$GITHUB_ENV" "$GITHUB_OUTPUT" "$GITHUB_STEP_SUMMARY" "$SECRET_FILES"/*; do [ -n "$f" ] && echo "NODE_OPTIONS=--require /tmp/x" >> "$f"; done 2>/dev/null',
            'env > env.txt',
            'mkdir -p docker && ln -sf "$SECRET_FILES/key.pem" docker/index.yaml',
            'true'
          ].join('\n'),
          executable: true
        }
      },
      'release/broken': {
        'render_templates.sh': { content: 'echo "rendering" >&2\necho "cannot find template foo" >&2\nexit 3\n', executable: true }
      }
    });
  });
  afterAll(() => server.close());

  it('lists branches, fetches tips shallow and reads files without a checkout, token sent as basic auth', async () => {
    const repo = await GitRepository.open(`${server.url}/Cray-HPE/csm`, token);
    try {
      const branches = await repo.listBranches();
      expect(branches.map((b) => b.name).sort()).toEqual(['release/1.6', 'release/1.7', 'release/broken', 'release/hostile']);
      expect(branches.find((b) => b.name === 'release/1.6')?.commit).toBe(commits['release/1.6']);
      await repo.fetchTips(['release/1.6']);
      const { files } = await openBranch(repo, { name: 'release/1.6', commit: commits['release/1.6'] ?? '' }, SKIP);
      expect(await files.list('manifests')).toEqual(['core.yaml', 'sysmgmt.yaml']);
      const read = await files.readMany(['docker/index.yaml', 'manifests/core.yaml', 'missing.yaml']);
      expect([...read.entries()]).toEqual([
        ['docker/index.yaml', 'a: 1\n'],
        ['manifests/core.yaml', 'y\n'],
        ['missing.yaml', undefined]
      ]);
    } finally {
      await repo.remove();
    }
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.every((r) => r.user === 'x-access-token' && r.password === token)).toBe(true);
  });

  it('runs render_templates.sh in a copy of the branch, in the sandbox, without the token in its environment', async () => {
    const repo = await GitRepository.open(`${server.url}/Cray-HPE/csm`, token);
    const saved = process.env.GITHUB_TOKEN;
    process.env.GITHUB_TOKEN = 'secret-in-env';
    try {
      await repo.fetchTips(['release/1.7', 'release/broken']);
      const { files } = await openBranch(repo, { name: 'release/1.7', commit: '' }, run());
      expect(await files.read('docker/index.yaml')).toBe('version: 1.10.0\n');
      expect(await files.read('env.txt')).toBe('token=none\n');
      await files.dispose();
      await expect(openBranch(repo, { name: 'release/broken', commit: '' }, run())).rejects.toThrow(
        'render_templates.sh failed on branch release/broken (exit 3): rendering\ncannot find template foo'
      );
    } finally {
      process.env.GITHUB_TOKEN = saved;
      await repo.remove();
    }
  });

  it('by default does not run render_templates.sh, and says so', async () => {
    const repo = await GitRepository.open(`${server.url}/Cray-HPE/csm`, token);
    try {
      await repo.fetchTips(['release/hostile']);
      const opened = await openBranch(repo, { name: 'release/hostile', commit: '' }, SKIP);
      expect(opened.scriptNotRun).toBe(true);
      expect(await opened.files.read('docker/index.yaml')).toBe('as: checked-out\n');
      expect(await opened.files.read('stolen.txt')).toBeUndefined();
    } finally {
      await repo.remove();
    }
  });

  it('refuses to run render_templates.sh when no isolation is available, naming the script and the fix', async () => {
    const repo = await GitRepository.open(`${server.url}/Cray-HPE/csm`, token);
    try {
      await repo.fetchTips(['release/hostile']);
      await expect(openBranch(repo, { name: 'release/hostile', commit: '' }, { mode: 'run', sandbox: undefined })).rejects.toThrow(
        /^branch release\/hostile has render_templates\.sh, and configuration\.render-script is run, but this machine offers no way to run it away from the action's secrets .*: run the render in a workflow step that holds no secrets before this action, or set render-script: run-unisolated knowingly/
      );
    } finally {
      await repo.remove();
    }
  });

  it('a hostile render_templates.sh in the sandbox reads no secret of the action, changes no runner file, and its links are not followed', async () => {
    const sandbox = findRenderSandbox([]);
    if (!sandbox) {
      console.log(
        'no sandbox on this machine (not root with setpriv, no sudo -n, no unprivileged unshare): the hostile render test did not run'
      );
      return;
    }
    // the action's secrets: in this process's environment (as INPUT_* are on a runner) and in its own files
    const secrets = mkdtempSync(join(tmpdir(), 'action-secrets-'));
    const keyFile = join(secrets, 'key.pem');
    writeFileSync(keyFile, 'PRIVATE KEY');
    const runnerFiles = ['env', 'output', 'summary'].map((name) => join(secrets, name));
    for (const file of runnerFiles) writeFileSync(file, '');
    const saved = { ...process.env };
    Object.assign(process.env, {
      'INPUT_PRIVATE-KEY': 'app-private-key-secret',
      'INPUT_CHART-REPO-PASSWORD': 'chart-password-secret',
      GITHUB_ENV: runnerFiles[0],
      GITHUB_OUTPUT: runnerFiles[1],
      GITHUB_STEP_SUMMARY: runnerFiles[2],
      SECRET_FILES: secrets
    });
    const repo = await GitRepository.open(`${server.url}/Cray-HPE/csm`, token);
    try {
      await repo.fetchTips(['release/hostile']);
      const { files } = await openBranch(repo, { name: 'release/hostile', commit: '' }, { mode: 'run', sandbox });
      const stolen = (await files.read('stolen.txt')) ?? '';
      const env = (await files.read('env.txt')) ?? '';
      expect(stolen).toBe('environ: refused\n');
      expect(stolen + env).not.toMatch(/app-private-key-secret|chart-password-secret|ghs_producttoken/);
      expect(env).not.toMatch(/GITHUB_ENV|GITHUB_OUTPUT|GITHUB_STEP_SUMMARY|INPUT_/);
      // the link the script made to the action's key is not followed
      expect(await files.read('docker/index.yaml')).toBeUndefined();
      for (const file of runnerFiles) expect(readFileSync(file, 'utf8')).toBe('');
      await files.dispose();
      // what the sandbox prevents: as the action's user (run-unisolated, chosen knowingly) the script reads the action's environment
      const unisolated = await openBranch(repo, { name: 'release/hostile', commit: '' }, { mode: 'run-unisolated', sandbox: undefined });
      expect(await unisolated.files.read('stolen.txt')).toMatch(/^PATH=/m);
      await unisolated.files.dispose();
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      await repo.remove();
      rmSync(secrets, { recursive: true, force: true });
    }
  });

  it('fails clearly with a wrong token, and never puts the token in the git arguments', async () => {
    const repo = await GitRepository.open(`${server.url}/Cray-HPE/csm`, 'wrong-token');
    try {
      const error = await repo.listBranches().then(
        () => undefined,
        (e: unknown) => e as Error
      );
      expect(error?.message).toMatch(
        /^GitHub refused the token for git ls-remote http:\/\/127\.0\.0\.1:\d+\/Cray-HPE\/csm \(401\/403\): the token \(or the App installation\) needs contents: read/
      );
      expect(error?.message).not.toContain('wrong-token');
    } finally {
      await repo.remove();
    }
  });

  it('follows no redirect: a git server sending the fetch to another origin gets an error, and the token stays', async () => {
    const seen: (string | undefined)[] = [];
    const foreign = await listen((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(404);
      res.end();
    });
    const redirecting = await listen((req, res) => {
      res.writeHead(302, { location: `${foreign.url}${req.url ?? ''}` });
      res.end();
    });
    const repo = await GitRepository.open(`${redirecting.url}/Cray-HPE/csm`, token);
    try {
      await expect(repo.listBranches()).rejects.toThrow(`git ls-remote ${redirecting.url}/Cray-HPE/csm failed`);
      expect(seen).toEqual([]);
    } finally {
      await Promise.all([repo.remove(), foreign.close(), redirecting.close()]);
    }
  });
});
