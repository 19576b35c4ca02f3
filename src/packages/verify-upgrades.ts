import type { BuildResult } from '../dispatch/build-result.js';
import { parseDebStanzas } from './debian.js';
import type { ImagePackages } from './image-packages.js';
import type { Upgrade } from './upgrades.js';
import { compareApkVersions, compareDebianVersions } from './versions.js';

/** What verification needs: an image's packages as the registry holds them now (a fresh read: the rebuild has a new digest). */
export type ReadRebuilt = (fullImage: string) => Promise<ImagePackages>;

/** Whether a rebuilt image holds the upgrades its decision predicted (results.schema.json, a result's `verification`). */
export type Verification = NonNullable<BuildResult['verification']>;

/**
 * Whether a rebuilt image holds what its decision predicted: each predicted package at the
 * available version or newer. A package the image no longer holds cannot be vulnerable: it counts
 * as landed. An image whose packages cannot be read is `unknown`, with why.
 */
export function checkUpgrades(predicted: readonly Upgrade[], rebuilt: ImagePackages): Verification {
  if (rebuilt.kind === 'unmodelled') return { state: 'unknown', why: rebuilt.reason };
  if (rebuilt.kind === 'no-database') return { state: 'unknown', why: 'the rebuilt image holds no package database' };
  const installed =
    rebuilt.kind === 'alpine'
      ? new Map(rebuilt.installed.map((p) => [p.name, p.version]))
      : new Map(parseDebStanzas(rebuilt.status, true).packages.map((p) => [p.name, p.version]));
  const compare = rebuilt.kind === 'alpine' ? compareApkVersions : compareDebianVersions;
  const missing: NonNullable<Verification['missing']> = [];
  for (const u of predicted) {
    const found = installed.get(u.name);
    if (found !== undefined && (compare(found, u.available) ?? -1) < 0) missing.push({ name: u.name, expected: u.available, found });
  }
  return missing.length > 0 ? { state: 'missing', missing } : { state: 'verified' };
}

/** `openssl is still 1.1.1t-r0 (3.0.15-r0 expected), and 2 more`: what did not land, for a person. */
export function describeMissing(verification: Verification): string {
  const missing = verification.missing ?? [];
  const first = missing
    .slice(0, 2)
    .map((m) => `${m.name} is still ${m.found ?? '?'} (${m.expected} expected)`)
    .join(', ');
  return missing.length > 2 ? `${first}, and ${missing.length - 2} more` : first;
}
