// Test support for suites that need PostgreSQL: a throwaway server, a fresh database per suite,
// and (as separate entries) the Jest global hooks that provide TEST_DATABASE_URL.
export { findServerPrograms, defaultSearchDirs, PostgresNotFoundError } from './server-programs';
export { startThrowawayPostgres, type ThrowawayPostgres, type ThrowawayPostgresOptions } from './throwaway-postgres';
export { freshDatabase, type FreshDatabase } from './fresh-database';
export { provideTestDatabaseServer, type TestDatabaseServer } from './test-database-server';
