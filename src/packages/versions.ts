/**
 * Package version orders, written here because no npm package implements them (checked: the
 * `semver` family does not parse either; `apk-version`-like packages do not exist): apk's, as
 * apk-tools' version.c orders versions, and Debian's, as Policy §5.6.12 and dpkg do. Each returns
 * -1, 0 or 1, or undefined for a version that does not parse (apk), so a caller can say so.
 */

const SUFFIX_RANK: Readonly<Record<string, number>> = { alpha: -4, beta: -3, pre: -2, rc: -1, cvs: 1, svn: 2, git: 3, hg: 4, p: 5 };

interface ApkVersion {
  numbers: string[];
  letter: string;
  suffixes: { rank: number; n: number }[];
  revision: number | undefined;
}

const APK_VERSION = /^(\d+(?:\.\d+)*)([a-z])?((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*)(?:~[0-9a-f]+)?(?:-r(\d+))?$/;

export function parseApkVersion(text: string): ApkVersion | undefined {
  const m = APK_VERSION.exec(text);
  if (!m) return undefined;
  const suffixes = [...(m[3] ?? '').matchAll(/_([a-z]+)(\d*)/g)].map((s) => ({
    rank: SUFFIX_RANK[s[1] ?? ''] ?? 0,
    n: Number(s[2] || '0')
  }));
  return { numbers: (m[1] ?? '').split('.'), letter: m[2] ?? '', suffixes, revision: m[4] === undefined ? undefined : Number(m[4]) };
}

const sign = (n: number): -1 | 0 | 1 => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** A component after the first that starts with 0 is compared as a string (apk: `1.01` > `1.001`). */
function compareComponent(a: string, b: string, first: boolean): -1 | 0 | 1 {
  if (!first && (a.startsWith('0') || b.startsWith('0'))) return a === b ? 0 : a < b ? -1 : 1;
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** apk's order: `1.1.1t-r0 < 1.1.1t-r10`, `3.0.9-r5 < 3.0.10-r0`, `2.9_p1-r0 > 2.9-r3`, `1.0_rc1 < 1.0`. */
export function compareApkVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  const x = parseApkVersion(a);
  const y = parseApkVersion(b);
  if (!x || !y) return undefined;
  const shared = Math.min(x.numbers.length, y.numbers.length);
  for (let i = 0; i < shared; i++) {
    const c = compareComponent(x.numbers[i] ?? '0', y.numbers[i] ?? '0', i === 0);
    if (c !== 0) return c;
  }
  // the version with more components is greater (its next token is a digit)
  if (x.numbers.length !== y.numbers.length) return x.numbers.length > y.numbers.length ? 1 : -1;
  if (x.letter !== y.letter) return x.letter === '' ? -1 : y.letter === '' ? 1 : x.letter < y.letter ? -1 : 1;
  for (let i = 0; i < Math.max(x.suffixes.length, y.suffixes.length); i++) {
    const s = x.suffixes[i];
    const t = y.suffixes[i];
    // one has a suffix more: a pre-release one makes it less, a post-release one greater
    if (!s) return t && t.rank < 0 ? 1 : -1;
    if (!t) return s.rank < 0 ? -1 : 1;
    if (s.rank !== t.rank) return sign(s.rank - t.rank);
    if (s.n !== t.n) return sign(s.n - t.n);
  }
  if (x.revision === y.revision) return 0;
  if (x.revision === undefined) return -1;
  if (y.revision === undefined) return 1;
  return sign(x.revision - y.revision);
}

/** Debian's order of one character in a non-digit part: `~` before the end, the end before letters, letters before the rest. */
function debianOrder(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: non-digit parts by debianOrder, digit parts as numbers, alternating. */
function compareDebianPart(a: string, b: string): -1 | 0 | 1 {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !/\d/.test(a[i] ?? '')) || (j < b.length && !/\d/.test(b[j] ?? ''))) {
      const ac = i < a.length && !/\d/.test(a[i] ?? '') ? a[i] : undefined;
      const bc = j < b.length && !/\d/.test(b[j] ?? '') ? b[j] : undefined;
      const d = debianOrder(ac) - debianOrder(bc);
      if (d !== 0) return sign(d);
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (/\d/.test(a[i] ?? '') && /\d/.test(b[j] ?? '')) {
      if (!firstDiff) firstDiff = (a.charCodeAt(i) ?? 0) - (b.charCodeAt(j) ?? 0);
      i++;
      j++;
    }
    if (/\d/.test(a[i] ?? '')) return 1;
    if (/\d/.test(b[j] ?? '')) return -1;
    if (firstDiff) return sign(firstDiff);
  }
  return 0;
}

/** `[epoch:]upstream[-revision]`: the epoch a number (0 when absent), the revision after the last hyphen. */
function splitDebian(v: string): { epoch: number; upstream: string; revision: string } {
  const colon = v.indexOf(':');
  const epoch = colon > 0 ? Number(v.slice(0, colon)) : 0;
  const rest = colon > 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

/** Debian's order (Policy §5.6.12), as `dpkg --compare-versions` gives it: epochs, `~` before anything. */
export function compareDebianVersions(a: string, b: string): -1 | 0 | 1 {
  const x = splitDebian(a.trim());
  const y = splitDebian(b.trim());
  if (x.epoch !== y.epoch) return sign(x.epoch - y.epoch);
  return compareDebianPart(x.upstream, y.upstream) || compareDebianPart(x.revision, y.revision);
}
