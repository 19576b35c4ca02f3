/** Text from users (repo, branch, tag names) made safe inside a Markdown table cell: no markup, no HTML, no cell breaks. */
export function escapeCell(text: string): string {
  return text.replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function link(text: string, url: string): string {
  return `[${escapeCell(text)}](${linkTarget(url)})`;
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** A URL that cannot end the Markdown link early: parsed and normalised, parentheses and spaces encoded. */
function linkTarget(url: string): string {
  let normal: string;
  try {
    normal = new URL(url).toString();
  } catch {
    normal = encodeURI(url);
  }
  return normal.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20');
}
