// Delivers finished batches' callbacks in the background, apart from batch processing: it claims
// due callbacks under a lease, sends up to `concurrency` at once without waiting for slow
// receivers before claiming more, and records every try. Pending deliveries live in the store,
// so a restart picks them up again.
import { CallbackOutbox, Clock, DeliverCallback } from '@container-service/batch-domain';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from 'pino';

export interface CallbackDispatcherOptions {
  readonly owner: string;
  readonly concurrency: number;
  readonly pollMs: number;
  /** How long a claimed callback stays with this dispatcher: longer than one try can take. */
  readonly leaseMs: number;
}

export class CallbackDispatcher {
  private stopping = false;
  private running: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private wake = new AbortController();

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
    this.running = this.loop();
  }

  /** Stops claiming, and waits for the tries in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    await this.running;
    await Promise.allSettled([...this.inFlight]);
    this.running = null;
  }

  nudge(): void {
    this.wake.abort();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        const free = this.options.concurrency - this.inFlight.size;
        if (free > 0) {
          const now = this.clock.now();
          const due = await this.outbox.claimDue(this.options.owner, now, now + this.options.leaseMs, free);
          for (const callback of due) {
            const attempt = this.deliver
              .execute(callback)
              .then((result) => {
                const log = this.logger.child({ batchId: callback.locator.batchId, tenant: callback.locator.tenantId, attempt: callback.attempts + 1 });
                if (result.delivered) log.info('callback delivered');
                else log.warn({ error: result.error }, 'callback not delivered');
              })
              .catch((error: unknown) => this.logger.error({ err: error, batchId: callback.locator.batchId }, 'callback try could not be recorded'))
              .finally(() => {
                this.inFlight.delete(attempt);
                this.nudge();
              });
            this.inFlight.add(attempt);
          }
        }
      } catch (error) {
        this.logger.error({ err: error }, 'claiming callbacks failed; retrying shortly');
      }
      if (this.wake.signal.aborted) this.wake = new AbortController();
      await sleep(this.options.pollMs, undefined, { signal: this.wake.signal }).catch(() => undefined);
    }
  }
}
