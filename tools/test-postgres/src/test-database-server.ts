// What the Jest global hooks do, apart from Jest: use TEST_DATABASE_URL when it is set, else start
// a throwaway server and publish its URL there, so that every suite (and every worker process
// Jest forks afterwards, which inherit the environment) finds one.
import { Client } from 'pg';
import { startThrowawayPostgres, type ThrowawayPostgresOptions } from './throwaway-postgres';

export interface TestDatabaseServer {
  readonly url: string;
  /** Stops the server if this process started it; leaves a given TEST_DATABASE_URL alone. */
  stop(): Promise<void>;
}

export async function provideTestDatabaseServer(options: ThrowawayPostgresOptions = {}): Promise<TestDatabaseServer> {
  const given = process.env.TEST_DATABASE_URL;
  if (given !== undefined && given !== '') {
    await checkReachable(given);
    return { url: given, stop: () => Promise.resolve() };
  }
  const server = await startThrowawayPostgres(options);
  process.env.TEST_DATABASE_URL = server.url;
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      // Only unset what we set: the next run in this process starts afresh.
      if (process.env.TEST_DATABASE_URL === server.url) delete process.env.TEST_DATABASE_URL;
    },
  };
}

async function checkReachable(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`TEST_DATABASE_URL (${withoutPassword(url)}) does not answer: ${reason}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}
