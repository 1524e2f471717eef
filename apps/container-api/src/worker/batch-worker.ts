// The worker loop: take a part of a batch under a lease (other workers, here or in other
// processes, take its other parts), process it chunk by chunk (renewing the lease once a third of
// it has passed and yielding to the event loop so status reads stay fast), give the lease up,
// look for the next. After each chunk it hands the part back when another tenant has work
// waiting, so that the claim's round robin lets that tenant in (contract §10). A worker that dies
// simply stops renewing; its part is taken up again when the lease expires, at its first
// unprocessed item. On stop it finishes the chunk in hand.
// It claims only batches of the kinds its processor has handlers for. Between batches it also
// runs maintenance (such as removing abandoned uploads) in small steps.
import { BatchLease, BatchProcessingStore, Clock, ProcessBatchChunk } from '@container-service/batch-domain';
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { Logger } from 'pino';
import { WorkerConfig } from '../config/app-config';
import { NO_WORK_EVENTS, WorkEvents } from '../metrics/work-events';

/** One small step of upkeep; the number of rows it removed, 0 when there was nothing to do. */
export type MaintenanceStep = (now: number) => Promise<number>;

/** How long the worker waits before looking for upkeep again once there was none. */
export const MAINTENANCE_INTERVAL_MS = 10_000;

export class BatchWorker<Tx> {
  private stopping = false;
  private nextMaintenance = 0;
  private running: Promise<void> | null = null;
  private wake: AbortController = new AbortController();
  /** A nudge came while the worker was not waiting: the next wait is skipped. */
  private nudged = false;

  constructor(
    private readonly store: BatchProcessingStore<Tx>,
    private readonly process: ProcessBatchChunk<Tx>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly config: WorkerConfig,
    private readonly maintenance: MaintenanceStep = () => Promise.resolve(0),
    /** Told of items recorded and parts taken over, as they happen. */
    private readonly events: WorkEvents = NO_WORK_EVENTS,
  ) {}

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
    this.logger.info({ worker: this.config.id }, 'batch worker started');
  }

  /** Finishes the chunk in hand, gives its lease up, and resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.nudge();
    await this.running;
    this.running = null;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        const now = this.clock.now();
        if (now >= this.nextMaintenance) {
          const removed = await this.maintenance(now);
          this.nextMaintenance = removed > 0 ? now : now + MAINTENANCE_INTERVAL_MS;
          if (removed > 0) this.logger.debug({ worker: this.config.id, removed }, 'maintenance step done');
        }
        const lease = await this.store.claim(this.config.id, this.process.kinds, now, now + this.config.leaseMs);
        if (lease === null) {
          await this.idle(this.config.idleMs);
          continue;
        }
        await this.work(lease);
      } catch (error) {
        this.logger.error({ err: error, worker: this.config.id }, 'batch processing failed; retrying shortly');
        await this.idle(1000);
      }
    }
  }

  private async work(lease: BatchLease): Promise<void> {
    const log = this.logger.child({ worker: this.config.id, batchId: lease.locator.batchId, tenant: lease.locator.tenantId, part: lease.part });
    if (lease.takenOver === true) {
      this.events.leaseTakenOver();
      log.info('part taken over: the lease of the worker that had it expired');
    } else {
      log.debug('part taken');
    }
    let current = lease;
    // False once the lease must stay (a failed chunk) or is gone already (the batch finished).
    let release = true;
    try {
      while (!this.stopping) {
        let report;
        try {
          report = await this.process.execute(current);
        } catch (error) {
          // The store failed (an item that throws is settled inside the chunk, ADR 0013). Keep the
          // lease, so that this batch rests until it expires and other batches go on meanwhile;
          // then it is retried from its first pending item.
          log.error({ err: error }, 'chunk failed and was rolled back; the part is retried when its lease expires');
          release = false;
          await this.store.renew(current, this.clock.now(), this.clock.now() + this.config.leaseMs).catch(() => false);
          return;
        }
        if (report.processed > 0) this.events.itemsProcessed(report.processed - (report.failed ?? 0), report.failed ?? 0);
        for (const failure of report.unexpected ?? []) {
          log.warn({ err: failure.error, refId: failure.refId, seq: failure.seq }, 'item failed unexpectedly on every try; recorded as PROCESSING_ERROR');
        }
        if (report.superseded) {
          log.info('items of the part were taken meanwhile (a cancel, or a lease taken over); moving on');
          return;
        }
        if (report.batchFinished) {
          const { status, counts, durationMs } = report.batchFinished;
          log.info({ status, ...counts, durationMs }, 'batch finished');
        }
        if (report.done) {
          log.debug('part done');
          // The chunk that finished the part ended its lease in the same commit.
          release = !report.leaseEnded;
          return;
        }
        // One read on the reader connection: alone, a tenant keeps its batch and pays no more.
        const now = this.clock.now();
        if (await this.store.othersWaiting(current.locator.tenantId, this.process.kinds, now)) {
          log.debug('another tenant has work waiting; part handed back');
          return;
        }
        // Renewing is a write of its own: do it once a third of the lease has passed, not after
        // every chunk, so that a chunk costs one commit.
        if (current.expiresAt - now < (this.config.leaseMs * 2) / 3) {
          const expiresAt = now + this.config.leaseMs;
          if (!(await this.store.renew(current, now, expiresAt))) {
            log.warn('lease lost; another worker has the part');
            return;
          }
          current = { ...current, expiresAt };
        }
        await yieldToEventLoop();
      }
    } finally {
      if (release) await this.store.release(current).catch((error: unknown) => log.error({ err: error }, 'could not release the lease'));
    }
  }

  /** Waits `ms`, or until nudged; a nudge that came since the last wait ends this one at once. */
  private async idle(ms: number): Promise<void> {
    if (this.nudged) {
      this.nudged = false;
      return;
    }
    this.wake = new AbortController();
    await sleep(ms, undefined, { signal: this.wake.signal }).catch(() => undefined);
    this.nudged = false;
  }

  /** Cuts the idle wait short, for example right after a submit. */
  nudge(): void {
    this.nudged = true;
    this.wake.abort();
  }
}
