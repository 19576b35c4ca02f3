/**
 * Two checks every job summary the tests render must pass (issue 21's "done when"):
 * - the release table adds up: in each row, the outcome columns sum to the Images column;
 * - the headings read: no heading or folded summary holds a message's shape (`#-#-#`) or ends in a
 *   word cut in two (a cut is at a word, followed by ` …`);
 * - one fact, one place: each acknowledged gap is named once outside its own section (the row of
 *   its repo table, which points there), and its reason is said only in that section.
 * Returns the problems found; `checkSummary` throws with all of them.
 */
export function summaryProblems(markdown: string): string[] {
  const problems: string[] = [];
  const lines = markdown.split('\n');
  // the release table
  const header = lines.findIndex((l) => l.startsWith('| Release branch | Images |'));
  if (header >= 0) {
    for (let i = header + 2; i < lines.length && lines[i]?.startsWith('|'); i++) {
      const cells = (lines[i] ?? '').split(' | ').map((c) => c.replace(/^\|\s*|\s*\|$/g, '').trim());
      const images = Number(cells[1]);
      const sum = cells.slice(2).reduce((n, c) => n + (c === '—' ? 0 : Number(c.replace(/[^\d]/g, ''))), 0);
      if (sum !== images) problems.push(`release row does not add up (${sum} ≠ ${images}): ${lines[i] ?? ''}`);
    }
  }
  // headings: ###, <summary>, and the problem list's bold group headings
  const headings = [
    ...lines.filter((l) => l.startsWith('#')),
    ...[...markdown.matchAll(/<summary>(.*?)<\/summary>/g)].map((m) => m[1] ?? ''),
    ...lines.filter((l) => /^\*\*(❌|⚠️|ℹ️)/u.test(l))
  ];
  for (const heading of headings) {
    if (/#-#|#:#|\(…/.test(heading)) problems.push(`a heading shows a message's shape, not a sentence: ${heading}`);
    if (/[\p{L}\p{N}]…/u.test(heading)) problems.push(`a heading is cut mid-word: ${heading}`);
  }
  // acknowledged gaps
  const start = lines.findIndex((l) => /^### .*Acknowledged gaps \(\d+\)/.test(l));
  if (start >= 0) {
    let end = start + 1;
    while (end < lines.length && !lines[end]?.startsWith('### ') && !lines[end]?.startsWith('<details><summary>Problems')) end++;
    const section = lines.slice(start, end);
    const outside = [...lines.slice(0, start), ...lines.slice(end)].join('\n');
    for (const row of section.filter((l) => l.startsWith('| `'))) {
      const cells = row.split(' | ');
      const image = (cells[0] ?? '').replace(/^\|\s*`|`$/g, '');
      // the acknowledgement's own words (after `acknowledged until <day>: `): the gap's cause may be shared by other gaps
      const cell = (cells[2] ?? '').replace(/\s*\|$/, '');
      const reason = (/acknowledged until \d{4}-\d\d-\d\d: (.*)$/.exec(cell)?.[1] ?? cell).slice(0, 60);
      const named = outside.split(`\`${image}\``).length - 1;
      if (named !== 1) problems.push(`acknowledged gap ${image} is named ${named} times outside its section (once is its repo row)`);
      if (reason && outside.includes(reason)) problems.push(`acknowledged gap ${image}: its reason is said again outside its section`);
    }
  }
  return problems;
}

export function checkSummary(markdown: string): void {
  const problems = summaryProblems(markdown);
  if (problems.length > 0) throw new Error(`the job summary fails its checks:\n- ${problems.join('\n- ')}\n\n${markdown}`);
}
