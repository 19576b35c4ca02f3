/** Text from users (repo, branch, tag names) made safe inside a Markdown table cell. */
export function escapeCell(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+!|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function link(text: string, url: string): string {
  return `[${escapeCell(text)}](${encodeURI(decodeURI(url))})`;
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}
