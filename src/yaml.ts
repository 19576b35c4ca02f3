import * as yaml from 'js-yaml';

/** Parse one YAML document; an empty file is `undefined`, not an error (js-yaml 5 throws on empty input). */
export function parseYaml(text: string, file: string, options: { allStrings?: boolean } = {}): unknown {
  const documents = yaml.loadAll(text, { filename: file, ...(options.allStrings ? { schema: yaml.FAILSAFE_SCHEMA } : {}) });
  return documents[0] ?? undefined;
}

/** Every document of a multi-document stream (helm output), empty documents left out. */
export function parseYamlDocuments(text: string, file: string): unknown[] {
  return yaml.loadAll(text, { filename: file }).filter((d) => d !== null && d !== undefined);
}

export function toYaml(value: unknown): string {
  return yaml.dump(value);
}

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
