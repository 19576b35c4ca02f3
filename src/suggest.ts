import { distance } from 'fastest-levenshtein';

/**
 * The known name nearest to a misspelt one (`targetted-branches` → `targeted-branches`,
 * `dryrun` → `dry-run`), or undefined when none is near: at most a third of its letters differ
 * (at least 2). Separators do not count: `dry_run`, `dryRun` and `dry-run` are the same name.
 */
export function nearestName(given: string, known: Iterable<string>): string | undefined {
  const bare = (name: string): string => name.toLowerCase().replace(/[-_\s]/g, '');
  const target = bare(given);
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = distance(target, bare(name));
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(2, Math.floor(target.length / 3)) ? best.name : undefined;
}

/** `: did you mean "targeted-branches"?`, or nothing when no name is near. */
export function didYouMean(given: string, known: Iterable<string>, quote: (name: string) => string = (n) => `"${n}"`): string {
  const near = nearestName(given, known);
  return near ? `: did you mean ${quote(near)}?` : '';
}
