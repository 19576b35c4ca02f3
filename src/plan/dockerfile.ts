/**
 * The base images of a Dockerfile: every external stage's `FROM`, in order. `ARG` defaults given
 * before the first `FROM` are substituted (`${GO_VERSION}`, `$GO_VERSION`, `${X:-default}`);
 * `--platform=…` is allowed; a `FROM` naming an earlier stage, and `scratch`, are skipped. Every
 * external stage counts, not only the last: the build stages' toolchains end up in the binaries.
 */
export interface DockerfileBases {
  /** Image references, each once, in the order their stages come. */
  bases: string[];
  /** `FROM` lines that cannot be resolved (an `ARG` with no default): the build is rebuilt, with a warning. */
  unresolved: string[];
}

/** Dockerfile lines with their continuations (`\` at the end) joined and comments dropped. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (current === '' && /^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') lines.push(current.trim());
    current = '';
  }
  if (current.trim() !== '') lines.push(current.trim());
  return lines;
}

/** `${NAME}`, `$NAME`, `${NAME:-default}`: substituted from `args`; undefined when a name has no value. */
function substitute(text: string, args: ReadonlyMap<string, string>): string | undefined {
  let missing = false;
  const out = text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, braced?: string, fallback?: string, bare?: string) => {
      const name = braced ?? bare ?? '';
      const value = args.get(name);
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      missing = true;
      return '';
    }
  );
  return missing ? undefined : out;
}

/** The quoted or bare value of an `ARG NAME=value`. */
function unquote(value: string): string {
  const v = value.trim();
  return (v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")) ? v.slice(1, -1) : v;
}

export function dockerfileBases(text: string): DockerfileBases {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const bases: string[] = [];
  const unresolved: string[] = [];
  let seenFrom = false;
  for (const line of logicalLines(text)) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const keyword = instruction.toUpperCase();
    if (keyword === 'ARG' && !seenFrom) {
      for (const declaration of rest) {
        const eq = declaration.indexOf('=');
        if (eq < 0) args.set(declaration, args.get(declaration) ?? '');
        else args.set(declaration.slice(0, eq), unquote(declaration.slice(eq + 1)));
      }
      continue;
    }
    if (keyword !== 'FROM') continue;
    seenFrom = true;
    const words = rest.filter((w) => !w.startsWith('--'));
    const [image = '', as, name] = words;
    const resolved = substitute(image, args);
    // an earlier stage is named before this line names its own
    const earlierStage = resolved !== undefined && stages.has(resolved.toLowerCase());
    if (as?.toUpperCase() === 'AS' && name) stages.add(name.toLowerCase());
    if (resolved === undefined || resolved === '') {
      unresolved.push(line);
      continue;
    }
    if (earlierStage || resolved.toLowerCase() === 'scratch') continue;
    if (!bases.includes(resolved)) bases.push(resolved);
  }
  return { bases, unresolved };
}
