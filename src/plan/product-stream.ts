import type { AnchoredPattern } from '../config/configuration.js';
import { readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { GitRepository, RemoteBranch } from './git.js';
import {
  noSandboxMessage,
  regularFileInside,
  RENDER_SCRIPT,
  runRenderScript,
  type RenderSandbox,
  type RenderScriptMode
} from './render-script.js';

export { RENDER_SCRIPT };

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

/** Files of a rendered tree (after `render_templates.sh` ran in it): regular files inside it only, never a link it made. */
export function directoryBranchFiles(root: string): BranchFiles {
  const read = async (path: string): Promise<string | undefined> => {
    const file = await regularFileInside(root, path);
    if (file === undefined) return undefined;
    try {
      return await readFile(file, 'utf8');
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
    // the tree sits in a folder of its own (render-script.ts)
    dispose: () => rm(dirname(root), { recursive: true, force: true })
  };
}

/** A branch's files, and whether its render script was there but not run (render-script: skip). */
export interface OpenedBranch {
  files: BranchFiles;
  scriptNotRun: boolean;
}

/**
 * The files of a branch as planning must see them: straight from git; or, when the branch has
 * `render_templates.sh` at its root and `render-script` says to run it, from a copy of the branch
 * after the script ran there (in the sandbox, unless `run-unisolated`).
 */
export async function openBranch(
  repo: GitRepository,
  branch: RemoteBranch,
  script: { mode: RenderScriptMode; sandbox: RenderSandbox | undefined }
): Promise<OpenedBranch> {
  const ref = `refs/remotes/origin/${branch.name}`;
  const files = gitBranchFiles(repo, ref);
  const root = await files.list('');
  if (!root.includes(RENDER_SCRIPT)) return { files, scriptNotRun: false };
  if (script.mode === 'skip') return { files, scriptNotRun: true };
  if (script.mode === 'run' && !script.sandbox) throw new Error(noSandboxMessage(branch.name));
  const dir = await runRenderScript(
    (target) => repo.exportTree(ref, target),
    branch.name,
    script.mode === 'run' ? script.sandbox : undefined
  );
  return { files: directoryBranchFiles(dir), scriptNotRun: false };
}
