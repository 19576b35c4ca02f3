import { htmlSummary, linkTarget, linkText } from '../escape.js';

/** A Markdown link; the text and the target are escaped here, so callers pass them as they are. */
export function link(text: string, url: string): string {
  return `[${linkText(text)}](${linkTarget(url)})`;
}

/** A Markdown table of cells already escaped for a table (with `tableCell`, `codeSpan` or `link`). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A folded block; `summary` is plain text (escaped here as HTML), `body` is Markdown. */
export function details(summary: string, body: string): string {
  return `<details><summary>${htmlSummary(summary)}</summary>\n\n${body}\n\n</details>`;
}

/** Plain text columns, for a terminal. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
