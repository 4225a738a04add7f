// Used only by bench/tooling/compare-jest-transformers.sh to time the unit layer under
// ts-jest instead of @swc/jest (JEST_TRANSFORMER=ts-jest|ts-jest-isolated).
const base = require('../../jest.config.js');
const mode = process.env.JEST_TRANSFORMER ?? 'ts-jest';
const tsJest = [
  'ts-jest',
  {
    tsconfig: '<rootDir>/tsconfig.json',
    isolatedModules: mode === 'ts-jest-isolated',
    diagnostics: mode !== 'ts-jest-isolated',
  },
];
const unit = base.projects.find((p) => p.displayName === 'unit');
module.exports = {
  ...unit,
  rootDir: require('node:path').join(__dirname, '..', '..'),
  transform: { ...unit.transform, '^.+\\.ts$': tsJest },
};
