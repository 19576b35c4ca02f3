import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execCapture, tail } from '../exec.js';
import { NoAnswerError } from '../errors.js';
import { basicAuthorization } from '../http/origin-bound-fetch.js';
import { formatDuration } from '../duration.js';

/** A git command ends after this long whatever it transfers (a stalled transfer ends much sooner). */
const GIT_HARD_LIMIT_MS = 15 * 60_000;

export interface RemoteBranch {
  name: string;
  commit: string;
}

/**
 * The git CLI behind one wrapper, on a bare repository in a temp dir. The token travels the way
 * actions/checkout sends it (an `http.<url>.extraheader`), but through GIT_CONFIG_* environment
 * variables: never in a URL, an argument, a file or a log.
 */
export class GitRepository {
  private constructor(
    readonly dir: string,
    private readonly url: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly stallSeconds: number,
    private readonly signal: AbortSignal | undefined
  ) {}

  static async open(
    url: string,
    token: string | undefined,
    options: { stallSeconds?: number; tempRoot?: string; signal?: AbortSignal } = {}
  ): Promise<GitRepository> {
    const stallSeconds = options.stallSeconds ?? 60;
    const dir = await mkdtemp(join(options.tempRoot ?? tmpdir(), 'product-stream-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      // a server that sends less than 1 KB/s for this long (or nothing at all) ends the command
      GIT_HTTP_LOW_SPEED_LIMIT: '1000',
      GIT_HTTP_LOW_SPEED_TIME: String(Math.max(1, Math.round(stallSeconds)))
    };
    // a redirect would take the fetch (and maybe its credentials) to another server: none is followed
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.followRedirects';
    env.GIT_CONFIG_VALUE_0 = 'false';
    if (token) {
      const origin = new URL(url).origin;
      env.GIT_CONFIG_COUNT = '2';
      env.GIT_CONFIG_KEY_1 = `http.${origin}/.extraheader`;
      env.GIT_CONFIG_VALUE_1 = `AUTHORIZATION: ${basicAuthorization('x-access-token', token)}`;
    }
    const repo = new GitRepository(dir, url, env, Math.max(1, Math.round(stallSeconds)), options.signal);
    await repo.git(['init', '--bare', '--quiet']);
    await repo.git(['remote', 'add', 'origin', url]);
    return repo;
  }

  private async git(args: string[], input?: string): Promise<string> {
    const result = await execCapture('git', args, {
      cwd: this.dir,
      env: this.env,
      input,
      timeoutMs: GIT_HARD_LIMIT_MS,
      ...(this.signal ? { signal: this.signal } : {})
    });
    if (result.signal === 'SIGKILL')
      throw new NoAnswerError(`git server: git ${args[0] ?? ''} ${this.url} did not end in ${formatDuration(GIT_HARD_LIMIT_MS)}`);
    if (result.code !== 0) throw this.explain(args[0] ?? 'git', result.stderr);
    return result.stdout;
  }

  /** git's failure as a person can act on it: a silent server, a refused token, or git's own words. */
  private explain(command: string, stderr: string): Error {
    const operation = `git ${command} ${this.url}`;
    if (/Operation too slow|Operation timed out|Connection timed out/i.test(stderr))
      return new NoAnswerError(`git server: ${operation} gave no answer in ${this.stallSeconds} s`);
    const refused = /could not read Username|Authentication failed|returned error: (401|403)|terminal prompts disabled/i.test(stderr);
    if (refused)
      return new Error(
        `GitHub refused the token for ${operation} (401/403): the token (or the App installation) needs contents: read on that repository`
      );
    return new Error(`${operation} failed: ${tail(stderr)}`);
  }

  async listBranches(): Promise<RemoteBranch[]> {
    const out = await this.git(['ls-remote', '--heads', 'origin']);
    return out
      .split('\n')
      .filter((line) => line.includes('\trefs/heads/'))
      .map((line) => {
        const [commit = '', ref = ''] = line.split('\t');
        return { name: ref.slice('refs/heads/'.length), commit };
      });
  }

  /** Fetch only the tips of these branches, shallow, in one request. */
  async fetchTips(branches: readonly string[]): Promise<void> {
    if (branches.length === 0) return;
    const refspecs = branches.map((b) => `+refs/heads/${b}:refs/remotes/origin/${b}`);
    await this.git(['fetch', '--quiet', '--no-tags', '--depth=1', 'origin', ...refspecs]);
  }

  /** File names (not folders) directly inside `dir` at `ref`. */
  async listFiles(ref: string, dir: string): Promise<string[]> {
    const prefix = dir.replace(/\/+$/, '');
    const out = await this.git(['ls-tree', '-z', ref, '--', prefix === '' ? '.' : `${prefix}/`]);
    return out
      .split('\0')
      .filter((entry) => entry.includes(' blob '))
      .map((entry) => entry.slice(entry.indexOf('\t') + 1))
      .map((p) => (prefix ? p.slice(prefix.length + 1) : p))
      .sort();
  }

  /** Several files at once through one `git cat-file --batch`; a missing file is `undefined`. */
  async readFiles(ref: string, paths: readonly string[]): Promise<Map<string, string | undefined>> {
    const result = new Map<string, string | undefined>();
    if (paths.length === 0) return result;
    const input = paths.map((p) => `${ref}:${p}\n`).join('');
    const out = await execCapture('git', ['cat-file', '--batch'], {
      cwd: this.dir,
      env: this.env,
      input,
      ...(this.signal ? { signal: this.signal } : {})
    });
    if (out.code !== 0) throw new Error(`git cat-file failed: ${tail(out.stderr)}`);
    const buffer = out.stdoutBytes;
    let offset = 0;
    for (const path of paths) {
      const newline = buffer.indexOf(10, offset);
      const header = buffer.subarray(offset, newline).toString('utf8');
      offset = newline + 1;
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        result.set(path, undefined);
        continue;
      }
      const size = Number(header.split(' ')[2]);
      const type = header.split(' ')[1];
      result.set(path, type === 'blob' ? buffer.subarray(offset, offset + size).toString('utf8') : undefined);
      offset += size + 1;
    }
    return result;
  }

  /** Write the tree at `ref` into `dir` (for scripts that must run on a checkout). */
  async exportTree(ref: string, dir: string): Promise<void> {
    const archive = await execCapture('sh', ['-c', `git archive --format=tar "$1" | tar -xf - -C "$2"`, 'sh', ref, dir], {
      cwd: this.dir,
      env: this.env
    });
    if (archive.code !== 0) throw new Error(`cannot export ${ref}: ${tail(archive.stderr)}`);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
