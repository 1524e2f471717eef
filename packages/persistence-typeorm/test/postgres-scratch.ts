// PostgreSQL for the integration suites: a fresh database for each fixture on the server named by
// TEST_DATABASE_URL, dropped when the test file ends. Fresh databases are copies of a template the
// table sets were migrated into once per file (CREATE DATABASE … TEMPLATE), a few milliseconds
// each where migrating every one would take a quarter of a second. Without TEST_DATABASE_URL the
// PostgreSQL suites are not skipped: one test fails saying how to get a server.
import { Client } from 'pg';
import { openDatabase } from '../src/database';
import type { TableSet } from '../src/table-sets';

export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'];

const MISSING = 'TEST_DATABASE_URL is not set: the PostgreSQL suites need a server (for example postgres://postgres@127.0.0.1:5432/postgres)';

/** Registers one failing test when there is no server to run the PostgreSQL suites on. */
export function requirePostgres(): boolean {
  if (TEST_DATABASE_URL !== undefined && TEST_DATABASE_URL !== '') return true;
  describe('the PostgreSQL suites', () => {
    it('need a PostgreSQL server', () => {
      throw new Error(MISSING);
    });
  });
  return false;
}

function withDatabase(baseUrl: string, name: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(baseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let counter = 0;

/**
 * Databases made for one test file under `prefix`, all dropped after its last test. `fresh()`
 * gives the URL of an empty database; `migrated()` one with `schemas` migrated already.
 */
export function postgresScratch(
  prefix: string,
  schemas?: readonly TableSet[],
): { fresh(createOptions?: string): Promise<string>; migrated(): Promise<string> } {
  const base = TEST_DATABASE_URL ?? '';
  const made: string[] = [];
  const stem = `${prefix}_${String(process.pid)}_${String(Date.now() % 1e8)}`;
  let template: Promise<string> | undefined;

  const create = async (options = ''): Promise<string> => {
    const name = `${stem}_${String(++counter)}`;
    await admin(base, (client) => client.query(`CREATE DATABASE ${name} ${options}`));
    made.push(name);
    return name;
  };

  afterAll(async () => {
    if (made.length === 0) return;
    await admin(base, async (client) => {
      for (const name of made.reverse()) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
    // A dozen databases dropped on a busy machine take longer than Jest's default five seconds.
  }, 60_000);

  return {
    /** `createOptions`: what CREATE DATABASE takes after the name (a template, a collation). */
    fresh: async (createOptions?: string) => withDatabase(base, await create(createOptions)),
    migrated: async () => {
      template ??= (async () => {
        const name = await create();
        await (await openDatabase(withDatabase(base, name), { schemas })).close();
        return name;
      })();
      return withDatabase(base, await create(`TEMPLATE ${await template}`));
    },
  };
}
