// The service's configuration, read once from the environment and checked whole at start-up.
// A bad value stops the process with one line that names the variable and what it wants.
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CHUNK_SIZE } from '@container-service/batch-domain';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DATABASE_URL,
  DEFAULT_QUERY_TIMEOUT_MS,
  PostgresDeadlines,
  parseDatabaseUrl,
  parsePostgresUrl,
} from '@container-service/persistence-typeorm';
import { SecretKey, parseSecretsKey } from '../callbacks/aes-gcm-secret.sealer';
import { AuthConfig, loadAuthConfig } from './auth-config';
import { ConfigError } from './config-error';

export { ConfigError } from './config-error';
export type { AuthConfig } from './auth-config';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** LOG_FORMAT: JSON lines, or readable lines (pino-pretty); unset, chosen by where stdout goes (logger.ts). */
export type LogFormat = 'json' | 'pretty';

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  /** PostgreSQL only: most connections each process holds at once. */
  readonly databasePoolMax: number;
  /**
   * DATABASE_MIGRATE: whether the process runs pending migrations at start (true) or waits for
   * the schema that `npm run migrate` or another process brings up to date (false).
   */
  readonly databaseMigrate: boolean;
  /**
   * PostgreSQL only: how long to wait for a connection (DATABASE_CONNECT_TIMEOUT_MS) and for a
   * statement's answer (DATABASE_QUERY_TIMEOUT_MS) before the store counts as unreachable.
   */
  readonly databaseDeadlines: PostgresDeadlines;
  readonly dataDir: string;
  readonly auth: AuthConfig;
  readonly logLevel: LogLevel;
  /** LOG_FORMAT when set; null lets the process choose (logFormatFor in logger.ts). */
  readonly logFormat: LogFormat | null;
  readonly production: boolean;
  readonly metrics: MetricsConfig;
  /** Largest JSON body accepted, in bytes. */
  readonly jsonBodyMaxBytes: number;
  /** How long a JSON body may take to arrive once the headers are in (408 past it). */
  readonly bodyTimeoutMs: number;
  /** Result-list entries kept in memory for status reads (ADR 0011, ADR 0033); 0 turns that off. */
  readonly statusCacheEntries: number;
  readonly upload: UploadConfig;
  readonly retention: RetentionConfig;
  readonly callbacks: CallbackConfig;
  readonly worker: WorkerConfig;
}

export interface MetricsConfig {
  /** METRICS_ENABLED: whether the process counts and serves /metrics (the Prometheus text format). */
  readonly enabled: boolean;
  /**
   * METRICS_PORT: where a process without HTTP (`npm run worker`) serves /metrics and /health;
   * null serves nothing there. The API serves /metrics on its own port and ignores it.
   */
  readonly port: number | null;
}

interface CallbackConfig {
  /** Tries per callback, the first included. */
  readonly maxAttempts: number;
  /** How long one try may take in all: connection, headers and body of the answer. */
  readonly timeoutMs: number;
  /** The wait after the first failed try; it doubles after each further one (±20 %). */
  readonly backoffBaseMs: number;
  /** Whether callbacks may go to loopback, private and other internal addresses. */
  readonly allowPrivateNetworks: boolean;
  /** Tries in flight at once per worker process, shared fairly between tenants. */
  readonly concurrency: number;
  /** SECRETS_KEY: the keys that seal callback secrets at rest, the first sealing; none stores them as given. */
  readonly secretKeys: readonly SecretKey[];
}

export interface RetentionConfig {
  /** Finished batches and their items are removed this many days after they finished. */
  readonly batchDays: number;
  /** Submission (idempotency) keys are kept at least this many hours. */
  readonly submitKeyHours: number;
}

interface UploadConfig {
  /** Largest CSV file accepted, in bytes (413 past it). */
  readonly maxBytes: number;
  /** Most data rows a CSV file may hold (413 past it). */
  readonly maxRows: number;
  /** An upload that sends nothing for this long is dropped, and what it stored is removed. */
  readonly idleTimeoutMs: number;
}

export interface WorkerConfig {
  /** Whether this process processes batches (the API process does by default). */
  readonly enabled: boolean;
  /**
   * Whether the API process runs its worker on a thread of its own (the default), so that
   * processing never holds up HTTP answers; false runs it on the API's event loop.
   */
  readonly thread: boolean;
  /**
   * How much the worker thread raises its nice value (0-19, as `nice -n`), so that on a busy
   * machine the CPU goes to HTTP answers first and to processing otherwise; 0 keeps the API's.
   */
  readonly threadNice: number;
  readonly id: string;
  /** Items per chunk transaction (WORKER_CHUNK_SIZE; DEFAULT_CHUNK_SIZE of the batch domain unless set). */
  readonly chunkSize: number;
  /** How long a batch stays with a worker that stopped renewing its lease. */
  readonly leaseMs: number;
  /** Pause between looks for work when there is none. */
  readonly idleMs: number;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * DATABASE_URL alone, checked: what `npm run migrate` needs, without the service's other settings
 * (a deploy pipeline need not hold the access token key to migrate).
 */
export function loadDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env['DATABASE_URL']?.trim();
  const databaseUrl = raw === undefined || raw === '' ? DEFAULT_DATABASE_URL : raw;
  try {
    if (parsePostgresUrl(databaseUrl) === null) parseDatabaseUrl(databaseUrl);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return databaseUrl;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const text = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new ConfigError(`${name} must be an integer from ${min} to ${max}; got '${raw}'`);
    }
    return Number(raw);
  };

  const port = integer('PORT', 3000, 0, 65535);
  const host = text('HOST') ?? '0.0.0.0';
  const databaseUrl = loadDatabaseUrl(env);
  const databasePoolMax = integer('DATABASE_POOL_MAX', 10, 1, 1000);
  const migrate = text('DATABASE_MIGRATE') ?? 'true';
  if (migrate !== 'true' && migrate !== 'false') throw new ConfigError(`DATABASE_MIGRATE must be true or false; got '${migrate}'`);
  const databaseDeadlines: PostgresDeadlines = {
    connectTimeoutMs: integer('DATABASE_CONNECT_TIMEOUT_MS', DEFAULT_CONNECT_TIMEOUT_MS, 100, 600_000),
    queryTimeoutMs: integer('DATABASE_QUERY_TIMEOUT_MS', DEFAULT_QUERY_TIMEOUT_MS, 0, 3_600_000),
  };
  const dataDir = path.resolve(text('DATA_DIR') ?? './data');
  const logLevel = (text('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got '${logLevel}'`);
  const logFormat = text('LOG_FORMAT') ?? null;
  if (logFormat !== null && logFormat !== 'json' && logFormat !== 'pretty') throw new ConfigError(`LOG_FORMAT must be json or pretty; got '${logFormat}'`);
  const production = env.NODE_ENV === 'production';
  const metricsEnabled = text('METRICS_ENABLED') ?? 'true';
  if (metricsEnabled !== 'true' && metricsEnabled !== 'false') throw new ConfigError(`METRICS_ENABLED must be true or false; got '${metricsEnabled}'`);
  const metrics: MetricsConfig = {
    enabled: metricsEnabled === 'true',
    port: text('METRICS_PORT') === undefined ? null : integer('METRICS_PORT', 0, 0, 65535),
  };
  const jsonBodyMaxBytes = integer('JSON_BODY_MAX_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
  const bodyTimeoutMs = integer('BODY_TIMEOUT_MS', 30_000, 100, 3_600_000);

  const upload: UploadConfig = {
    maxBytes: integer('UPLOAD_MAX_BYTES', 50 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxRows: integer('UPLOAD_MAX_ROWS', 200_000, 1, 10_000_000),
    idleTimeoutMs: integer('UPLOAD_IDLE_TIMEOUT_MS', 600_000, 1000, 86_400_000),
  };

  const retention: RetentionConfig = {
    batchDays: integer('BATCH_RETENTION_DAYS', 7, 1, 36_500),
    submitKeyHours: integer('IDEMPOTENCY_KEY_TTL_HOURS', 24, 24, 876_000),
  };

  const allowPrivate = text('CALLBACK_ALLOW_PRIVATE_NETWORKS') ?? 'false';
  if (allowPrivate !== 'true' && allowPrivate !== 'false')
    throw new ConfigError(`CALLBACK_ALLOW_PRIVATE_NETWORKS must be true or false; got '${allowPrivate}'`);
  const callbacks: CallbackConfig = {
    maxAttempts: integer('CALLBACK_MAX_ATTEMPTS', 5, 1, 50),
    timeoutMs: integer('CALLBACK_TIMEOUT_MS', 10_000, 100, 120_000),
    backoffBaseMs: integer('CALLBACK_BACKOFF_BASE_MS', 1000, 10, 3_600_000),
    allowPrivateNetworks: allowPrivate === 'true',
    concurrency: integer('CALLBACK_CONCURRENCY', 16, 1, 1000),
    secretKeys: secretKeys(text('SECRETS_KEY')),
  };

  const enabled = text('WORKER_ENABLED') ?? 'true';
  if (enabled !== 'true' && enabled !== 'false') throw new ConfigError(`WORKER_ENABLED must be true or false; got '${enabled}'`);
  const thread = text('WORKER_THREAD') ?? 'true';
  if (thread !== 'true' && thread !== 'false') throw new ConfigError(`WORKER_THREAD must be true or false; got '${thread}'`);
  const statusCacheEntries = integer('STATUS_CACHE_ENTRIES', 65_536, 0, 10_000_000);

  const worker: WorkerConfig = {
    enabled: enabled === 'true',
    thread: thread === 'true',
    threadNice: integer('WORKER_THREAD_NICE', 10, 0, 19),
    id: text('WORKER_ID') ?? `${os.hostname()}-${process.pid}`.slice(0, 64),
    chunkSize: integer('WORKER_CHUNK_SIZE', DEFAULT_CHUNK_SIZE, 1, 5000),
    leaseMs: integer('WORKER_LEASE_MS', 30_000, 1000, 3_600_000),
    idleMs: integer('WORKER_IDLE_MS', 200, 10, 60_000),
  };

  return {
    port,
    host,
    databaseUrl,
    databasePoolMax,
    databaseMigrate: migrate === 'true',
    databaseDeadlines,
    dataDir,
    auth: loadAuthConfig(text, production),
    logLevel,
    logFormat,
    production,
    metrics,
    jsonBodyMaxBytes,
    bodyTimeoutMs,
    statusCacheEntries,
    upload,
    retention,
    callbacks,
    worker,
  };
}

function secretKeys(raw: string | undefined): SecretKey[] {
  if (raw === undefined) return [];
  try {
    return parseSecretsKey(raw);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}
