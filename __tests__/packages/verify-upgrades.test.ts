import { checkUpgrades, describeMissing } from '../../src/packages/verify-upgrades.js';
import { debianStanzas } from '../support/package-mirror.js';

const upgrade = (name: string, installed: string, available: string) => ({ name, installed, available, fixes: [] });

describe('whether a rebuilt image holds the upgrades it was dispatched for', () => {
  it('Alpine: an upgrade at the available version or newer landed; an older one is missing; a package no longer held cannot be vulnerable', () => {
    const rebuilt = {
      kind: 'alpine' as const,
      installed: [
        { name: 'libcrypto3', version: '3.5.5-r0', origin: 'openssl', depends: [], provides: [] },
        { name: 'busybox', version: '1.37.0-r19', origin: 'busybox', depends: [], provides: [] }
      ],
      malformed: { count: 0, first: [] },
      repositories: [],
      world: [],
      layer: 'sha256:1',
      bytesRead: 1
    };
    expect(checkUpgrades([upgrade('libcrypto3', '3.5.1-r0', '3.5.4-r0'), upgrade('curl', '8.1-r0', '8.2-r0')], rebuilt)).toEqual({
      state: 'verified'
    });
    const stale = checkUpgrades([upgrade('busybox', '1.37.0-r19', '1.37.0-r20')], rebuilt);
    expect(stale).toEqual({ state: 'missing', missing: [{ name: 'busybox', expected: '1.37.0-r20', found: '1.37.0-r19' }] });
    expect(describeMissing(stale)).toBe('busybox is still 1.37.0-r19 (1.37.0-r20 expected)');
  });

  it("Debian: compared by Debian's order (a ~ release sorts before its final)", () => {
    const rebuilt = {
      kind: 'debian' as const,
      status: debianStanzas([['libssl3', '3.0.15-1~deb12u1', 'openssl']]),
      sources: [],
      layer: 'sha256:2',
      bytesRead: 1
    };
    expect(checkUpgrades([upgrade('libssl3', '3.0.11-1~deb12u1', '3.0.15-1~deb12u1')], rebuilt)).toEqual({ state: 'verified' });
    expect(checkUpgrades([upgrade('libssl3', '3.0.11-1~deb12u1', '3.0.15-1')], rebuilt).state).toBe('missing');
  });

  it('an image that cannot be read is unknown, with why', () => {
    expect(
      checkUpgrades([upgrade('a', '1', '2')], { kind: 'unmodelled', reason: 'layer sha256:3 is zstd-compressed', bytesRead: 0 })
    ).toEqual({
      state: 'unknown',
      why: 'layer sha256:3 is zstd-compressed'
    });
  });
});
