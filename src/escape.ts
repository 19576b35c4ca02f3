/**
 * Text the action does not control (tags, image, repo and branch names, server and tool errors)
 * made safe for the one place it goes: one function per context, used everywhere.
 */

// eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a log or a table
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g;
const LINE_BREAK = /\r\n|\r|\n/g;

/** Long text cut to `max` characters, marked with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** One line: line breaks become spaces, other control characters are dropped. */
function oneLine(text: string): string {
  return text.replace(LINE_BREAK, ' ').replace(/\t/g, ' ').replace(CONTROL, '');
}

/**
 * Plain text inside a Markdown table cell (also safe in a heading or a paragraph): no cell break,
 * no row break, no emphasis, no link, no HTML tag, no entity.
 */
export function tableCell(text: string, max = 300): string {
  return clip(oneLine(text), max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}

/**
 * A code span inside a table cell: the fence is longer than any run of backticks inside, and a
 * pipe is escaped (GFM splits cells before it parses code spans, and removes that backslash).
 */
export function codeSpan(text: string, max = 200): string {
  const body = clip(oneLine(text), max).replace(/\|/g, '\\|');
  const longestRun = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || body.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** The text of a Markdown link: a closing bracket cannot end it early. */
export function linkText(text: string, max = 120): string {
  return tableCell(text, max);
}

/**
 * The target of a Markdown link: only http(s) URLs, normalised, with every character that could end
 * the link or the table cell percent-encoded. Anything else (javascript:, data:, garbage) is `#`.
 */
export function linkTarget(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '#';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return '#';
  return parsed.toString().replace(/[()|<>\s"'`\\[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Text inside raw HTML such as `<details><summary>`: entities for every markup character, one line. */
export function htmlSummary(text: string, max = 200): string {
  return clip(oneLine(text), max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/[\\`*_[\]|~]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A line of the job log that a runner would take as a workflow command (`::error::`, `##[group]`). */
const COMMAND_START = /^\s*(::|##\[)/;

/**
 * Text for a plain log line: no line of it can start a workflow command (the runner reads a
 * command at the start of any line, after leading spaces), no terminal control sequences, and
 * each line is bounded. Line breaks are kept (a tool's stderr stays readable).
 */
export function logLine(text: string, maxLine = 2000): string {
  return text
    .split(LINE_BREAK)
    .map((line) => {
      const clean = clip(line.replace(/\t/g, ' ').replace(CONTROL, ''), maxLine);
      return COMMAND_START.test(clean) ? `» ${clean}` : clean;
    })
    .join('\n');
}
