import { spawnSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { execCapture, tail } from '../exec.js';

/** A product stream's own script: some branches (sat, spc) generate docker/index.yaml with it. */
export const RENDER_SCRIPT = 'render_templates.sh';

/**
 * `configuration.render-script`: `skip` (the default) plans the branch as checked out; `run` runs the
 * script where it cannot reach the action's secrets; `run-unisolated` runs it as the action's user,
 * where it can (whoever can push to a targeted branch can then read them).
 */
export const RENDER_SCRIPT_MODES = ['skip', 'run', 'run-unisolated'] as const;
export type RenderScriptMode = (typeof RENDER_SCRIPT_MODES)[number];

/** A script's run ends after this long. */
const RENDER_LIMIT_MS = 10 * 60_000;
/** The user a script runs as (the `nobody` of Debian and Ubuntu, as on GitHub's runners). */
const NOBODY = { uid: 65534, gid: 65534 };

/**
 * Where a repository's script runs away from the action: as another user (`sudo -n -u nobody`, or
 * `setpriv` when the action is root), or in new user, PID and mount namespaces (`unshare`) with
 * the runner's folders hidden. Either way it cannot read `/proc/<action>/environ` (the inputs, the
 * App key, the chart password) nor write the runner's file commands.
 */
export interface RenderSandbox {
  /** `as the user nobody (sudo)`: for the log. */
  describe: string;
  /** The command that runs `bash <script>` in the sandbox with exactly `env`. */
  command(env: Record<string, string>): { file: string; args: string[] };
  /** Make the copied tree writable by the sandbox's user; and, after, removable by the action's. */
  open(dir: string): Promise<void>;
  close(dir: string): Promise<void>;
}

const succeeds = (file: string, args: string[]): boolean => {
  try {
    return spawnSync(file, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
};

const envArgs = (env: Record<string, string>): string[] => Object.entries(env).map(([key, value]) => `${key}=${value}`);

/** Every file and folder of `dir` open to all (the copy is the action's own, made for this run). */
async function openToAll(dir: string): Promise<void> {
  await chmod(dir, 0o777);
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isSymbolicLink()) continue;
    await chmod(join(entry.parentPath, entry.name), entry.isDirectory() ? 0o777 : 0o666).catch(() => undefined);
  }
}

/**
 * The strongest isolation this machine offers, or undefined. `runnerDirs` are folders the script
 * must not see in the namespace fallback (the runner's temp folder and file-command folders).
 */
export function findRenderSandbox(runnerDirs: readonly string[]): RenderSandbox | undefined {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && succeeds('setpriv', ['--version']))
    return {
      describe: 'as the user nobody (setpriv)',
      command: (env) => ({
        file: 'setpriv',
        args: [
          `--reuid=${NOBODY.uid}`,
          `--regid=${NOBODY.gid}`,
          '--clear-groups',
          '--',
          'env',
          '-i',
          ...envArgs(env),
          'bash',
          RENDER_SCRIPT
        ]
      }),
      open: openToAll,
      close: () => Promise.resolve()
    };
  if (!isRoot && succeeds('sudo', ['-n', '-u', 'nobody', 'true']))
    return {
      describe: 'as the user nobody (sudo)',
      command: (env) => ({ file: 'sudo', args: ['-n', '-u', 'nobody', '--', 'env', '-i', ...envArgs(env), 'bash', RENDER_SCRIPT] }),
      open: openToAll,
      // what the script made is nobody's: let the action remove it
      close: async (dir) => {
        spawnSync('sudo', ['-n', '-u', 'nobody', 'chmod', '-R', 'a+rwX', dir], { stdio: 'ignore', timeout: 60_000 });
        return Promise.resolve();
      }
    };
  const unshare = ['--user', '--map-root-user', '--pid', '--fork', '--mount', '--mount-proc'];
  if (succeeds('unshare', [...unshare, 'true'])) {
    const hidden = runnerDirs.filter((d) => d !== '');
    // each runner folder is covered by an empty tmpfs inside the namespace, then the script runs with `env`
    const hide = hidden.map((_, i) => `mount -t tmpfs none "$${i + 1}" || exit 97;`).join(' ');
    const script = `${hide} shift ${hidden.length}; exec env -i "$@"`;
    return {
      describe: 'in new user, PID and mount namespaces (unshare)',
      command: (env) => ({
        file: 'unshare',
        args: [...unshare, 'sh', '-c', script, 'sh', ...hidden, ...envArgs(env), 'bash', RENDER_SCRIPT]
      }),
      open: () => Promise.resolve(),
      close: () => Promise.resolve()
    };
  }
  return undefined;
}

/** The environment a script gets: a path and a language, a home of its own; nothing of the runner's. */
function scriptEnvironment(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    TMPDIR: home,
    LANG: 'C.UTF-8'
  };
}

/** Why `run` cannot go on here, and what to do instead. */
export function noSandboxMessage(branch: string): string {
  return (
    `branch ${branch} has ${RENDER_SCRIPT}, and configuration.render-script is run, but this machine offers no way to run it ` +
    `away from the action's secrets (no sudo -n -u nobody, no setpriv as root, no unprivileged unshare): run the render in a ` +
    `workflow step that holds no secrets before this action, or set render-script: run-unisolated knowingly (whoever can push ` +
    `to the branch can then read the action's secrets)`
  );
}

/**
 * Copy the branch's tree to a folder of its own and run its script there: in the sandbox, or, with
 * `run-unisolated`, as the action's user. The folder is returned; the caller removes it.
 */
export async function runRenderScript(
  exportTree: (dir: string) => Promise<void>,
  branch: string,
  sandbox: RenderSandbox | undefined
): Promise<string> {
  // not under the job's temp folder: that one is the action's alone (0700), the sandbox's user must reach this one
  const root = await mkdtemp(join(tmpdir(), 'render-'));
  const dir = join(root, 'tree');
  try {
    await chmod(root, 0o711);
    await mkdir(dir);
    await exportTree(dir);
    await sandbox?.open(dir);
    const env = scriptEnvironment(dir);
    const { file, args } = sandbox ? sandbox.command(env) : { file: 'bash', args: [RENDER_SCRIPT] };
    const result = await execCapture(file, args, { cwd: dir, env, timeoutMs: RENDER_LIMIT_MS });
    await sandbox?.close(dir);
    if (result.code !== 0)
      throw new Error(`${RENDER_SCRIPT} failed on branch ${branch} (exit ${result.code}): ${tail(result.stderr) || '(no stderr)'}`);
  } catch (error) {
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  return dir;
}

/**
 * A path of the rendered tree as a regular file inside it, or undefined: a link the script made (to
 * a file of the runner) is never followed.
 */
export async function regularFileInside(root: string, path: string): Promise<string | undefined> {
  const full = join(root, path);
  try {
    const [realRoot, realFull, stat] = await Promise.all([realpath(root), realpath(full), lstat(full)]);
    const inside = relative(realRoot, realFull);
    if (!stat.isFile() || inside === '' || inside.startsWith('..') || inside.startsWith(sep)) return undefined;
    return realFull === join(realRoot, path) ? full : undefined;
  } catch {
    return undefined;
  }
}
