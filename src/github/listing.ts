/**
 * Pages a listing may have before it is given up: 50 pages of 100 (5,000 tags, workflows or issues,
 * far above any HMS repo). A server whose `Link: next` never ends ends the operation with an error
 * naming it, instead of a loop without end.
 */
export const MAX_LISTING_PAGES = 50;

/** Every item of a paginated listing (`octokit.paginate.iterator`), up to the page cap. */
export async function allPages<T>(pages: AsyncIterable<{ data: T[] }>, operation: string): Promise<T[]> {
  const items: T[] = [];
  let count = 0;
  for await (const page of pages) {
    if (++count > MAX_LISTING_PAGES)
      throw new Error(`GitHub API: ${operation} has more than ${MAX_LISTING_PAGES} pages: stopped (a listing without end?)`);
    items.push(...page.data);
  }
  return items;
}
