import { logicalLines } from '../plan/dockerfile.js';

/**
 * What a rebuild of an image installs, as its Dockerfile says it: the package operations of the
 * final stage's chain (`FROM <stage>` followed back to the external base), and the steps that fetch
 * what no package index models. A pure reading of the text: nothing is run.
 */
export type PackageOperation =
  'apk -U upgrade' | 'apk upgrade' | 'apk add' | 'apk del' | 'apt-get upgrade' | 'apt-get dist-upgrade' | 'apt-get install' | 'pip install';

/** How far a rebuild may move the installed packages. */
export type Classification =
  /** A package upgrade runs: every installed package may move to the index's newest allowed version. */
  | 'upgrade'
  /** Packages are only added: the ones added, and their dependencies, may move. */
  | 'add-only'
  /** No package operation: only the bases matter. */
  | 'none';

export interface StageOperations {
  /** The stage's name (`deploy-base`), or `final` for an unnamed last stage. */
  stage: string;
  operations: PackageOperation[];
}

export interface DockerfilePackages {
  /** The stages of the final chain that run package operations, from the external base to the last stage. */
  chain: StageOperations[];
  classification: Classification;
  /** Steps that fetch what no package index models (`stage deploy-base: pip3 install --upgrade pip`). */
  unmodelled: string[];
  /** The final chain's external base, as its `FROM` names it (undefined: `scratch`, or a name an `ARG` holds). */
  base?: string;
  /** The packages the final chain adds by name (`apk add`, `apt-get install`), versions dropped: with their dependencies, what may move when it only adds. */
  added: string[];
}

interface Stage {
  name?: string;
  from: string;
  runs: string[];
}

/** The stages of a Dockerfile, each with its `FROM` and its `RUN` commands (shell or exec form, as text). */
export function dockerfileStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of logicalLines(text)) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const keyword = instruction.toUpperCase();
    if (keyword === 'FROM') {
      const words = rest.filter((w) => !w.startsWith('--'));
      const [from = '', as, name] = words;
      stages.push({ from, runs: [], ...(as?.toUpperCase() === 'AS' && name ? { name: name.toLowerCase() } : {}) });
    } else if (keyword === 'RUN') {
      stages.at(-1)?.runs.push(runCommand(line.slice(instruction.length).trim()));
    }
  }
  return stages;
}

/** A RUN's command as shell text: its flags (`--mount=…`) dropped, an exec form's words joined. */
function runCommand(text: string): string {
  let rest = text;
  while (/^--\S+/.test(rest)) rest = rest.replace(/^--\S+\s*/, '');
  if (rest.startsWith('[')) {
    try {
      const words: unknown = JSON.parse(rest);
      if (Array.isArray(words)) return words.map(String).join(' ');
    } catch {
      // not JSON: docker runs it as shell text
    }
  }
  return rest;
}

/** The simple commands of a shell text: split at `&&`, `||`, `;` and pipes (a pipe is kept as `|` for curl | sh). */
function commands(shell: string): string[][] {
  return shell
    .split(/&&|\|\||;/)
    .flatMap((part) => {
      const piped = part.split('|');
      return piped.map((p, i) => (i > 0 ? `| ${p}` : p));
    })
    .map((c) =>
      c
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '')
    )
    .map((words) => {
      // leading assignments, `sudo`, `set -ex`, `exec`, `command`, `env` do not change what runs
      let i = 0;
      while (
        i < words.length &&
        (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] ?? '') || ['sudo', 'exec', 'command', 'env'].includes(words[i] ?? ''))
      )
        i++;
      return words.slice(i);
    })
    .filter((words) => words.length > 0 && !(words[0] === 'set'));
}

const PIP = /^(pip|pip3|pip3\.\d+|python3? -m pip)$/;

/** The package operation and the unmodelled step, if any, of one simple command. */
function classify(words: readonly string[]): { operation?: PackageOperation; unmodelled?: boolean; added?: string[] } {
  const piped = words[0] === '|';
  const w = piped ? words.slice(1) : words;
  const [tool = '', ...args] = w;
  const sub = args.find((a) => !a.startsWith('-'));
  if (piped && /^(sh|bash|ash|dash|zsh|python3?)$/.test(tool.replace(/^.*\//, ''))) return { unmodelled: true };
  switch (tool.replace(/^.*\//, '')) {
    case 'apk':
      if (sub === 'upgrade')
        return { operation: args.some((a) => a === '-U' || a === '--update-cache') ? 'apk -U upgrade' : 'apk upgrade' };
      if (sub === 'add') return { operation: 'apk add', added: namesAfter(args, sub, ['--virtual', '-t', '--repository', '-X']) };
      if (sub === 'del') return { operation: 'apk del' };
      return {};
    case 'apt-get':
    case 'apt':
      if (sub === 'upgrade') return { operation: 'apt-get upgrade' };
      if (sub === 'dist-upgrade' || sub === 'full-upgrade') return { operation: 'apt-get dist-upgrade' };
      if (sub === 'install') return { operation: 'apt-get install', added: namesAfter(args, sub, ['-o', '-t', '--target-release']) };
      return {};
    case 'pipenv':
      // a lock file, checked (`--deploy`), is modelled; anything else resolves at build time
      return sub === 'install' && !args.includes('--deploy') ? { unmodelled: true } : {};
    case 'npm':
      return sub === 'install' || sub === 'i' ? { unmodelled: true } : {};
    case 'go':
      return sub === 'install' && args.some((a) => a.endsWith('@latest')) ? { unmodelled: true } : {};
    case 'git':
      return sub === 'clone' ? { unmodelled: true } : {};
    default:
      break;
  }
  if (PIP.test(tool) || (tool.startsWith('python') && args[0] === '-m' && args[1] === 'pip')) {
    const pipArgs = tool.startsWith('python') ? args.slice(2) : args;
    if (pipArgs.find((a) => !a.startsWith('-')) !== 'install') return {};
    // hashes checked, or a constraints or requirements file of pins with hashes: modelled enough; the rest is not
    return { operation: 'pip install', unmodelled: !pipArgs.includes('--require-hashes') };
  }
  return {};
}

/** The package names after a subcommand: flags (and the value of those that take one) dropped, `name=1.2`/`name>1.1` cut to the name, `$VAR` left out. */
function namesAfter(args: readonly string[], sub: string, valued: readonly string[]): string[] {
  const names: string[] = [];
  for (let i = args.indexOf(sub) + 1; i < args.length; i++) {
    const word = (args[i] ?? '').replace(/^["']|["']$/g, '');
    if (valued.includes(word)) i++;
    else if (!word.startsWith('-') && !word.includes('$') && word !== '\\') names.push(word.split(/[<>=~]/)[0] ?? word);
  }
  return names.filter(Boolean);
}

/** The final stage's chain, from the last stage back to the external base: each stage once. */
function finalChain(stages: readonly Stage[]): { chain: { stage: Stage; index: number }[]; base?: string } {
  const chain: { stage: Stage; index: number }[] = [];
  let index = stages.length - 1;
  const seen = new Set<number>();
  while (index >= 0 && !seen.has(index)) {
    seen.add(index);
    const stage = stages[index] as Stage;
    chain.unshift({ stage, index });
    const from = stage.from.toLowerCase();
    // an earlier stage of that name (docker takes the nearest one before this FROM)
    let parent = -1;
    for (let i = index - 1; i >= 0; i--) if (stages[i]?.name === from) parent = i;
    if (parent < 0) return { chain, ...(from === 'scratch' || from.includes('$') ? {} : { base: stage.from }) };
    index = parent;
  }
  return { chain };
}

/** The package operations of a Dockerfile's final chain, how far they may move its packages, and its unmodelled steps. */
export function dockerfilePackages(text: string): DockerfilePackages {
  const stages = dockerfileStages(text);
  const { chain, base } = finalChain(stages);
  const result: StageOperations[] = [];
  const unmodelled: string[] = [];
  const added: string[] = [];
  for (const { stage, index } of chain) {
    const label = stage.name ?? (index === stages.length - 1 ? 'final' : `stage ${index}`);
    const operations: PackageOperation[] = [];
    for (const run of stage.runs) {
      if (/<<-?\s*["']?[A-Za-z_]/.test(run)) unmodelled.push(`stage ${label}: RUN with a heredoc (its script is not read)`);
      for (const words of commands(run)) {
        const { operation, unmodelled: opaque, added: names = [] } = classify(words);
        for (const name of names) if (!added.includes(name)) added.push(name);
        if (operation && !operations.includes(operation)) operations.push(operation);
        if (opaque)
          unmodelled.push(
            `stage ${label}: ${words
              .filter((w) => w !== '|')
              .join(' ')
              .slice(0, 200)}`
          );
      }
    }
    if (operations.length > 0) result.push({ stage: label, operations });
  }
  const all = result.flatMap((s) => s.operations);
  const classification: Classification = all.some((o) => /upgrade/.test(o))
    ? 'upgrade'
    : all.some((o) => o === 'apk add' || o === 'apt-get install' || o === 'pip install')
      ? 'add-only'
      : 'none';
  return { chain: result, classification, unmodelled, added, ...(base ? { base } : {}) };
}

/** `[deploy-base] apk -U upgrade,apk add,pip install; [final] apk add`, or `-` for none: the operations as a line. */
export function describeOperations(chain: readonly StageOperations[]): string {
  return chain.length === 0 ? '-' : chain.map((s) => `[${s.stage}] ${s.operations.join(',')}`).join('; ');
}
