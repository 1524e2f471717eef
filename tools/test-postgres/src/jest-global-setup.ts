// Jest globalSetup: a PostgreSQL server for the run (see test-database-server.ts). Name it in a
// jest.config.js as require.resolve('@container-service/test-postgres/jest-global-setup').
import { provideTestDatabaseServer, type TestDatabaseServer } from './test-database-server';

// globalSetup and globalTeardown run in the same process but may be loaded as separate module
// instances, so the handle travels on globalThis.
export const serverKey = Symbol.for('@container-service/test-postgres/server');

export default async function globalSetup(): Promise<void> {
  const server: TestDatabaseServer = await provideTestDatabaseServer();
  (globalThis as Record<symbol, unknown>)[serverKey] = server;
}
