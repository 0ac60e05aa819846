// Jest over real servers: test/support/globalSetup.ts starts PostgreSQL and bundles the workflows
// once; each test file makes its own database and Temporal environment on free ports.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  testTimeout: 120_000,
  // Two cores: each test file runs real servers, so more workers only queue for CPU.
  maxWorkers: 2,
};
