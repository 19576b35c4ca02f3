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

/** The escape character of a Dockerfile: `\`, or what a `# escape=` parser directive at its top says. */
function escapeCharacter(rawLines: readonly string[]): string {
  for (const raw of rawLines) {
    const directive = /^\s*#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(raw);
    // parser directives come first; any other line (a comment, a blank, an instruction) ends them
    if (!directive) break;
    if ((directive[1] ?? '').toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) return directive[2];
  }
  return '\\';
}

/**
 * Dockerfile lines with their continuations joined (the escape character at the end), comments
 * dropped, and heredoc bodies (`RUN <<EOF` … `EOF`) left out: a `FROM` inside one is not a `FROM`.
 */
export function logicalLines(text: string): string[] {
  const rawLines = text.split(/\r?\n/);
  const escape = escapeCharacter(rawLines);
  const lines: string[] = [];
  let current = '';
  const heredocs: string[] = [];
  for (const raw of rawLines) {
    if (heredocs.length > 0) {
      const word = heredocs[0] ?? '';
      // `<<-WORD` allows the closing word indented by tabs
      if (raw.replace(/^\t+/, '') === word) heredocs.shift();
      continue;
    }
    const line = raw.trimEnd();
    if (current === '' && /^\s*#/.test(line)) continue;
    if (line.endsWith(escape)) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') {
      lines.push(current.trim());
      for (const [, word] of current.matchAll(/<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/g)) if (word) heredocs.push(word);
    }
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

/**
 * The bases of a Dockerfile, at most `maxBases` of them (a Dockerfile of 20,000 `FROM` lines is an
 * attack on the registry reads, not a build); `truncated` says the bound was passed.
 */
export function dockerfileBases(text: string, maxBases = Number.POSITIVE_INFINITY): DockerfileBases & { truncated?: boolean } {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const bases: string[] = [];
  const seen = new Set<string>();
  const unresolved: string[] = [];
  let seenFrom = false;
  for (const line of logicalLines(text)) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const keyword = instruction.toUpperCase();
    if (keyword === 'ARG' && !seenFrom) {
      for (const declaration of rest) {
        const eq = declaration.indexOf('=');
        if (eq < 0) args.set(declaration, args.get(declaration) ?? '');
        else {
          // an ARG defined from another ARG (`ARG BASE=${REG}/alpine`) is expanded as docker does
          const value = unquote(declaration.slice(eq + 1));
          args.set(declaration.slice(0, eq), substitute(value, args) ?? '');
        }
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
    if (seen.has(resolved)) continue;
    if (bases.length >= maxBases) return { bases, unresolved, truncated: true };
    seen.add(resolved);
    bases.push(resolved);
  }
  return { bases, unresolved };
}
