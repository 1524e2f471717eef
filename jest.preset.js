// Shared Jest setup: everything (node_modules too) goes through swc, because Nest 12 ships
// ESM-only packages that Jest cannot load from CommonJS tests on Node 20 otherwise.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testMatch: ['**/?(*.)+(spec|int-spec|e2e-spec).ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // A failing end-to-end test can leave its server open; without this Jest would then wait for
  // it forever instead of reporting the failure and exiting.
  forceExit: true,
};
