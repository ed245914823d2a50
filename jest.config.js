/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  transform: {
    // Type checking belongs to `npm run build` and `npm run lint`; tests only transpile.
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
  },
  collectCoverageFrom: ['domain/**/*.ts', '!**/*.test.ts', '!**/test/**'],
  coverageThreshold: {
    './domain/': { lines: 95 },
  },
};
