// Jest globalTeardown: stops the server globalSetup started (none if TEST_DATABASE_URL was given).
import { serverKey } from './jest-global-setup';
import type { TestDatabaseServer } from './test-database-server';

export default async function globalTeardown(): Promise<void> {
  const slot = globalThis as Record<symbol, TestDatabaseServer | undefined>;
  const server = slot[serverKey];
  slot[serverKey] = undefined;
  await server?.stop();
}
