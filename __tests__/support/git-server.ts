import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { basicAuthOf, listen, readBody, type RunningServer } from './http.js';

/** A branch of a test repository: path → file content (a string, or {content, mode} for scripts). */
export type Tree = Record<string, string | { content: string; executable: boolean }>;

export interface GitServer extends RunningServer {
  root: string;
  /** Requests seen, with the user of their basic auth (to check the token travelled as it should). */
  requests: { path: string; user?: string; password?: string }[];
  /** Create `<org>/<name>.git` with these branches, each one commit. Returns each branch's commit. */
  createRepo(org: string, name: string, branches: Record<string, Tree>): Record<string, string>;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null'
};

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' }).trim();
}

/**
 * Smart HTTP git server: `git http-backend` as a CGI behind a node server on 127.0.0.1.
 * When `token` is set, every request must carry basic auth with that password (as GitHub wants).
 */
export async function startGitServer(options: { token?: string } = {}): Promise<GitServer> {
  const root = mkdtempSync(join(tmpdir(), 'git-server-'));
  const requests: GitServer['requests'] = [];
  const server = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = basicAuthOf(req);
    requests.push({ path: url.pathname, user: auth?.user, password: auth?.password });
    if (options.token && auth?.password !== options.token) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' });
      res.end('authentication required');
      return;
    }
    const body = await readBody(req);
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        CONTENT_LENGTH: String(body.length),
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: (req.headers['git-protocol'] as string | undefined) ?? '',
        REMOTE_USER: auth?.user ?? '',
        REMOTE_ADDR: '127.0.0.1'
      }
    });
    // http-backend may exit before reading the whole body (a refused request): that is not a server error
    child.stdin.on('error', () => undefined);
    child.stdin.end(body);
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    await new Promise<void>((resolve) => {
      child.on('error', () => resolve());
      child.on('close', () => resolve());
    });
    const response = Buffer.concat(out);
    const split = response.indexOf('\r\n\r\n');
    if (split < 0) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('git http-backend gave no answer');
      return;
    }
    const headerText = response.subarray(0, split).toString('utf8');
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of headerText.split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    res.end(response.subarray(split + 4));
  });

  const createRepo = (org: string, name: string, branches: Record<string, Tree>): Record<string, string> => {
    const bare = join(root, org, `${name}.git`);
    mkdirSync(bare, { recursive: true });
    git(bare, ['init', '--bare', '--quiet']);
    const commits: Record<string, string> = {};
    for (const [branch, tree] of Object.entries(branches)) {
      const work = mkdtempSync(join(tmpdir(), 'git-work-'));
      try {
        git(work, ['init', '--quiet', '-b', 'work']);
        for (const [path, file] of Object.entries(tree)) {
          const target = join(work, path);
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, typeof file === 'string' ? file : file.content);
          if (typeof file !== 'string' && file.executable) chmodSync(target, 0o755);
        }
        git(work, ['add', '-A']);
        git(work, ['commit', '--quiet', '--allow-empty', '-m', `${branch}`]);
        git(work, ['push', '--quiet', bare, `HEAD:refs/heads/${branch}`]);
        commits[branch] = git(work, ['rev-parse', 'HEAD']);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
    return commits;
  };

  return {
    ...server,
    root,
    requests,
    createRepo,
    close: async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    }
  };
}
