// Two layers: unit specs live beside the code, integration suites under test/.
// @swc/jest compiles TypeScript (with decorator metadata for Nest DI); type
// checking is `npm run typecheck`, not the test runner's job.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const moduleNameMapper = {
  '^@surety/(broker|messaging|database)$': '<rootDir>/libs/$1/src',
  '^@surety/(broker|messaging|database)/(.*)$': '<rootDir>/libs/$1/src/$2',
};

// NestJS 12 and uuid 14 ship ESM only; Jest's CommonJS runtime (before Node 24.9) cannot
// require them, so swc compiles those packages to CommonJS too.
const esmOnlyPackages = [
  '@nestjs',
  'uuid',
  'load-esm',
  'file-type',
  'uid',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  // PGlite loads its WASM parts with import(), which Jest's CommonJS runtime refuses.
  '@electric-sql/pglite',
];

const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc, '^.+/node_modules/.+\\.c?js$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`],
  moduleNameMapper,
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  // A global option: Jest ignores testTimeout inside `projects`.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/exclusive/'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
    // Suites that take a shared service away from everyone (a real RabbitMQ restart):
    // run on their own, after the rest (`npm test` runs them in a second jest call).
    {
      ...common,
      displayName: 'exclusive',
      testMatch: ['<rootDir>/test/exclusive/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};
