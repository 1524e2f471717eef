// Background work: the batch worker (chunks of items through the container handlers, plus
// retention) and the callback dispatcher, started with the application and stopped before the
// store closes.
import {
  BatchProcessingStore,
  BatchReads,
  BatchRetention,
  CallbackOutbox,
  Clock,
  DeliverCallback,
  IdGenerator,
  ProcessBatchChunk,
} from '@container-service/batch-domain';
import { CONTAINER_BATCH_KIND, ContainerStoreProvider, CreateContainerHandler, UpdateContainerHandler } from '@container-service/container-domain';
import { BeforeApplicationShutdown, Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { BatchSubmitted } from '../batches/batch-submitted';
import { CallbackAddressGuard } from '../callbacks/callback-address.guard';
import { StatusCallbackPayloads } from '../callbacks/callback-payloads';
import { HttpCallbackSender } from '../callbacks/http-callback.sender';
import { AppConfig } from '../config/app-config';
import {
  APP_CONFIG,
  BATCH_PROCESSING_STORE,
  BATCH_READS,
  BATCH_RETENTION,
  CALLBACK_GUARD,
  CALLBACK_OUTBOX,
  CLOCK,
  CONTAINER_STORE_PROVIDER,
  ID_GENERATOR,
  LOGGER,
  WORK_EVENTS,
  WORK_WAKEUPS,
} from '../tokens';
import { WorkEvents } from '../metrics/work-events';
import { BatchWorker } from './batch-worker';
import { CallbackDispatcher } from './callback-dispatcher';
import { maintenanceStep } from './maintenance';

/** What the worker needs of the store's wakeups between processes (persistence's WorkWakeups). */
interface WorkListener {
  listen(listener: () => void, onError?: (error: unknown) => void): () => Promise<void>;
}

/**
 * Starts the worker with the application and stops it, chunk in hand finished, before the store
 * closes. Submits of this process wake it at once, and so do those of every other process where
 * the store carries wakeups (PostgreSQL's LISTEN/NOTIFY); polling remains the fallback.
 */
class WorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private stopListening: () => Promise<void> = () => Promise.resolve();

  constructor(
    @Inject(BatchWorker) private readonly worker: BatchWorker<unknown>,
    @Inject(BatchSubmitted) private readonly submitted: BatchSubmitted,
    @Inject(CallbackDispatcher) private readonly callbacks: CallbackDispatcher,
    @Inject(WORK_WAKEUPS) private readonly wakeups: WorkListener | null,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}
  onApplicationBootstrap(): void {
    const wake = () => {
      this.worker.nudge();
      this.callbacks.nudge();
    };
    this.submitted.subscribe(wake);
    if (this.wakeups !== null) {
      this.stopListening = this.wakeups.listen(wake, (error) => this.logger.warn({ err: error }, 'listening for new work was interrupted; listening again'));
    }
    this.worker.start();
    this.callbacks.start();
  }
  async beforeApplicationShutdown(): Promise<void> {
    await this.stopListening();
    await Promise.all([this.worker.stop(), this.callbacks.stop()]);
  }
}

@Module({
  providers: [
    {
      provide: BatchWorker,
      // The store and the container handlers share the store's transaction type; which one it is
      // is the persistence module's business.
      useFactory: (
        store: BatchProcessingStore<unknown>,
        containers: ContainerStoreProvider<unknown>,
        retention: BatchRetention,
        clock: Clock,
        ids: IdGenerator,
        logger: Logger,
        config: AppConfig,
        events: WorkEvents,
      ) => {
        const handlers = { [CONTAINER_BATCH_KIND]: { create: new CreateContainerHandler(containers, ids), update: new UpdateContainerHandler(containers) } };
        const process = new ProcessBatchChunk(store, handlers, clock, config.worker.chunkSize);
        return new BatchWorker(store, process, clock, logger, config.worker, maintenanceStep(retention, config.retention), events);
      },
      inject: [BATCH_PROCESSING_STORE, CONTAINER_STORE_PROVIDER, BATCH_RETENTION, CLOCK, ID_GENERATOR, LOGGER, APP_CONFIG, WORK_EVENTS],
    },
    {
      provide: CallbackDispatcher,
      useFactory: (
        outbox: CallbackOutbox,
        batches: BatchReads,
        guard: CallbackAddressGuard,
        clock: Clock,
        logger: Logger,
        config: AppConfig,
        events: WorkEvents,
      ) => {
        const { callbacks } = config;
        const deliver = new DeliverCallback(
          outbox,
          new StatusCallbackPayloads(batches, clock),
          new HttpCallbackSender(guard, clock, { timeoutMs: callbacks.timeoutMs }),
          clock,
          {
            maxAttempts: callbacks.maxAttempts,
            baseDelayMs: callbacks.backoffBaseMs,
          },
        );
        return new CallbackDispatcher(outbox, deliver, clock, logger.child({ component: 'callbacks' }), {
          owner: config.worker.id,
          kinds: [CONTAINER_BATCH_KIND],
          concurrency: callbacks.concurrency,
          pollMs: config.worker.idleMs,
          // A try ends by its deadline (CALLBACK_TIMEOUT_MS); the lease outlasts it with room to
          // build the payload and record the try, so that no one else sends it meanwhile.
          leaseMs: callbacks.timeoutMs * 2 + 5000,
          events,
        });
      },
      inject: [CALLBACK_OUTBOX, BATCH_READS, CALLBACK_GUARD, CLOCK, LOGGER, APP_CONFIG, WORK_EVENTS],
    },
    WorkerLifecycle,
  ],
})
export class WorkerModule {}
