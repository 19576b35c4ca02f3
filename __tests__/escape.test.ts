import MarkdownIt from 'markdown-it';
import { codeSpan, htmlSummary, linkTarget, linkText, logLine, repoPageUrl, tableCell, visible } from '../src/escape.js';
import { details, link, table } from '../src/report/markdown.js';

// GitHub renders job summaries as GitHub Flavored Markdown; markdown-it with tables and HTML is the closest renderer here
const gfm = new MarkdownIt({ html: true, linkify: false });
const HOSTILE = [
  'a|b',
  'line\nbreak',
  'back`tick',
  '<img src=x onerror=alert(1)>',
  'a & b &lt;',
  '](javascript:alert(1))',
  '%0A::error::forged',
  'x'.repeat(5000)
];

/** The cells of the one body row of a rendered two-column table. */
function renderedCells(cell: string): string[] {
  const html = gfm.render(table(['A', 'B'], [[cell, 'end']]));
  const body = html.slice(html.indexOf('<tbody>'));
  return [...body.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1] ?? '');
}

describe('escaping for each place text goes', () => {
  it.each(HOSTILE)('tableCell keeps %j in its own cell, as text', (text) => {
    const cells = renderedCells(tableCell(text));
    expect(cells).toHaveLength(2);
    expect(cells[1]).toBe('end');
    expect(cells[0]).not.toMatch(/<(img|a|script|code|em)\b/);
    expect(tableCell(text)).not.toContain('\n');
  });

  it('tableCell shows the text as written (entities and markup only as text)', () => {
    expect(renderedCells(tableCell('a|b <b>x</b> & *y* `z`'))[0]).toBe('a|b &lt;b&gt;x&lt;/b&gt; &amp; *y* `z`');
    expect(tableCell('x'.repeat(5000))).toHaveLength(300);
  });

  it.each(HOSTILE)('codeSpan keeps %j in one code span of its cell', (text) => {
    const cells = renderedCells(codeSpan(text));
    expect(cells).toHaveLength(2);
    expect(cells[0]).toMatch(/^<code>[^<]*<\/code>$/);
  });

  it('codeSpan shows pipes and backticks as written', () => {
    expect(renderedCells(codeSpan('reg/img:1.0|x'))[0]).toBe('<code>reg/img:1.0|x</code>');
    expect(renderedCells(codeSpan('a`b'))[0]).toBe('<code>a`b</code>');
  });

  it.each(HOSTILE)('link text %j cannot end the link or the cell', (text) => {
    const cells = renderedCells(link(text, 'https://github.com/o/r/tree/v1'));
    expect(cells).toHaveLength(2);
    expect(cells[0]).toMatch(/^<a href="https:\/\/github\.com\/o\/r\/tree\/v1">[^<]*<\/a>$/);
    expect(linkText(text).length).toBeLessThanOrEqual(240);
  });

  it('link targets are http(s) only and cannot end the link, the cell or the row', () => {
    expect(linkTarget('javascript:alert(1)')).toBe('#');
    expect(linkTarget('data:text/html,x')).toBe('#');
    expect(linkTarget('not a url')).toBe('#');
    expect(linkTarget('https://github.com/o/r/tree/v1|x) [y](z\n')).not.toMatch(/[|()\s[\]]/);
    const cells = renderedCells(link('v1', 'https://github.com/o/r/tree/v1|b)(c d'));
    expect(cells).toHaveLength(2);
    expect(cells[0]).toBe('<a href="https://github.com/o/r/tree/v1%7Cb%29%28c%20d">v1</a>');
  });

  it.each(HOSTILE)('htmlSummary keeps %j as text in <summary>', (text) => {
    const html = gfm.render(details(text, '| A |\n| --- |\n| b |'));
    expect(html).not.toMatch(/<img|<a |<script/);
    expect(html.match(/<summary>/g)).toHaveLength(1);
    expect(html).toContain('</details>');
  });

  it('htmlSummary escapes markup characters', () => {
    expect(htmlSummary('<img src=x onerror=alert(1)> & "q"')).toBe('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;');
  });

  it.each(HOSTILE)('logLine of %j starts no workflow command on any line', (text) => {
    for (const line of logLine(`tag ${text}`).split('\n')) expect(line).not.toMatch(/^\s*(::|##\[)/);
    for (const line of logLine(text).split('\n')) expect(line).not.toMatch(/^\s*(::|##\[)/);
  });

  it('logLine neutralises command lines, terminal escapes, and keeps the rest readable', () => {
    expect(logLine('helm failed:\n::error::forged\n  ::set-output name=x::y\n##[group]g')).toBe(
      'helm failed:\n» ::error::forged\n»   ::set-output name=x::y\n» ##[group]g'
    );
    expect(logLine('red \u001b[31mtext\u001b[0m')).toBe('red ␛[31mtext␛[0m');
  });

  it('replaces control characters and bidi overrides visibly in log lines, cells and annotations', () => {
    // an OSC 8 hyperlink, a C1 control, a right-to-left override and an isolate
    const hostile = 'v1.0\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007 \u0085 \u202Egnp.exe\u2066x\u2069';
    expect(logLine(hostile)).toBe('v1.0␛]8;;https://evil.example␇click␛]8;;␇ ⟨U+0085⟩ ⟨U+202E⟩gnp.exe⟨U+2066⟩x⟨U+2069⟩');
    // eslint-disable-next-line no-control-regex -- the test looks for exactly these characters
    expect(tableCell(hostile)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(tableCell(hostile)).toContain('⟨U+202E⟩gnp.exe');
    expect(visible('tab\tand\u0000nul\u007f')).toBe('tab\tand␀nul␡');
  });

  it('makes every link below a server the same way, whatever the tag holds', () => {
    const tag = 'v1.0%0A::error::x|<b> y';
    expect(repoPageUrl('https://github.com', 'Cray-HPE', 'hms-smd', 'tree', tag)).toBe(
      'https://github.com/Cray-HPE/hms-smd/tree/v1.0%250A%3A%3Aerror%3A%3Ax%7C%3Cb%3E%20y'
    );
    expect(repoPageUrl('https://github.com/', 'Cray-HPE', 'hms-smd', 'blob', tag, '.github/workflows/build.yaml')).toBe(
      'https://github.com/Cray-HPE/hms-smd/blob/v1.0%250A%3A%3Aerror%3A%3Ax%7C%3Cb%3E%20y/.github/workflows/build.yaml'
    );
    expect(repoPageUrl('https://github.com', 'Cray-HPE', 'csm', 'tree', 'release/1.6')).toBe(
      'https://github.com/Cray-HPE/csm/tree/release/1.6'
    );
    expect(logLine('%0A::error::x')).toBe('%0A::error::x');
    expect(logLine('x'.repeat(5000))).toHaveLength(2000);
  });
});
