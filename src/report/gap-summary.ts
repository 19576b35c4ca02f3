import type { BuildResult } from '../dispatch/build-result.js';
import { codeSpan, tableCell } from '../escape.js';
import { table, textTable } from './markdown.js';

/** Where the acknowledged gaps are said in full; a summary row of one points here instead of saying it again. */
export const ACKNOWLEDGED_SECTION = 'Acknowledged gaps';

/** The acknowledged gaps of a report, in their own section of the summary: image, repo, why and until when. */
export function acknowledgedSection(results: readonly BuildResult[]): string {
  const acknowledged = results.filter((r) => r.outcome === 'acknowledged');
  if (acknowledged.length === 0) return '';
  const rows = acknowledged.map((r) => [codeSpan(`${r.image}:${r.tag}`), tableCell(r.githubRepo), tableCell(r.reason ?? '', 600)]);
  return (
    `\n### 📝 ${ACKNOWLEDGED_SECTION} (${acknowledged.length})\n\n` +
    'Images these releases ship that cannot be rebuilt at their tag, acknowledged in the configuration (`acknowledged`) ' +
    'until the day shown; they fail nothing until then.\n\n' +
    `${table(['Image', 'Repo', 'Why, and until when'], rows)}\n`
  );
}

/** The gaps of a dry run as plain columns, for a terminal. */
export function renderGapText(all: readonly BuildResult[]): string {
  const results = all.filter((r) => r.outcome === 'not-dispatched' || r.outcome === 'acknowledged');
  if (results.length === 0) return '';
  const rows = results.map((r) => [
    r.githubRepo,
    `${r.image}:${r.tag}`,
    r.outcome === 'acknowledged' ? 'acknowledged' : 'gap',
    r.reason ?? ''
  ]);
  return `\nGAPS (images that cannot be rebuilt at their tag)\n${textTable(['REPO', 'IMAGE', 'STATE', 'WHY'], rows)}`;
}
