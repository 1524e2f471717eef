// The one start-up sequence of every process the service runs (the API in main.ts, the worker
// process in worker.ts, the API's worker thread in worker-thread.ts): read the configuration,
// make the logger, open the store, build and start the process's part, and stop cleanly. Each
// failure ends the process (or thread) the same way everywhere: one line on stderr saying what
// failed, and exit code 1.
import { Database, loggableDatabaseUrl } from '@container-service/persistence-typeorm';
import { Logger } from 'pino';
import { VerificationKey, resolveVerificationKey } from './auth/signing-key';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { createLogger, logFormatFor } from './logging/logger';

/** Exit code of a process that could not start or stopped on a failure; 0 is a clean stop. */
const EXIT_FAILURE = 1;
/** How long a stop may take for work in hand to finish before the process exits anyway. */
const STOP_GRACE_MS = 10_000;

/** What a process is given once its configuration is read and its store is open. */
export interface StartContext {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly database: Database;
  readonly verificationKey: VerificationKey;
}

/** A started process's part: what a stop closes. */
export interface Started {
  close(): Promise<void>;
}

export interface ProcessSpec {
  /** Starts each line this process writes to stderr, e.g. `container-api`. */
  readonly name: string;
  readonly env: NodeJS.ProcessEnv;
  /** The process's logger, from the configured one (a thread names itself in a child logger). */
  readonly logger?: (logger: Logger) => Logger;
  /** Builds and starts the process's part; a failure here is a failure to start. */
  start(context: StartContext): Promise<Started>;
  /** Stop on SIGTERM/SIGINT (a process); a worker thread is stopped by its parent instead. */
  readonly stopOnSignals: boolean;
}

/** Writes one line saying what failed and ends the process (or the thread) with EXIT_FAILURE. */
export function fail(name: string, what: string, error?: unknown): never {
  process.stderr.write(`${name}: ${what}${error === undefined ? '' : `: ${messageOf(error)}`}\n`);
  process.exit(EXIT_FAILURE);
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');

/** Runs a process through the one start-up sequence. */
export function runProcess(spec: ProcessSpec): void {
  let logger: Logger | null = null;
  const unexpected = (error: unknown) => {
    logger?.fatal({ err: error }, 'stopped on an unexpected error');
    fail(spec.name, 'stopped on an unexpected error', error);
  };
  process.on('uncaughtException', unexpected);
  process.on('unhandledRejection', unexpected);

  void (async () => {
    let config: AppConfig;
    try {
      config = loadConfig(spec.env);
    } catch (error) {
      if (error instanceof ConfigError) fail(spec.name, 'configuration error', error);
      throw error;
    }
    const base = createLogger(config.logLevel, undefined, logFormatFor(config, process.stdout.isTTY));
    const log = spec.logger ? spec.logger(base) : base;
    logger = log;
    let verificationKey: VerificationKey;
    try {
      verificationKey = resolveVerificationKey(config.auth, config.dataDir);
    } catch (error) {
      fail(spec.name, 'cannot read the access token key', error);
    }
    let database: Database;
    try {
      database = await Database.open(config.databaseUrl, {
        poolMax: config.databasePoolMax,
        migrate: config.databaseMigrate,
        deadlines: config.databaseDeadlines,
      });
    } catch (error) {
      fail(spec.name, `cannot open the database ${loggableDatabaseUrl(config.databaseUrl)}`, error);
    }
    let started: Started;
    try {
      started = await spec.start({ config, logger: log, database, verificationKey });
    } catch (error) {
      log.fatal({ err: error }, 'failed to start');
      await database.close().catch(() => undefined);
      fail(spec.name, 'failed to start', error);
    }
    if (spec.stopOnSignals) stopOnSignals(spec.name, started, log);
  })().catch((error: unknown) => fail(spec.name, 'failed to start', error));
}

/** On SIGTERM or SIGINT, closes the process's part (work in hand finishes) and exits 0; 1 after STOP_GRACE_MS. */
function stopOnSignals(name: string, started: Started, logger: Logger): void {
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping');
    const forced = setTimeout(() => {
      logger.error(`work in hand did not finish within ${STOP_GRACE_MS / 1000} s; exiting`);
      fail(name, `work in hand did not finish within ${STOP_GRACE_MS / 1000} s`);
    }, STOP_GRACE_MS);
    forced.unref();
    started.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        fail(name, 'stop failed', error);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
