import * as yaml from 'js-yaml';
import { formatMegabytes, MEGABYTE } from './bytes.js';

/**
 * Bounds on YAML that comes from elsewhere (manifests, the docker index, values, Chart.yaml,
 * workflow files at tags, the configuration). js-yaml shares an aliased node instead of copying
 * it, so a few hundred bytes of nested aliases (an "alias bomb") load at once but expand to
 * billions of nodes in whatever walks, copies or serializes them; the tree is counted with aliases
 * expanded, and refused past the bound, before anything else touches it. The real CSM files hold
 * at most tens of thousands of nodes and a few hundred kilobytes.
 */
export const YAML_LIMITS = {
  /** Characters of one YAML text (helm's rendered output has a bound of its own, `maxBytes` of the call). */
  maxBytes: 16 * MEGABYTE,
  /** Nodes (mappings, sequences, scalars) reached from the top, each alias counted as often as it is reached. */
  maxNodes: 500_000
} as const;

/** A YAML text over one of the bounds: never walked. */
export class YamlBudgetError extends Error {
  override readonly name = 'YamlBudgetError';
}

export interface YamlBudget {
  maxBytes?: number;
  maxNodes?: number;
}

function checkSize(text: string, file: string, maxBytes: number): void {
  if (text.length > maxBytes)
    throw new YamlBudgetError(
      `${file} is too large to read: ${formatMegabytes(text.length, 1)} of YAML, more than the ${formatMegabytes(maxBytes)} a document may have`
    );
}

/** Count the nodes of a loaded tree with its aliases expanded, stopping at the bound. */
function checkNodes(value: unknown, file: string, maxNodes: number): void {
  const stack: unknown[] = [value];
  let nodes = 0;
  while (stack.length > 0) {
    const node = stack.pop();
    if (++nodes > maxNodes)
      throw new YamlBudgetError(
        `${file} has more than ${maxNodes.toLocaleString('en-US')} YAML nodes once its aliases are expanded (an alias bomb?): not read`
      );
    if (Array.isArray(node)) for (const item of node) stack.push(item);
    else if (typeof node === 'object' && node !== null) for (const item of Object.values(node)) stack.push(item);
  }
}

function loadWithin(text: string, file: string, budget: YamlBudget, options: yaml.LoadOptions): unknown[] {
  checkSize(text, file, budget.maxBytes ?? YAML_LIMITS.maxBytes);
  const documents = yaml.loadAll(text, { filename: file, ...options });
  for (const document of documents) checkNodes(document, file, budget.maxNodes ?? YAML_LIMITS.maxNodes);
  return documents;
}

/** Parse one YAML document within the budget; an empty file is `undefined`, not an error (js-yaml 5 throws on empty input). */
export function parseYaml(text: string, file: string, options: { allStrings?: boolean } & YamlBudget = {}): unknown {
  const documents = loadWithin(text, file, options, options.allStrings ? { schema: yaml.FAILSAFE_SCHEMA } : {});
  return documents[0] ?? undefined;
}

/** Every document of a multi-document stream (helm output) within the budget, empty documents left out. */
export function parseYamlDocuments(text: string, file: string, budget: YamlBudget = {}): unknown[] {
  return loadWithin(text, file, budget, {}).filter((d) => d !== null && d !== undefined);
}

/** What is wrong with a YAML text that did not load: over its budget, or not valid YAML (and where). */
export function yamlProblem(text: string, error: unknown): string {
  if (error instanceof YamlBudgetError) return error.message;
  return `not valid YAML: ${describeYamlError(text, error)}`;
}

export function toYaml(value: unknown): string {
  return yaml.dump(value);
}

/** A YAML mapping or JSON object: the one plain-object check of the project. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A line that opens a quoted scalar (after `key:`, `- ` or at its start) and does not close it. */
function opensUnclosedQuote(line: string): boolean {
  const start = line.match(/^(\s*(?:-\s+)*(?:[^\s#'"][^#]*?:\s+)?)(["'])/);
  if (!start) return false;
  const quote = start[2];
  const rest = line.slice((start[1] ?? '').length + 1);
  if (quote === '"') return !/^(?:[^"\\]|\\.)*"/.test(rest);
  return !/^(?:[^']|'')*'(?!')/.test(rest);
}

/**
 * A YAML error as one line a person can act on. js-yaml reports an unclosed quote where it gave up
 * (often the next line): name the line where that quoted value starts, and quote it.
 */
export function describeYamlError(text: string, error: unknown): string {
  const e = error as { reason?: string; mark?: { line?: number; column?: number }; message?: string };
  const where = e.mark?.line !== undefined ? ` at line ${e.mark.line + 1}, column ${(e.mark.column ?? 0) + 1}` : '';
  const parser = `${e.reason ?? (e.message ?? String(error)).split('\n')[0]}${where}`;
  if (e.mark?.line !== undefined) {
    const lines = text.split(/\r?\n/);
    for (let i = Math.min(e.mark.line, lines.length - 1); i >= 0 && i >= e.mark.line - 50; i--) {
      const line = lines[i] ?? '';
      if (opensUnclosedQuote(line))
        return `the quoted value that starts on line ${i + 1} is never closed: ${JSON.stringify(line.trim())} (the parser: ${parser})`;
    }
  }
  return parser;
}
