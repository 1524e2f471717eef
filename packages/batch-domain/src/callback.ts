// Callbacks: where a finished batch is announced, and the delivery of that announcement, retried
// with exponential backoff and jitter until it is accepted or the attempts run out. Deliveries
// are at least once: a worker that dies mid-delivery leaves it to be sent again.
import { BatchLocator } from './batch-repository.port';
import { Clock } from './ports';

/** Where and how to announce a finished batch. The secret signs; it is never shown to anyone. */
export interface CallbackTarget {
  readonly url: string;
  readonly meta: unknown;
  readonly secret: string | null;
  /** The id of the request that submitted the batch, sent back with the callback. */
  readonly requestId: string;
}

/** A callback whose next try is due, leased to the one who claimed it. */
export interface DueCallback {
  readonly locator: BatchLocator;
  readonly target: CallbackTarget;
  /** Tries made so far. */
  readonly attempts: number;
}

export interface CallbackAttempt {
  readonly delivered: boolean;
  readonly error: string | null;
  readonly at: number;
  /** When to try again if the callback is still pending after this try. */
  readonly nextAttemptAt: number;
  readonly maxAttempts: number;
}

export interface CallbackOutbox {
  /** Up to `limit` callbacks of finished batches whose next try is due, leased to `owner` until `leaseUntil`. */
  claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<DueCallback[]>;
  /** Records one try (Batch.recordCallbackAttempt) and when the next one is due, and gives the lease up. */
  recordAttempt(locator: BatchLocator, attempt: CallbackAttempt): Promise<void>;
}

/** Builds what is announced for a finished batch; null when the batch is gone. */
export interface CallbackPayloads {
  payloadFor(due: DueCallback): Promise<unknown>;
}

/** Sends one announcement; expected failures (refused, timed out, not 2xx) are results, not throws. */
export interface CallbackSender {
  send(due: DueCallback, payload: unknown): Promise<{ delivered: boolean; error: string | null }>;
}

export interface DeliverCallbackOptions {
  readonly maxAttempts: number;
  /** The wait after the first failed try; it doubles after each further one. */
  readonly baseDelayMs: number;
  /** A number in [0, 1); spreads retries by ±20 %. */
  readonly random?: () => number;
}

/** base × 2^(tries − 1), ±20 %: 1, 2, 4, 8 s with the default base of 1 s. */
export function callbackBackoff(attemptsMade: number, baseDelayMs: number, random: () => number): number {
  return Math.round(baseDelayMs * 2 ** Math.max(0, attemptsMade - 1) * (0.8 + 0.4 * random()));
}

export class DeliverCallback {
  constructor(
    private readonly outbox: CallbackOutbox,
    private readonly payloads: CallbackPayloads,
    private readonly sender: CallbackSender,
    private readonly clock: Clock,
    private readonly options: DeliverCallbackOptions,
  ) {}

  /** One try at delivering `due`, recorded whatever its outcome. */
  async execute(due: DueCallback): Promise<{ delivered: boolean; error: string | null }> {
    const payload = await this.payloads.payloadFor(due);
    const result = payload === null ? { delivered: false, error: 'the batch no longer exists' } : await this.sender.send(due, payload);
    const at = this.clock.now();
    await this.outbox.recordAttempt(due.locator, {
      ...result,
      at,
      nextAttemptAt: at + callbackBackoff(due.attempts + 1, this.options.baseDelayMs, this.options.random ?? Math.random),
      maxAttempts: this.options.maxAttempts,
    });
    return result;
  }
}
