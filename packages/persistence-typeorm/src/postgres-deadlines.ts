// How long PostgreSQL may keep a caller waiting. A server that is down answers at once (the
// connection is refused), but one that is frozen, overloaded or behind a network black hole
// (packets dropped, no reset) answers nothing, and node-postgres then waits forever: a request
// would hang instead of answering 503, a worker would hold its claim. These bounds turn that
// silence into a store fault within a few seconds (contract §12):
// - getting a connection (a new one's connect and login, or a free one from the pool) is bounded
//   by node-postgres' connectionTimeoutMillis;
// - a statement that goes unanswered past its deadline drops its connection. Dropping, not just
//   failing the call: node-postgres' own query_timeout fails the call but leaves the statement
//   running on the connection and the connection in the pool, where a later write could find
//   the server still inside the old transaction (and commit it with its own).
// TCP keepalive also finds connections that died in silence while idle in the pool.
import { Client } from 'pg';

export interface PostgresDeadlines {
  /** Milliseconds to get a connection: connect and log in, or wait for a free one in the pool. */
  readonly connectTimeoutMs: number;
  /** Milliseconds one statement may go unanswered before its connection is dropped; 0: no limit. */
  readonly queryTimeoutMs: number;
}

/** Connect and login take milliseconds on a LAN and well under a second to a managed server with TLS. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
/**
 * The service's statements take milliseconds (chunks of at most a few thousand rows); 5 s leaves
 * room for lock waits under load, and with the connect bound keeps a request under 10 s.
 */
export const DEFAULT_QUERY_TIMEOUT_MS = 5_000;
/** Idle time before the first keepalive probe: a peer gone in silence is found without traffic. */
export const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

/** A statement that got no answer in time; its connection was dropped. ETIMEDOUT, as a socket's. */
export class StatementTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`PostgreSQL did not answer a statement within ${String(ms)} ms; the connection was dropped`);
    this.name = 'StatementTimeoutError';
  }
}

type QueryFunction = (...args: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/unbound-method -- only ever applied to a client, below
const baseQuery = Client.prototype.query as QueryFunction;

/** A pg Client whose statements have a deadline (see the top of this file). */
export class DeadlineClient extends Client {
  /** Set through withoutDeadline, for statements that may rightly run long (migrations). */
  private exempt = false;

  constructor(
    config: ConstructorParameters<typeof Client>[0],
    private readonly deadlineMs: number,
  ) {
    super(config);
  }

  /** pg-pool builds clients from `new Client(options)`: this binds the deadline into that. */
  static withDeadline(deadlineMs: number): typeof Client {
    return class extends DeadlineClient {
      constructor(config: ConstructorParameters<typeof Client>[0]) {
        super(config, deadlineMs);
      }
    };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same overloads as Client.query; the base's are unchanged
  override query(...args: unknown[]): any {
    const first = args[0] as { submit?: unknown } | null | undefined;
    // A submittable (a cursor or a stream) reads rows as the caller pulls them: no deadline fits.
    if (this.exempt || this.deadlineMs <= 0 || typeof first?.submit === 'function') return baseQuery.apply(this, args);
    const timer = setTimeout(() => {
      this.drop(new StatementTimeoutError(this.deadlineMs));
    }, this.deadlineMs);
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (...answer: unknown[]) => {
        clearTimeout(timer);
        (callback as QueryFunction)(...answer);
      };
      return baseQuery.apply(this, args);
    }
    return (baseQuery.apply(this, args) as Promise<unknown>).finally(() => {
      clearTimeout(timer);
    });
  }

  /**
   * Destroys the socket with `error`: node-postgres fails every statement of this client with it
   * and emits 'error', upon which the pool (or TypeORM's query runner holding it) discards it.
   */
  private drop(error: Error): void {
    (this as unknown as { connection: { stream: { destroy(error?: Error): void } } }).connection.stream.destroy(error);
  }

  /** Runs `work` with the deadline lifted on `connection` when it is a DeadlineClient. */
  static async withoutDeadline<T>(connection: unknown, work: () => Promise<T>): Promise<T> {
    if (!(connection instanceof DeadlineClient)) return work();
    connection.exempt = true;
    try {
      return await work();
    } finally {
      connection.exempt = false;
    }
  }
}
