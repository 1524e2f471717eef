// What a process opened with `migrate: false` (DATABASE_MIGRATE=false) does instead of migrating:
// it waits until every migration of its table sets is recorded in the migrations table, which a
// deploy pipeline's `npm run migrate` or another process fills, and fails past a deadline naming
// what is still missing. It only reads: it creates nothing, not even the migrations table, so it
// never races the process that migrates.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { TableSet } from './table-sets';
import { select } from './sql';

/** How long a process waits for the schema by default: long enough for a deploy's migrations. */
export const DEFAULT_SCHEMA_WAIT_MS = 60_000;
/** What every store's `open` is told about its tables. */
export interface SchemaOptions {
  readonly schemas: readonly TableSet[];
  /** Run the pending migrations (true) or wait up to `schemaWaitMs` for another process to (false). */
  readonly migrate: boolean;
  readonly schemaWaitMs: number;
  readonly onMigrated?: (names: readonly string[]) => void;
}

/** Pause between two looks at the migrations table. */
const POLL_MS = 250;

/** The names TypeORM records for `schemas`' migrations: a `name` field, else the class's name. */
export function migrationNames(schemas: readonly TableSet[]): string[] {
  return schemas.flatMap((set) =>
    set.migrations.map((Migration) => {
      const migration = new Migration();
      return migration.name ?? Migration.name;
    }),
  );
}

/** Resolves once every migration of `schemas` is recorded; rejects after `waitMs` naming the missing ones. */
export async function waitForSchema(source: DataSource, schemas: readonly TableSet[], waitMs: number): Promise<void> {
  const wanted = migrationNames(schemas);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const look = await missingMigrations(source, wanted);
    if (look.missing.length === 0) return;
    if (Date.now() >= deadline) {
      const cause = look.error === undefined ? '' : ` (the last look failed: ${look.error})`;
      throw new Error(
        `the database schema is not up to date after ${String(waitMs)} ms of waiting (DATABASE_MIGRATE=false); missing migrations: ${look.missing.join(', ')}${cause}. Run \`npm run migrate\` or start a process that migrates`,
      );
    }
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  }
}

/** The migrations in `wanted` not recorded yet; a look that fails (a table half made, a lock held) counts as "none yet". */
async function missingMigrations(source: DataSource, wanted: readonly string[]): Promise<{ missing: string[]; error?: string }> {
  const table = source.options.migrationsTableName ?? 'migrations';
  const runner = source.createQueryRunner();
  try {
    if (!(await runner.hasTable(table))) return { missing: [...wanted] };
    const rows = await select<{ name: string }>(runner.manager, `SELECT name FROM ${table}`, []);
    const recorded = new Set(rows.map((row) => row.name));
    return { missing: wanted.filter((name) => !recorded.has(name)) };
  } catch (error) {
    return { missing: [...wanted], error: error instanceof Error ? error.message : 'an unknown error' };
  } finally {
    await runner.release();
  }
}
