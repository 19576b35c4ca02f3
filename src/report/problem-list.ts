import { htmlSummary, tableCell } from '../escape.js';
import { formatProblem, type Problem } from '../log.js';
import { groupProblems } from '../problem-kinds.js';
import { counted } from '../words.js';

/** Problems listed per kind in the job summary; the log holds every one. */
const LISTED_PER_KIND = 100;

/** The job summary's full list of problems, grouped by kind in a folded block; empty without problems. */
export function renderProblemList(problems: readonly Problem[]): string {
  if (problems.length === 0) return '';
  const count = (severity: Problem['severity']): number => problems.filter((p) => p.severity === severity).length;
  const counts = [
    [count('error'), 'error'],
    [count('warning'), 'warning'],
    [count('notice'), 'notice']
  ] as const;
  const heading = counts
    .filter(([n]) => n > 0)
    .map(([n, one]) => counted(n, one))
    .join(', ');
  const sections = groupProblems(problems).map((group) => {
    const icon = group.severity === 'error' ? '❌' : group.severity === 'warning' ? '⚠️' : 'ℹ️';
    const items = group.problems.slice(0, LISTED_PER_KIND).map((p) => `- ${tableCell(formatProblem(p), 400)}`);
    if (group.problems.length > LISTED_PER_KIND)
      items.push(`- … and ${(group.problems.length - LISTED_PER_KIND).toLocaleString('en-US')} more (in the log)`);
    return `**${icon} ${tableCell(group.heading, 200)}** (${group.problems.length.toLocaleString('en-US')})\n\n${items.join('\n')}`;
  });
  return `<details><summary>${htmlSummary(`Problems: ${heading}`)}</summary>\n\n${sections.join('\n\n')}\n\n</details>\n`;
}
