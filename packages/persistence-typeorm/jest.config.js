// A PostgreSQL server for the run: TEST_DATABASE_URL if set, else a throwaway one started here
// (and stopped after) by the machine's server programs; no programs and no URL fails the run.
module.exports = {
  ...require('../../jest.preset.js'),
  globalSetup: require.resolve('@container-service/test-postgres/jest-global-setup'),
  globalTeardown: require.resolve('@container-service/test-postgres/jest-global-teardown'),
};
