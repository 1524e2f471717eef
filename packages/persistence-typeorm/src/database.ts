// The store every adapter writes and reads through, whatever database it is. Adapters depend on
// this interface only; each database is one class of it (SqliteDatabase, PostgresDatabase), chosen by
// openDatabase from the URL's scheme, so that a second store is a second class, not an edit of
// every adapter. What each store promises about concurrent writers is in ADR 0016: adapters
// assume no more than that one transaction is atomic, and make every read-then-write safe by
// itself (a conditional UPDATE … RETURNING or INSERT … ON CONFLICT DO NOTHING).
import { EntityManager } from 'typeorm';
import { TableSet, allTables } from './table-sets';
import { DEFAULT_SCHEMA_WAIT_MS, SchemaOptions } from './schema-wait';
import { SqliteDatabase, parseDatabaseUrl } from './sqlite-database';
import { PostgresDatabase, parsePostgresUrl } from './postgres-database';
import type { PostgresDeadlines } from './postgres-deadlines';

export { DEFAULT_DATABASE_URL } from './sqlite-database';

export interface Database {
  /**
   * Runs `work` in one write transaction: all of it commits or none of it does. Its commit is on
   * disk when the promise resolves, unless `options.flush` is 'with-next' (see WriteOptions).
   */
  write<T>(work: (manager: EntityManager) => Promise<T>, options?: WriteOptions): Promise<T>;
  /** Runs `work` on a connection that only ever sees committed data; no writes. */
  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** Fails when the store does not answer, or has been seen damaged. */
  ping(): Promise<void>;
  /**
   * Whether `error` is the database's own failure (locked, busy, full, unreadable, damaged, gone)
   * rather than something the data in hand may have caused (a constraint, a value too big, a
   * throw in code): a chunk never blames its items for the former (ADR 0013).
   */
  isStoreFault(error: unknown): boolean;
  /** Tells the store about a failure seen outside its write transactions (a read, say). */
  noteFailure(error: unknown): void;
  /** Wakeups between processes, where the store offers them (PostgreSQL); null otherwise. */
  readonly wakeups: WorkWakeups | null;
  /**
   * Whether `read` only ever sees committed data. False for SQLite in memory, whose reads share
   * the writer's connection and so see a write transaction still open on it.
   */
  readonly readsCommittedOnly: boolean;
  close(): Promise<void>;
}

/**
 * How a write transaction's commit reaches the disk. 'now' (the default): before the write
 * resolves. 'with-next': on SQLite, when the next 'now' commit of the same file does, as the WAL
 * is written in commit order and synced whole (synchronous=NORMAL for that transaction); a crash
 * of the machine before then may undo it, never a later commit without it, and it ends the
 * writing process too. PostgreSQL commits 'with-next' writes as 'now' ones: its server can crash
 * or fail over while the writer lives on and commits later steps, and an asynchronous commit lost
 * there would leave a hole under an acknowledged batch (ADR 0032). For the steps of a piece of work
 * whose last step is a 'now' write and that nothing acknowledges before that step: the parts of a
 * batch received in parts (a file, a retry's items), before the commit that closes its intake;
 * and for what nothing acknowledges at all and a machine's crash may lose: workers' leases.
 */
export interface WriteOptions {
  readonly flush?: 'now' | 'with-next';
}

/** A hint, from any process to all, that work was stored: workers look for it at once instead of at their next poll. */
export interface WorkWakeups {
  /** Tells every listening process that work arrived; call it once the write that stored the work committed. */
  announce(): Promise<void>;
  /**
   * Calls `listener` whenever any process announces work, and once each time listening (re)starts,
   * as work may have come meanwhile. Failures of the listening connection go to `onError`; it is
   * opened again by itself. Gives back a function that stops listening.
   */
  listen(listener: () => void, onError?: (error: unknown) => void): () => Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Milliseconds a statement waits on a locked database before failing. */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL only: most connections this process holds at once (DATABASE_POOL_MAX), 10 by default. */
  readonly poolMax?: number;
  /** PostgreSQL only: the bounds on waiting for the server (postgres-deadlines.ts); defaults there. */
  readonly deadlines?: Partial<PostgresDeadlines>;
  /**
   * The table sets to create and migrate, each with its entities and migrations. All of them by
   * default; a service that reuses the batch domain alone opens `[batchTables]`.
   */
  readonly schemas?: readonly TableSet[];
  /**
   * Whether this process runs the pending migrations (true, the default) or waits for another to
   * have run them (false: DATABASE_MIGRATE=false, when a deploy pipeline runs `npm run migrate`).
   */
  readonly migrate?: boolean;
  /** With `migrate: false`, how long to wait for the schema before failing; 60 s by default. */
  readonly schemaWaitMs?: number;
  /** Told the names of the migrations this process ran (none when the schema was up to date). */
  readonly onMigrated?: (names: readonly string[]) => void;
}

/**
 * Opens the store named by `url` (its scheme picks the database) and brings its tables up to date,
 * or, with `migrate: false`, waits until they are.
 */
export function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const schema: SchemaOptions = {
    schemas: options.schemas ?? allTables,
    migrate: options.migrate ?? true,
    schemaWaitMs: options.schemaWaitMs ?? DEFAULT_SCHEMA_WAIT_MS,
    ...(options.onMigrated ? { onMigrated: options.onMigrated } : {}),
  };
  const postgres = parsePostgresUrl(url);
  if (postgres) return PostgresDatabase.open(postgres, { busyTimeoutMs: options.busyTimeoutMs, poolMax: options.poolMax, ...options.deadlines, ...schema });
  // parseDatabaseUrl refuses a scheme no class serves; a further store adds its scheme here.
  return SqliteDatabase.open(parseDatabaseUrl(url), { busyTimeoutMs: options.busyTimeoutMs, ...schema });
}

/** `Database.open(url, options)`: the same as openDatabase. */
export const Database = { open: openDatabase };
