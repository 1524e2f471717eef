// Callbacks: where a finished batch is announced, and the delivery of that announcement, retried
// with exponential backoff and jitter until it is accepted or the attempts run out. Deliveries
// are at least once: a worker that dies mid-delivery leaves it to be sent again. Callback slots
// are shared fairly between tenants (pickFairly), so that one tenant's slow receivers never
// keep another tenant's callbacks waiting.
import { BatchLocator } from './batch-repository.port';
import { Clock } from './ports';
import { Result } from './result';

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
  /**
   * Set when this callback can never be sent as stored (its secret cannot be opened, for
   * example because it was sealed under a key no longer configured): the try fails for good,
   * with this as its error, and nothing is sent.
   */
  readonly undeliverable?: string;
}

/** What a dispatcher holds already, so that a claim leaves every tenant its fair share. */
export interface CallbackShare {
  /** All the dispatcher's slots (CALLBACK_CONCURRENCY). */
  readonly slots: number;
  /** Its tries in flight, by tenant. */
  readonly busy: ReadonlyMap<string, number>;
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
  /**
   * Up to `limit` callbacks of finished batches of `kinds` whose next try is due, leased to
   * `owner` until `leaseUntil`, taken in turns between tenants (each tenant's oldest first) and,
   * given a `share`, never more for a tenant than pickFairly allows. A dispatcher names the kinds
   * it builds payloads for, so that another kind's callbacks wait for their own dispatcher.
   */
  claimDue(owner: string, kinds: readonly string[], now: number, leaseUntil: number, limit: number, share?: CallbackShare): Promise<DueCallback[]>;
  /**
   * Records one try (Batch.recordCallbackAttempt) and when the next one is due, and gives the
   * lease up. Once the callback is final (delivered, or failed for good) its secret is dropped.
   */
  recordAttempt(locator: BatchLocator, attempt: CallbackAttempt): Promise<void>;
  /** Gives the lease of `owner` up without counting a try: the callback is due again at once. */
  releaseClaim(locator: BatchLocator, owner: string): Promise<void>;
}

/**
 * Keeps callback secrets unreadable at rest. `seal` gives what is stored; `open` gives the
 * secret back, or says why it cannot (a value sealed under a key that is not configured). A
 * value that was never sealed (stored before sealing was turned on) opens as itself.
 */
export interface SecretSealer {
  seal(secret: string): string;
  open(stored: string): Result<string, string>;
}

/**
 * The most slots one tenant may hold: all but one slot split evenly between the tenants that
 * wait or have tries in flight. The slot kept free lets a tenant who turns up start at once
 * instead of waiting for another's slow receivers, while a tenant alone still gets nearly every
 * slot. Never less than one.
 */
export function fairShare(slots: number, tenants: number): number {
  return Math.max(1, Math.floor((slots - 1) / Math.max(1, tenants)));
}

/**
 * Picks up to `limit` of `candidates` (ordered in turns between tenants, as claimDue hands them
 * out) so that, with the tries in flight, no tenant holds more than its fair share.
 */
export function pickFairly<T extends { readonly tenantId: string }>(candidates: readonly T[], limit: number, share?: CallbackShare): T[] {
  if (!share) return candidates.slice(0, Math.max(0, limit));
  const tenants = new Set(candidates.map((candidate) => candidate.tenantId));
  for (const [tenant, busy] of share.busy) if (busy > 0) tenants.add(tenant);
  const cap = fairShare(share.slots, tenants.size);
  const held = new Map(share.busy);
  const picked: T[] = [];
  for (const candidate of candidates) {
    if (picked.length >= limit) break;
    const holding = held.get(candidate.tenantId) ?? 0;
    if (holding >= cap) continue;
    held.set(candidate.tenantId, holding + 1);
    picked.push(candidate);
  }
  return picked;
}

/** Builds what is announced for a finished batch; null when the batch is gone. */
export interface CallbackPayloads {
  payloadFor(due: DueCallback): Promise<unknown>;
}

/**
 * Sends one announcement; expected failures (refused, timed out, not 2xx) are results, not
 * throws. A try ends within a bounded time, and at once when `signal` aborts.
 */
export interface CallbackSender {
  send(due: DueCallback, payload: unknown, signal?: AbortSignal): Promise<{ delivered: boolean; error: string | null }>;
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

  /**
   * One try at delivering `due` (leased to `owner`), recorded whatever its outcome. A try that
   * `signal` interrupts (the process is stopping) is not counted: the receiver was not judged, so
   * the lease is given up and whoever holds the outbox next tries again at once. A delivery
   * made before the interruption still counts.
   */
  async execute(due: DueCallback, owner: string, signal?: AbortSignal): Promise<{ delivered: boolean; error: string | null; interrupted: boolean }> {
    let result: { delivered: boolean; error: string | null };
    // No try can mend it: this one is the last.
    let maxAttempts = this.options.maxAttempts;
    if (due.undeliverable !== undefined) {
      result = { delivered: false, error: due.undeliverable };
      maxAttempts = due.attempts + 1;
    } else {
      const payload = await this.payloads.payloadFor(due);
      result = payload === null ? { delivered: false, error: 'the batch no longer exists' } : await this.sender.send(due, payload, signal);
      if (!result.delivered && signal?.aborted) {
        await this.outbox.releaseClaim(due.locator, owner);
        return { ...result, interrupted: true };
      }
    }
    const at = this.clock.now();
    await this.outbox.recordAttempt(due.locator, {
      ...result,
      at,
      nextAttemptAt: at + callbackBackoff(due.attempts + 1, this.options.baseDelayMs, this.options.random ?? Math.random),
      maxAttempts,
    });
    return { ...result, interrupted: false };
  }
}
