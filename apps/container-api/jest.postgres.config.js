// The end-to-end suites whose answers must not depend on the store, run again with every app on
// PostgreSQL (`npm test` runs this after the whole suite on SQLite). The other e2e files stay on
// SQLite: they damage or kill SQLite files and processes, or test request handling that never
// reaches the store.
module.exports = {
  ...require('./jest.config.js'),
  setupFiles: ['<rootDir>/test/support/postgres-store.setup.ts'],
  testMatch: [
    'batch-status',
    'batch-progress',
    'json-batches',
    'file-batches',
    'batch-control',
    'idempotency',
    'container-types',
    'callbacks',
    'os1-client',
    'os1-refid',
    'os1-types',
    'os1-compatibility',
    'hostile-csv',
    'operations',
    'spreadsheet-files',
    'metrics',
  ].map((name) => `<rootDir>/test/${name}.e2e-spec.ts`),
};
