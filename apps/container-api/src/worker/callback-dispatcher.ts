// Delivers finished batches' callbacks in the background, apart from batch processing: it claims
// due callbacks under a lease, sends up to `concurrency` at once without waiting for slow
// receivers before claiming more, and records every try. Pending deliveries live in the store,
// so a restart picks them up again.
//
// Slow receivers hold only their own tries: every try ends by the sender's deadline, the lease
// outlasts that deadline (so no other dispatcher sends the same callback meanwhile, and this one
// never takes up again a callback it is still sending), and no tenant gets more than its fair
// share of the slots (pickFairly). On stop, tries in flight are cut short and handed back
// uncounted, so that stopping never waits for a receiver.
import { CallbackOutbox, Clock, DeliverCallback, DueCallback } from '@container-service/batch-domain';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from 'pino';
import { NO_WORK_EVENTS, WorkEvents } from '../metrics/work-events';

export interface CallbackDispatcherOptions {
  readonly owner: string;
  /** The kinds of batch whose callbacks this dispatcher builds payloads for. */
  readonly kinds: readonly string[];
  readonly concurrency: number;
  readonly pollMs: number;
  /** How long a claimed callback stays with this dispatcher: longer than one try can take. */
  readonly leaseMs: number;
  /** Told of every try judged (delivered or not); tries cut short by a stop are not. */
  readonly events?: WorkEvents;
}

/** The wait after a failed claim (the store unreachable, say), so that an outage is not logged every poll. */
export const RETRY_AFTER_FAILURE_MS = 1000;

const keyOf = (due: DueCallback) => `${due.locator.tenantId}\u0000${due.locator.batchId}`;

export class CallbackDispatcher {
  private stopping = false;
  private running: Promise<void> | null = null;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly busy = new Map<string, number>();
  private wake = new AbortController();
  private halt = new AbortController();

  constructor(
    private readonly outbox: CallbackOutbox,
    private readonly deliver: DeliverCallback,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: CallbackDispatcherOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.halt = new AbortController();
    this.running = this.loop();
  }

  /** Stops claiming, cuts the tries in flight short, and waits until each is recorded or handed back. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    this.halt.abort();
    await this.running;
    await Promise.allSettled([...this.inFlight.values()]);
    this.running = null;
  }

  nudge(): void {
    this.wake.abort();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let wait = this.options.pollMs;
      try {
        const free = this.options.concurrency - this.inFlight.size;
        if (free > 0) {
          const now = this.clock.now();
          const due = await this.outbox.claimDue(this.options.owner, this.options.kinds, now, now + this.options.leaseMs, free, {
            slots: this.options.concurrency,
            busy: this.busy,
          });
          // A callback this dispatcher is still sending is never sent again alongside: the claim
          // just renewed its lease, which is all it needed.
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may have set it while claimDue was awaited
          for (const callback of due) if (!this.inFlight.has(keyOf(callback)) && !this.stopping) this.track(callback);
        }
      } catch (error) {
        this.logger.error({ err: error }, 'claiming callbacks failed; retrying shortly');
        wait = Math.max(wait, RETRY_AFTER_FAILURE_MS);
      }
      if (this.wake.signal.aborted) this.wake = new AbortController();
      await sleep(wait, undefined, { signal: this.wake.signal }).catch(() => undefined);
    }
  }

  private track(callback: DueCallback): void {
    const key = keyOf(callback);
    const tenant = callback.locator.tenantId;
    this.busy.set(tenant, (this.busy.get(tenant) ?? 0) + 1);
    const attempt = this.deliver
      .execute(callback, this.options.owner, this.halt.signal)
      .then((result) => {
        const log = this.logger.child({ batchId: callback.locator.batchId, tenant, attempt: callback.attempts + 1 });
        if (!result.interrupted) (this.options.events ?? NO_WORK_EVENTS).callbackAttempted(result.delivered);
        if (result.delivered) log.info('callback delivered');
        else if (result.interrupted) log.info('callback try cut short by the stop; it is tried again later');
        else log.warn({ error: result.error }, 'callback not delivered');
      })
      .catch((error: unknown) => this.logger.error({ err: error, batchId: callback.locator.batchId }, 'callback try could not be recorded'))
      .finally(() => {
        this.inFlight.delete(key);
        const left = (this.busy.get(tenant) ?? 1) - 1;
        if (left > 0) this.busy.set(tenant, left);
        else this.busy.delete(tenant);
        this.nudge();
      });
    this.inFlight.set(key, attempt);
  }
}
