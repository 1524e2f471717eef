// `npm run migrate`: brings the configured database (DATABASE_URL) up to date and exits, for deploy
// pipelines that migrate once before starting processes with DATABASE_MIGRATE=false. Prints one
// line: the migrations it ran, or that the schema was up to date; on failure one line on stderr
// and exit code 1. On PostgreSQL it takes the same advisory lock as a starting process, so it is
// safe beside processes that migrate themselves.
import { Database, loggableDatabaseUrl } from '@container-service/persistence-typeorm';
import { ConfigError, loadDatabaseUrl } from '../config/app-config';

async function run(): Promise<void> {
  const url = loadDatabaseUrl();
  const where = loggableDatabaseUrl(url);
  let ran: readonly string[] = [];
  let database: Database;
  try {
    database = await Database.open(url, { poolMax: 1, migrate: true, onMigrated: (names) => (ran = names) });
  } catch (error) {
    fail(`cannot migrate the database ${where}: ${messageOf(error)}`);
  }
  await database.close();
  process.stdout.write(ran.length === 0 ? `migrate: ${where} is up to date\n` : `migrate: ran ${ran.join(', ')} on ${where}\n`);
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');

function fail(message: string): never {
  process.stderr.write(`migrate: ${message}\n`);
  process.exit(1);
}

run().catch((error: unknown) => fail(error instanceof ConfigError ? `configuration error: ${error.message}` : messageOf(error)));
