/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/*.test.ts'],
  // One worker per core (Jest's default leaves one core to itself): most suites wait on real I/O
  // (hosts in processes of their own, a browser, loopback HTTP), so two workers on two cores took
  // the suite from about 7 to 5 minutes.
  maxWorkers: '100%',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/', '/out/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/out/'],
  // The Functions worker provides this module at run time; under jest the local runtime's copy stands in.
  moduleNameMapper: {
    '^@azure/functions-core$': '<rootDir>/runtime/worker/functionsCore.ts',
    // The local host package runs from its sources under jest (the app it loads may be dist/).
    '^@cardflow/local-host$': '<rootDir>/runtime/index.ts',
    '^@cardflow/local-host/(.*)$': '<rootDir>/runtime/$1',
    // web/ is browser ES modules whose imports name the emitted `.js`; under jest they are the `.ts` sources.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    // Type checking belongs to `npm run build` and `npm run lint`; tests only transpile.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  // No forceExit: every suite closes what it opens (checked suite by suite with --detectOpenHandles),
  // so a run that does not exit names a new leak instead of hiding it.
  // The machines CI runs on are shared and noisy; a test that walks a day of virtual time runs the
  // reconciler's one-minute timer 1 440 times (each a real invocation and a Durable client call).
  testTimeout: 30_000,
  collectCoverageFrom: ['domain/**/*.ts', '!**/*.test.ts', '!**/test/**'],
  coverageReporters: ['text-summary'],
  coverageThreshold: {
    './domain/': { lines: 95 },
  },
};
