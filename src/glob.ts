import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** A glob segment as a regular expression: `*` and `?` stay inside one folder name. */
function segmentPattern(segment: string): RegExp {
  const body = segment
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/**
 * Files matching a glob under `root`: `*` and `?` within a name, `**` for any depth of folders.
 * Sorted; folders that cannot be read are passed over. At most `limit` files, and folders at most
 * 20 deep, so a pattern cannot walk a whole disk.
 */
export async function findFiles(pattern: string, root: string, limit = 1000): Promise<{ files: string[]; more: boolean }> {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
  const found: string[] = [];
  const walk = async (dir: string, rest: readonly string[], depth: number): Promise<void> => {
    if (found.length > limit || depth > 20) return;
    const [head, ...tail] = rest;
    if (head === undefined) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    if (head === '**') {
      await walk(dir, tail, depth);
      for (const entry of entries) if (entry.isDirectory()) await walk(join(dir, entry.name), rest, depth + 1);
      return;
    }
    const match = segmentPattern(head);
    for (const entry of entries) {
      if (!match.test(entry.name)) continue;
      const path = join(dir, entry.name);
      if (tail.length === 0) {
        if (entry.isFile() && !found.includes(path)) found.push(path);
      } else if (entry.isDirectory()) await walk(path, tail, depth + 1);
    }
  };
  await walk(absolute ? '/' : root, segments, 0);
  // one past the limit is looked for: it says the listing was cut
  const sorted = found.sort();
  return { files: sorted.slice(0, limit), more: sorted.length > limit };
}
