import type { AnchoredPattern } from '../config/configuration.js';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execCapture, tail } from '../exec.js';
import type { GitRepository, RemoteBranch } from './git.js';

export const RENDER_SCRIPT = 'render_templates.sh';

export interface BranchSelection {
  selected: RemoteBranch[];
  /** Branches named in `targeted-branches` that the repo does not have. */
  missing: string[];
}

/** Keep the targeted branches and those matching a targeted regex (anchored at the start), in remote order. */
export function selectBranches(
  remote: readonly RemoteBranch[],
  targeted: readonly string[],
  patterns: readonly AnchoredPattern[]
): BranchSelection {
  const names = new Set(remote.map((b) => b.name));
  const wanted = new Set(targeted);
  const selected = remote.filter((b) => wanted.has(b.name) || patterns.some((p) => p.test(b.name)));
  const order = (name: string): number => {
    const i = targeted.indexOf(name);
    return i === -1 ? targeted.length : i;
  };
  selected.sort((a, b) => order(a.name) - order(b.name) || a.name.localeCompare(b.name));
  return { selected, missing: targeted.filter((t) => !names.has(t)) };
}

/** The files of one branch that planning reads. */
export interface BranchFiles {
  read(path: string): Promise<string | undefined>;
  readMany(paths: readonly string[]): Promise<Map<string, string | undefined>>;
  list(dir: string): Promise<string[]>;
  dispose(): Promise<void>;
}

/** Files straight from git objects: no checkout. */
export function gitBranchFiles(repo: GitRepository, ref: string): BranchFiles {
  return {
    read: async (path) => (await repo.readFiles(ref, [path])).get(path),
    readMany: (paths) => repo.readFiles(ref, paths),
    list: (dir) => repo.listFiles(ref, dir),
    dispose: () => Promise.resolve()
  };
}

/** Files of a checked-out tree (after `render_templates.sh` ran in it). */
export function directoryBranchFiles(root: string): BranchFiles {
  const read = async (path: string): Promise<string | undefined> => {
    try {
      return await readFile(join(root, path), 'utf8');
    } catch {
      return undefined;
    }
  };
  return {
    read,
    readMany: async (paths) => new Map(await Promise.all(paths.map(async (p) => [p, await read(p)] as const))),
    list: async (dir) => {
      try {
        const entries = await readdir(join(root, dir), { withFileTypes: true });
        return entries
          .filter((e) => e.isFile())
          .map((e) => e.name)
          .sort();
      } catch {
        return [];
      }
    },
    dispose: () => rm(root, { recursive: true, force: true })
  };
}

/** Environment for a product stream's own script: no tokens, no action inputs. */
function scriptEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(INPUT_|GIT_CONFIG_|ACTIONS_)|TOKEN|PASSWORD|SECRET|PRIVATE/i.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/**
 * The files of a branch as planning must see them: straight from git, or, when the branch has
 * `render_templates.sh` at its root (sat and spc generate docker/index.yaml that way), from a
 * checkout of the branch after that script ran.
 */
export async function openBranch(repo: GitRepository, branch: RemoteBranch, tempRoot = tmpdir()): Promise<BranchFiles> {
  const ref = `refs/remotes/origin/${branch.name}`;
  const files = gitBranchFiles(repo, ref);
  const root = await files.list('');
  if (!root.includes(RENDER_SCRIPT)) return files;
  const dir = await mkdtemp(join(tempRoot, 'render-'));
  try {
    await repo.exportTree(ref, dir);
    const result = await execCapture('bash', [RENDER_SCRIPT], { cwd: dir, env: scriptEnvironment(), timeoutMs: 10 * 60_000 });
    if (result.code !== 0) {
      throw new Error(`${RENDER_SCRIPT} failed on branch ${branch.name} (exit ${result.code}): ${tail(result.stderr) || '(no stderr)'}`);
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return directoryBranchFiles(dir);
}
