import { cutAtWord } from './words.js';
/**
 * Text the action does not control (tags, image, repo and branch names, server and tool errors)
 * made safe for the one place it goes: one function per context, used everywhere.
 */

/**
 * Characters that must not reach a log line, an annotation or a table cell as they are: C0 and C1
 * controls (ESC starts terminal sequences and OSC 8 links), DEL, the line and paragraph separators,
 * and the bidirectional overrides and isolates that make text read other than it is (U+202A–U+202E,
 * U+2066–U+2069).
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a log or a table
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * Each such character replaced by a visible stand-in: C0 controls by their Control Picture (ESC is
 * ␛), DEL by ␡, the others by their code point in angle brackets (`⟨U+202E⟩`). A reader sees that
 * something was there; a terminal or a browser does not act on it.
 */
export function visible(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
  });
}

/** Long text cut to `max` characters, marked with an ellipsis. */
export function clip(text: string, max: number): string {
  return cutAtWord(text, max);
}

/** One line: line breaks become spaces, other control characters visible stand-ins. */
function oneLine(text: string): string {
  return visible(text.replace(LINE_BREAK, ' ').replace(/\t/g, ' '));
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

/**
 * A URL below a server, each path segment percent-encoded the same way wherever a link is made:
 * `repoPageUrl(server, org, repo, 'tree', 'release/1.6')`. A segment's slashes separate segments
 * (a branch name), any other character that is not safe in a path is encoded.
 */
export function repoPageUrl(serverUrl: string, ...segments: string[]): string {
  const path = segments
    .flatMap((s) => s.split('/'))
    .filter((s) => s !== '')
    .map((s) => encodeURIComponent(s))
    .join('/');
  return `${serverUrl.replace(/\/+$/, '')}/${path}`;
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
      const clean = clip(visible(line.replace(/\t/g, ' ')), maxLine);
      return COMMAND_START.test(clean) ? `» ${clean}` : clean;
    })
    .join('\n');
}
