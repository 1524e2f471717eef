// The Database on PostgreSQL: a pool of connections (TypeORM's postgres driver over node-postgres),
// each write one READ COMMITTED transaction on a connection of its own, reads straight off the
// pool. Unlike SQLite, writers of this and every other process really run side by side: adapters
// rely on each read-then-write being one conditional statement (ADR 0016), not on a write lock.
// Migrations run at open under a session advisory lock, so that processes starting together on an
// empty database migrate it once (ADR 0018).
import { DataSource, EntityManager, MigrationExecutor } from 'typeorm';
import type { Database } from './database';
import { SchemaOptions, waitForSchema } from './schema-wait';
import { driverErrorCode } from './sql';
import { PostgresWakeups } from './postgres-wakeups';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_QUERY_TIMEOUT_MS, DeadlineClient, KEEPALIVE_INITIAL_DELAY_MS, PostgresDeadlines } from './postgres-deadlines';

export type PostgresLocation = { readonly kind: 'postgres'; readonly url: string };

export interface PostgresOptions extends SchemaOptions, Partial<PostgresDeadlines> {
  /** Most connections this process holds at once (DATABASE_POOL_MAX); 10 by default. */
  readonly poolMax?: number;
  /** Milliseconds a statement may wait on a lock before failing; unset: no limit. */
  readonly busyTimeoutMs?: number;
}

/** Any fixed number: every process of the service takes the same lock around its migrations. */
const MIGRATION_LOCK_KEY = 1_601_600_016;

export class PostgresDatabase implements Database {
  readonly wakeups: PostgresWakeups;
  readonly readsCommittedOnly = true;

  private constructor(
    readonly location: PostgresLocation,
    private readonly source: DataSource,
  ) {
    this.wakeups = new PostgresWakeups(location.url, source);
  }

  static async open(location: PostgresLocation, options: PostgresOptions): Promise<PostgresDatabase> {
    const source = new DataSource({
      type: 'postgres',
      url: location.url,
      entities: options.schemas.flatMap((set) => set.entities),
      migrations: options.schemas.flatMap((set) => set.migrations),
      poolSize: options.poolMax ?? 10,
      // How long the server may keep us waiting: see postgres-deadlines.ts.
      connectTimeoutMS: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      // An idle connection the server closed (a restart, a crash) leaves the pool by itself, and
      // the next use opens a new one or fails as a store fault where it is reported. Without a
      // handler the pool's 'error' would end the process; TypeORM's own would print to the console.
      poolErrorHandler: () => undefined,
      extra: {
        Client: DeadlineClient.withDeadline(options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS),
        keepAlive: true,
        keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
        ...(options.busyTimeoutMs === undefined ? {} : { lock_timeout: options.busyTimeoutMs }),
      },
    });
    await source.initialize();
    try {
      if (options.migrate) {
        const ran = await migrateUnderLock(source);
        options.onMigrated?.(ran);
      } else await waitForSchema(source, options.schemas, options.schemaWaitMs);
    } catch (error) {
      await source.destroy();
      throw error;
    }
    return new PostgresDatabase(location, source);
  }

  /**
   * One READ COMMITTED transaction on a connection of its own; ROLLBACK on any throw. Every commit
   * is synchronous: the store takes no WriteOptions, 'with-next' included (ADR 0032).
   */
  async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.source.createQueryRunner();
    await runner.connect();
    try {
      // Through the runner, so that TypeORM knows a transaction is open (row locks need one).
      await runner.startTransaction('READ COMMITTED');
      try {
        const result = await work(runner.manager);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }

  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return work(this.source.manager);
  }

  async ping(): Promise<void> {
    await this.source.query('SELECT 1');
  }

  isStoreFault(error: unknown): boolean {
    return isPostgresFault(error);
  }

  /** Nothing to keep: PostgreSQL looks after its own files, and a lost connection leaves the pool. */
  noteFailure(): void {
    // A failure outside a write says nothing this class acts on.
  }

  async close(): Promise<void> {
    if (this.source.isInitialized) await this.source.destroy();
  }
}

/**
 * Runs the pending migrations holding pg_advisory_lock, all on one connection (a pool of one
 * would otherwise wait on itself): a second process that starts at the same moment waits at the
 * lock, then finds nothing left to run. The lock is the session's, so it is held across the
 * migrations' own transaction, and let go even if they fail. Gives back the names of those it ran.
 */
async function migrateUnderLock(source: DataSource): Promise<string[]> {
  const runner = source.createQueryRunner();
  const connection: unknown = await runner.connect();
  try {
    // A migration may rightly take long on a big table: no statement deadline on its connection.
    return await DeadlineClient.withoutDeadline(connection, async () => {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        const migrations = new MigrationExecutor(source, runner);
        migrations.transaction = 'all';
        return (await migrations.executePendingMigrations()).map((migration) => migration.name);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    });
  } finally {
    await runner.release();
  }
}

/** Parses a `postgres://` or `postgresql://` DATABASE_URL; node-postgres reads the rest (sslmode too). */
export function parsePostgresUrl(url: string): PostgresLocation | null {
  if (!/^postgres(ql)?:\/\//.test(url)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('DATABASE_URL is not a valid postgres:// URL (postgres://user:password@host:port/database)');
  }
  if (parsed.hostname === '' || parsed.pathname.length <= 1) {
    throw new Error('DATABASE_URL must name a host and a database: postgres://user:password@host:port/database');
  }
  return { kind: 'postgres', url };
}

/** `url` as it may be logged: a PostgreSQL URL's password hidden, anything else as it is. */
export function loggableDatabaseUrl(url: string): string {
  if (parsePostgresUrl(url) === null) return url;
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

/**
 * SQLSTATE classes that say the database failed rather than the data in hand: connection
 * exceptions (08), too many connections or out of memory or disk (53), shut down or restarting
 * (57P01–57P03), system errors (58), and a transaction the server gave up on to keep concurrent
 * writers apart (40001 serialization, 40P01 deadlock), which a retry may get through. 55P03 is a
 * lock not got in time, 57014 a statement cancelled by its timeout. Constraint (23) and data (22)
 * errors are the items'.
 */
const STORE_SQLSTATE = /^(08|53|58)...$|^57P0[123]$|^40001$|^40P01$|^55P03$|^57014$/;
/** Node's own errors on a socket (refused, reset, the host gone), and ETIMEDOUT of a statement past its deadline. */
const SOCKET_FAULT = /^E[A-Z]+$/;
/**
 * What node-postgres throws, without a code, when the server or the socket went away or no
 * connection came in time (the pool's wait included); and TypeORM's refusal of a query runner
 * whose connection was discarded after such a failure.
 */
const LOST_CONNECTION =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|Query runner already released/i;

export function isPostgresFault(error: unknown): boolean {
  const code = driverErrorCode(error);
  if (typeof code === 'string' && (STORE_SQLSTATE.test(code) || SOCKET_FAULT.test(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return LOST_CONNECTION.test(message);
}
