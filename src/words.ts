/**
 * Counted nouns, said the same way everywhere: `1 image`, `2 images`, `1 chart release`,
 * `3 branches`, `1,204 requests`. The last word of a noun takes the plural, by English's regular
 * rules, unless the caller gives the plural.
 */
const IRREGULAR: Readonly<Record<string, string>> = { was: 'were', is: 'are', has: 'have', this: 'these', its: 'their' };

/** The plural of one word or the last word of a phrase: `branch` → `branches`, `repository` → `repositories`. */
export function pluralOf(noun: string): string {
  const cut = noun.lastIndexOf(' ') + 1;
  const head = noun.slice(0, cut);
  const word = noun.slice(cut);
  const irregular = IRREGULAR[word];
  if (irregular) return head + irregular;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${head}${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${head}${word.slice(0, -1)}ies`;
  return `${head}${word}s`;
}

/** `n noun`, the noun in the plural unless n is 1; the number grouped (`1,204`). */
export function counted(n: number, noun: string, plural?: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : (plural ?? pluralOf(noun))}`;
}

/** The noun alone, singular or plural by n: `${counted(n, 'build')} ${inNumber(n, 'was')} dispatched`. */
export function inNumber(n: number, noun: string, plural?: string): string {
  return n === 1 ? noun : (plural ?? pluralOf(noun));
}

/** The text cut at a word boundary to at most `max` characters, then ` …`; never mid-word (a single long word is cut). */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = text.slice(0, Math.max(1, max - 1));
  const space = room.search(/\s\S*$/);
  if (space <= max / 3) return `${room}…`;
  return `${room.slice(0, space).replace(/[\s,;:(–-]+$/, '')} …`;
}

/** `a, b and c` */
export function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}
