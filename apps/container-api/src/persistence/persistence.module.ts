// The one place where persistence adapters are built: every port the app uses, from the one
// `Database` the process opened. A second store means a second version of this list, not edits
// in the feature modules, which see ports only.
import { SecretSealer } from '@container-service/batch-domain';
import {
  Database,
  TypeOrmBatchBacklog,
  TypeOrmBatchProcessingStore,
  TypeOrmBatchRepository,
  TypeOrmCallbackOutbox,
  TypeOrmContainerReader,
  TypeOrmContainerStoreProvider,
  TypeOrmContainerTypeRepository,
} from '@container-service/persistence-typeorm';
import { DynamicModule, Global, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { BatchSubmitted } from '../batches/batch-submitted';
import { AppConfig } from '../config/app-config';
import {
  APP_CONFIG,
  BATCH_BACKLOG,
  BATCH_PROCESSING_STORE,
  BATCH_READS,
  BATCH_RETENTION,
  BATCH_WRITES,
  CALLBACK_OUTBOX,
  CONTAINER_READER,
  CONTAINER_STORE_PROVIDER,
  CONTAINER_TYPE_REPOSITORY,
  DATABASE,
  LOGGER,
  SECRET_SEALER,
  WORK_WAKEUPS,
} from '../tokens';

/** Closes the store last, once everything that writes to it has stopped. */
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: Database) {}
  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

/**
 * Where the store carries wakeups between processes (PostgreSQL), every submit of this process is
 * announced to the workers of all of them once it is stored; a lost announcement only leaves the
 * work to their next poll.
 */
class WorkAnnouncer implements OnApplicationBootstrap {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(BatchSubmitted) private readonly submitted: BatchSubmitted,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}
  onApplicationBootstrap(): void {
    const wakeups = this.database.wakeups;
    if (wakeups === null) return;
    this.submitted.subscribe(() => {
      wakeups.announce().catch((error: unknown) => this.logger.debug({ err: error }, 'could not announce new work; workers find it at their next poll'));
    });
  }
}

@Global()
@Module({})
export class PersistenceModule {
  /** `announceWork`: this process takes submits (HTTP), so it tells the workers of every process about them. */
  static register(database: Database, options: { announceWork: boolean } = { announceWork: true }): DynamicModule {
    return {
      module: PersistenceModule,
      providers: [
        { provide: DATABASE, useValue: database },
        { provide: WORK_WAKEUPS, useValue: database.wakeups },
        // One batch adapter serves the three batch ports, so that the status cache it keeps is one.
        {
          provide: BATCH_READS,
          useFactory: (db: Database, config: AppConfig, secrets: SecretSealer) =>
            new TypeOrmBatchRepository(db, { statusCacheEntries: config.statusCacheEntries, secrets }),
          inject: [DATABASE, APP_CONFIG, SECRET_SEALER],
        },
        { provide: BATCH_WRITES, useExisting: BATCH_READS },
        { provide: BATCH_RETENTION, useExisting: BATCH_READS },
        { provide: BATCH_BACKLOG, useFactory: (db: Database) => new TypeOrmBatchBacklog(db), inject: [DATABASE] },
        { provide: BATCH_PROCESSING_STORE, useFactory: (db: Database) => new TypeOrmBatchProcessingStore(db), inject: [DATABASE] },
        {
          provide: CALLBACK_OUTBOX,
          useFactory: (db: Database, secrets: SecretSealer) => new TypeOrmCallbackOutbox(db, secrets),
          inject: [DATABASE, SECRET_SEALER],
        },
        { provide: CONTAINER_TYPE_REPOSITORY, useFactory: (db: Database) => new TypeOrmContainerTypeRepository(db), inject: [DATABASE] },
        { provide: CONTAINER_READER, useFactory: (db: Database) => new TypeOrmContainerReader(db), inject: [DATABASE] },
        { provide: CONTAINER_STORE_PROVIDER, useFactory: () => new TypeOrmContainerStoreProvider() },
        DatabaseLifecycle,
        ...(options.announceWork ? [WorkAnnouncer] : []),
      ],
      exports: [
        DATABASE,
        WORK_WAKEUPS,
        BATCH_READS,
        BATCH_WRITES,
        BATCH_RETENTION,
        BATCH_BACKLOG,
        BATCH_PROCESSING_STORE,
        CALLBACK_OUTBOX,
        CONTAINER_TYPE_REPOSITORY,
        CONTAINER_READER,
        CONTAINER_STORE_PROVIDER,
      ],
    };
  }
}
