import { spawnSync } from 'node:child_process';
import { compareApkVersions, compareDebianVersions } from '../../src/packages/versions.js';

describe("apk's version order", () => {
  it.each([
    ['1.1.1t-r0', '1.1.1t-r10', -1],
    ['3.0.9-r5', '3.0.10-r0', -1],
    ['2.9_p1-r0', '2.9-r3', 1],
    ['1.0_rc1', '1.0', -1],
    ['1.0_alpha', '1.0_beta', -1],
    ['1.0_beta2', '1.0_beta10', -1],
    ['1.0_pre1', '1.0_rc1', -1],
    ['1.0', '1.0_p1', -1],
    ['1.0_cvs', '1.0_svn', -1],
    ['1.0_git20230101', '1.0_hg1', -1],
    ['1.0a', '1.0b', -1],
    ['1.0', '1.0a', -1],
    ['1.0.1', '1.0a', 1],
    ['1.0', '1.0.0', -1],
    ['1.01', '1.001', 1],
    ['1.2.3-r0', '1.2.3-r0', 0],
    ['1.2.3', '1.2.3-r0', -1],
    ['10.0', '9.9', 1],
    ['2024.1.1', '2023.12.31', 1],
    ['1.36.1-r29', '1.36.1-r31', -1],
    ['3.1.4_p1-r1', '3.1.4-r5', 1]
  ])('%s vs %s: %i', (a, b, expected) => {
    expect(compareApkVersions(a, b)).toBe(expected);
    expect(compareApkVersions(b, a)).toBe(expected === 0 ? 0 : -expected);
  });

  it('says a version that does not parse', () => {
    expect(compareApkVersions('1.0-beta', '1.0')).toBeUndefined();
    expect(compareApkVersions('', '1.0')).toBeUndefined();
    expect(compareApkVersions('1.0', 'v1.0')).toBeUndefined();
  });
});

const hasDpkg = spawnSync('dpkg', ['--version']).status === 0;

describe("Debian's version order (Policy 5.6.12)", () => {
  it.each([
    ['1.0', '1.0-1', -1],
    ['1.0~rc1', '1.0', -1],
    ['1:0.1', '2.0', 1],
    ['2.30-21ubuntu1~22.04.9', '2.30-21ubuntu1~22.04.10', -1],
    ['3.0.11-1~deb12u2', '3.0.11-1', -1],
    ['1.2.3a', '1.2.3+b1', -1],
    ['7.88.1-10+deb12u5', '7.88.1-10+deb12u8', -1],
    ['0:1.0', '1.0', 0]
  ])('%s vs %s: %i', (a, b, expected) => {
    expect(compareDebianVersions(a, b)).toBe(expected);
  });

  // the comparator against dpkg itself, on pairs built from the pieces versions are made of
  (hasDpkg ? it : it.skip)('agrees with dpkg --compare-versions on 400 generated pairs', () => {
    const pieces = [
      '0',
      '1',
      '01',
      '2',
      '10',
      'a',
      'b',
      'z',
      '~',
      '~~',
      '+',
      '.',
      '+b1',
      '~rc1',
      'deb12u',
      'ubuntu',
      '-1',
      '-2',
      '1:',
      '2:'
    ];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const make = (): string => {
      const epoch = random(4) === 0 ? `${random(3)}:` : '';
      let upstream = String(random(20));
      for (let i = random(4); i > 0; i--) upstream += (pieces[random(pieces.length)] ?? '').replace(/^-.*|^\d:$/, '.');
      const revision = random(2) === 0 ? `-${random(10)}${random(2) ? '~deb12u1' : ''}` : '';
      return `${epoch}${upstream}${revision}`;
    };
    const disagree: string[] = [];
    for (let n = 0; n < 400; n++) {
      const a = make();
      const b = make();
      const lt = spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0;
      const eq = spawnSync('dpkg', ['--compare-versions', a, 'eq', b]).status === 0;
      const dpkg = lt ? -1 : eq ? 0 : 1;
      if (compareDebianVersions(a, b) !== dpkg) disagree.push(`${a} vs ${b}: dpkg ${dpkg}, ours ${compareDebianVersions(a, b)}`);
    }
    expect(disagree).toEqual([]);
  });
});
