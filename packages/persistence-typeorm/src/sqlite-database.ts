// The Database on SQLite: opens the file named by DATABASE_URL, runs the migrations of the table
// sets asked for, and keeps two connections: a writer, whose transactions this process runs one
// at a time and which takes SQLite's write lock when it begins (BEGIN IMMEDIATE), and a reader,
// a second connection that only ever sees committed data. SQLite has one connection per
// DataSource, so without the second connection a status read could see a half-done write.
// Writers in other threads and processes open their own SqliteDatabase on the same file; SQLite's
// lock lets one write transaction in at a time across all of them (ADR 0016).
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { Database, WriteOptions } from './database';
import { SchemaOptions, waitForSchema } from './schema-wait';
import { driverErrorCode } from './sql';
import { DamageWatch, DatabaseDamagedError } from './damage-watch';

export const DEFAULT_DATABASE_URL = 'sqlite:./data/container-service.sqlite';

/** `file` is a path, or `:memory:` for a database that lives as long as its connection. */
export type DatabaseLocation = { readonly kind: 'sqlite'; readonly file: string };

/** Parses DATABASE_URL: `sqlite:<path>` (created if absent) or `sqlite::memory:`. */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  if (!url.startsWith('sqlite:')) {
    throw new Error(
      `DATABASE_URL must start with sqlite: (for example ${DEFAULT_DATABASE_URL}), postgres:// or postgresql://; got '${url.split(':')[0] ?? ''}:'`,
    );
  }
  const rest = url.slice('sqlite:'.length).replace(/^\/\//, '');
  if (rest === ':memory:') return { kind: 'sqlite', file: ':memory:' };
  if (rest.length === 0) throw new Error('DATABASE_URL names no file: use sqlite:<path> or sqlite::memory:');
  return { kind: 'sqlite', file: path.resolve(rest) };
}

export interface SqliteOptions extends SchemaOptions {
  readonly busyTimeoutMs?: number;
}

export class SqliteDatabase implements Database {
  private queue: Promise<unknown> = Promise.resolve();
  /** The writer's `synchronous` level as last set (FULL when opened); null when a setting failed. */
  private synchronous: 'NORMAL' | 'FULL' | null = 'FULL';
  /** None across processes: workers in other processes find new work at their next poll. */
  readonly wakeups = null;

  private constructor(
    readonly location: DatabaseLocation,
    private readonly writer: DataSource,
    private readonly reader: DataSource,
    private readonly busyTimeoutMs: number,
    private readonly damage: DamageWatch,
  ) {}

  get readsCommittedOnly(): boolean {
    return this.reader !== this.writer;
  }

  static async open(location: DatabaseLocation, options: SqliteOptions): Promise<SqliteDatabase> {
    if (location.file !== ':memory:') fs.mkdirSync(path.dirname(location.file), { recursive: true });
    const damage = new DamageWatch(location.file === ':memory:' ? null : location.file);
    damage.refuseIfMarked();
    const timeout = options.busyTimeoutMs ?? 5000;
    const entities = options.schemas.flatMap((set) => set.entities);
    const writer = new DataSource({
      type: 'better-sqlite3',
      database: location.file,
      entities,
      migrations: options.schemas.flatMap((set) => set.migrations),
      migrationsTransactionMode: 'all',
      timeout,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        // FULL: a committed transaction survives a power cut, not just a process crash.
        db.pragma('synchronous = FULL');
        db.pragma('foreign_keys = ON');
        // The log file keeps the size of the most ever written between two of its resets (a
        // reader holding an old snapshot through a big batch can make that large); past this it
        // is cut back when it is reset.
        db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      },
    });
    await DamageWatch.opening(() => writer.initialize());
    try {
      // Before anything is written: a damaged file must not be migrated, served or written to.
      await damage.checkAtStart(writer);
      if (options.migrate) {
        const ran = await writer.runMigrations();
        options.onMigrated?.(ran.map((migration) => migration.name));
      } else await waitForSchema(writer, options.schemas, options.schemaWaitMs);
    } catch (error) {
      await writer.destroy();
      throw error;
    }
    if (location.file === ':memory:') return new SqliteDatabase(location, writer, writer, timeout, damage);
    // From here on the writer waits for SQLite's write lock in `write`, without blocking the thread.
    await writer.query('PRAGMA busy_timeout = 0');
    const reader = new DataSource({
      type: 'better-sqlite3',
      database: location.file,
      entities,
      timeout,
      readonly: true,
      fileMustExist: true,
    });
    await reader.initialize();
    return new SqliteDatabase(location, writer, reader, timeout, damage);
  }

  /**
   * Runs `work` in a write transaction; this process's write transactions run one at a time.
   * The transaction takes SQLite's write lock when it begins (BEGIN IMMEDIATE): a deferred one that
   * reads first and writes later fails at once with SQLITE_BUSY when another connection (a worker
   * thread or process) committed in between, instead of waiting its turn. While another connection
   * holds the lock, the wait is asynchronous (pauses of a millisecond, up to the busy timeout):
   * better-sqlite3 is synchronous, so SQLite's own busy wait would hold up every other task of this
   * thread, HTTP answers included.
   */
  write<T>(work: (manager: EntityManager) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    const run = this.queue.then(async () => {
      // Nothing more is written to a store seen damaged: a 202 would promise work that cannot be done.
      this.damage.refuseIfDamaged();
      const runner = this.writer.createQueryRunner();
      await runner.connect();
      try {
        await this.syncCommits(runner, options.flush === 'with-next' ? 'NORMAL' : 'FULL');
        await this.beginImmediate(runner);
        try {
          const result = await work(runner.manager);
          await runner.query('COMMIT');
          return result;
        } catch (error) {
          this.damage.note(error);
          await runner.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      } finally {
        await runner.release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Sets the writer's `synchronous` level for the transaction about to begin, when the last one set
   * differs: the setting is the connection's, and it is set before every write that needs another,
   * so a failure to set FULL fails that write rather than leaving it unsynced. In WAL mode NORMAL
   * leaves a commit in the log unsynced; the next FULL commit's sync covers it (ADR 0032).
   */
  private async syncCommits(runner: QueryRunner, level: 'NORMAL' | 'FULL'): Promise<void> {
    if (this.synchronous === level) return;
    // Unknown until set again, should setting it fail.
    this.synchronous = null;
    await runner.query(`PRAGMA synchronous = ${level}`);
    this.synchronous = level;
  }

  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return work(this.reader.manager);
  }

  /**
   * Waits for SQLite's write lock, trying again every BUSY_PAUSE_MS: SQLite keeps no queue, so a
   * longer pause only adds to the wait of a request after the lock is free, and it may be taken
   * again meanwhile (a worker's next chunk). A try that finds the lock held costs microseconds.
   */
  private async beginImmediate(runner: QueryRunner): Promise<void> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (;;) {
      try {
        await runner.query('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
      }
      await sleep(BUSY_PAUSE_MS);
    }
  }

  async ping(): Promise<void> {
    this.damage.refuseIfDamaged();
    await this.reader.query('SELECT 1');
  }

  isStoreFault(error: unknown): boolean {
    return isSqliteFault(error);
  }

  /** When the failure shows the file is damaged, readiness and every later write fail from then on. */
  noteFailure(error: unknown): void {
    this.damage.note(error);
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.reader !== this.writer && this.reader.isInitialized) await this.reader.destroy();
    if (this.writer.isInitialized) await this.writer.destroy();
  }
}

/**
 * SQLite result codes (and Node system errors) that say the database itself failed: locked or
 * busy, out of disk or memory, unreadable, damaged, gone. Anything else (a constraint an item's
 * write broke, a value too big, a throw in code) may be down to the items in hand.
 */
const STORE_FAULT = /^(SQLITE_(BUSY|LOCKED|IOERR|FULL|CORRUPT|NOTADB|CANTOPEN|READONLY|NOMEM|PROTOCOL|PERM|AUTH|INTERRUPT|ABORT|NOLFS)|E[A-Z]+$)/;

export function isSqliteFault(error: unknown): boolean {
  // A store seen damaged refuses writes before SQLite is asked: that is the database's failure too.
  if (error instanceof DatabaseDamagedError) return true;
  const code = driverErrorCode(error);
  return typeof code === 'string' && STORE_FAULT.test(code);
}

/** What the write-ahead log file is cut back to when it is reset: 64 MiB. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Between tries for SQLite's write lock while another connection holds it (see beginImmediate). */
const BUSY_PAUSE_MS = 1;

/** SQLITE_BUSY: another connection holds the lock. */
const isBusy = (error: unknown): boolean => driverErrorCode(error) === 'SQLITE_BUSY';
