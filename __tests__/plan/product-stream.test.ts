import { GitRepository } from '../../src/plan/git.js';
import { openBranch, selectBranches } from '../../src/plan/product-stream.js';
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
      expect(branches.map((b) => b.name).sort()).toEqual(['release/1.6', 'release/1.7', 'release/broken']);
      expect(branches.find((b) => b.name === 'release/1.6')?.commit).toBe(commits['release/1.6']);
      await repo.fetchTips(['release/1.6']);
      const files = await openBranch(repo, { name: 'release/1.6', commit: commits['release/1.6'] ?? '' });
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

  it('runs render_templates.sh in a checkout of the branch, without the token in its environment', async () => {
    const repo = await GitRepository.open(`${server.url}/Cray-HPE/csm`, token);
    const saved = process.env.GITHUB_TOKEN;
    process.env.GITHUB_TOKEN = 'secret-in-env';
    try {
      await repo.fetchTips(['release/1.7', 'release/broken']);
      const files = await openBranch(repo, { name: 'release/1.7', commit: '' });
      expect(await files.read('docker/index.yaml')).toBe('version: 1.10.0\n');
      expect(await files.read('env.txt')).toBe('token=none\n');
      await files.dispose();
      await expect(openBranch(repo, { name: 'release/broken', commit: '' })).rejects.toThrow(
        'render_templates.sh failed on branch release/broken (exit 3): rendering\ncannot find template foo'
      );
    } finally {
      process.env.GITHUB_TOKEN = saved;
      await repo.remove();
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
