#!/usr/bin/env node
// Prints the CHANGELOG section of one version (its body, without the heading): the release notes.
// `node scripts/changelog-section.mjs 1.0.0`; exits 1 when CHANGELOG.md has no such section.
import { readFileSync } from 'node:fs';

/** The body of `## [X.Y.Z]` in a Keep a Changelog text, or undefined. */
export function changelogSection(changelog, version) {
  const lines = changelog.split('\n');
  const heading = new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\](\\s|$)`);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && /^## /.test(line));
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const version = process.argv[2] ?? '';
  const section = changelogSection(readFileSync(new URL('../CHANGELOG.md', import.meta.url), 'utf8'), version);
  if (section === undefined) {
    console.error(`CHANGELOG.md has no section "## [${version}]"`);
    process.exit(1);
  }
  console.log(section);
}
