/**
 * Two tiers (npm run test:unit, npm run test:int); npm test runs both in one jest run, each file
 * labelled with its tier.
 * - unit: pure logic, and single adapters against real local servers (git, helm, the registry,
 *   the GitHub emulator): under a minute.
 * - int: scenarios, in process through runJob or spawning the bundle (what only a process proves).
 */
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] }
};
const scenarios = [
  '<rootDir>/__tests__/e2e/**/*.test.ts',
  '<rootDir>/__tests__/main.test.ts',
  '<rootDir>/__tests__/release.test.ts',
  '<rootDir>/__tests__/repository.test.ts'
];

/** @type {import('jest').Config} */
export default {
  testTimeout: 120000,
  // a suite that skips for a missing tool is said at the end, and fails the run where CI requires the tool
  globalSetup: '<rootDir>/scripts/jest-setup.mjs',
  globalTeardown: '<rootDir>/scripts/jest-teardown.mjs',
  // three on two cores: most of the scenarios wait (on spawned processes, servers and time limits), not compute
  maxWorkers: 3,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: [
        '/__tests__/e2e/',
        '/__tests__/main\\.test\\.ts$',
        '/__tests__/release\\.test\\.ts$',
        '/__tests__/repository\\.test\\.ts$'
      ]
    },
    { ...common, displayName: 'int', testMatch: scenarios }
  ]
};
