// The composition root: every port gets its adapter here, every use case its ports.
import {
  AccessVerifier,
  BatchReads,
  BatchWrites,
  CancelBatch,
  Clock,
  DeliverCallback,
  GetBatchStatus,
  IdGenerator,
  ListBatchResults,
  ListBatches,
  ProcessBatchChunk,
  RetryBatch,
  SecretSealer,
  SubmitBatch,
  SubmitBatchFile,
  TargetTypeDirectory,
} from '@container-service/batch-domain';
import {
  ContainerTypeRepository,
  CreateContainerHandler,
  DefineContainerType,
  GetContainer,
  GetContainerType,
  ListContainerTypes,
  ReplaceContainerTypeAttributes,
  UpdateContainerHandler,
  CONTAINER_BATCH_KIND,
  cleanContainerItem,
  containerBatchScope,
  containerFileHeaderProblem,
} from '@container-service/container-domain';
import {
  Database,
  TypeOrmBatchProcessingStore,
  TypeOrmBatchRepository,
  TypeOrmCallbackOutbox,
  TypeOrmContainerReader,
  TypeOrmContainerStoreProvider,
  TypeOrmContainerTypeRepository,
} from '@container-service/persistence-typeorm';
import { BeforeApplicationShutdown, DynamicModule, Global, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { Logger } from 'pino';
import { JwtAccessVerifier } from './auth/jwt-access-verifier';
import { VerificationKey } from './auth/signing-key';
import { BatchControlController } from './batches/batch-control.controller';
import { BatchResultsController } from './batches/batch-results.controller';
import { BatchStatusController } from './batches/batch-status.controller';
import { BatchSubmitController } from './batches/batch-submit.controller';
import { BatchSubmitted } from './batches/batch-submitted';
import { BatchUploadController } from './batches/batch-upload.controller';
import { AppConfig } from './config/app-config';
import { ContainerController } from './containers/container.controller';
import { ContainerTypesController } from './container-types/container-types.controller';
import { HealthController } from './health/health.controller';
import { DomainErrorFilter } from './http/domain-error.filter';
import { ACCESS_VERIFIER, APP_CONFIG, BATCH_REPOSITORY, CALLBACK_GUARD, CLOCK, CONTAINER_TYPE_REPOSITORY, DATABASE, ID_GENERATOR, LOGGER, SECRET_SEALER } from './tokens';
import { AesGcmSecretSealer } from './callbacks/aes-gcm-secret.sealer';
import { CallbackAddressGuard } from './callbacks/callback-address.guard';
import { StatusCallbackPayloads } from './callbacks/callback-payloads';
import { HttpCallbackSender } from './callbacks/http-callback.sender';
import { CallbackDispatcher } from './worker/callback-dispatcher';
import { BatchWorker } from './worker/batch-worker';
import { maintenanceStep } from './worker/maintenance';

export const MAX_JSON_BATCH_ITEMS = 1024;
/** Container types as the batch domain sees them: a tenant has one, or not. */
const typeDirectory = (types: ContainerTypeRepository): TargetTypeDirectory => ({ exists: async (tenantId, name) => (await types.find(tenantId, name)) !== null });


export interface AppDependencies {
  readonly config: AppConfig;
  readonly database: Database;
  readonly verificationKey: VerificationKey;
  readonly logger: Logger;
  readonly clock?: Clock;
}

class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: Database) {}
  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

@Global()
@Module({})
class CoreModule {
  static register(deps: AppDependencies): DynamicModule {
    const providers = [
      { provide: APP_CONFIG, useValue: deps.config },
      { provide: DATABASE, useValue: deps.database },
      { provide: LOGGER, useValue: deps.logger },
      { provide: CLOCK, useValue: deps.clock ?? { now: () => Date.now() } },
      { provide: ID_GENERATOR, useValue: { uuid: () => randomUUID() } satisfies IdGenerator },
      {
        provide: ACCESS_VERIFIER,
        useFactory: (config: AppConfig): AccessVerifier =>
          new JwtAccessVerifier(deps.verificationKey, { issuer: config.auth.issuer, audience: config.auth.audience }),
        inject: [APP_CONFIG],
      },
      {
        provide: BATCH_REPOSITORY,
        useFactory: (db: Database, config: AppConfig, secrets: SecretSealer) => new TypeOrmBatchRepository(db, { statusCacheEntries: config.statusCacheEntries, secrets }),
        inject: [DATABASE, APP_CONFIG, SECRET_SEALER],
      },
      { provide: SECRET_SEALER, useFactory: (config: AppConfig) => new AesGcmSecretSealer(config.callbacks.secretKeys), inject: [APP_CONFIG] },
      { provide: CONTAINER_TYPE_REPOSITORY, useFactory: (db: Database) => new TypeOrmContainerTypeRepository(db), inject: [DATABASE] },
      { provide: CALLBACK_GUARD, useFactory: (config: AppConfig) => new CallbackAddressGuard(config.callbacks.allowPrivateNetworks), inject: [APP_CONFIG] },
      BatchSubmitted,
      DatabaseLifecycle,
    ];
    return {
      module: CoreModule,
      providers,
      exports: [APP_CONFIG, DATABASE, LOGGER, CLOCK, ID_GENERATOR, ACCESS_VERIFIER, BATCH_REPOSITORY, CONTAINER_TYPE_REPOSITORY, CALLBACK_GUARD, SECRET_SEALER, BatchSubmitted],
    };
  }
}

@Module({
  controllers: [BatchStatusController, BatchResultsController, BatchSubmitController, BatchUploadController, BatchControlController],
  providers: [
    {
      provide: GetBatchStatus,
      useFactory: (batches: BatchReads, access: AccessVerifier) => new GetBatchStatus(batches, access, containerBatchScope),
      inject: [BATCH_REPOSITORY, ACCESS_VERIFIER],
    },
    {
      provide: ListBatchResults,
      useFactory: (batches: BatchReads, access: AccessVerifier) => new ListBatchResults(batches, access, containerBatchScope),
      inject: [BATCH_REPOSITORY, ACCESS_VERIFIER],
    },
    {
      provide: SubmitBatch,
      useFactory: (batches: BatchWrites, types: ContainerTypeRepository, access: AccessVerifier, clock: Clock, ids: IdGenerator) =>
        new SubmitBatch(batches, typeDirectory(types), access, clock, ids, {
          ...containerBatchScope,
          targetTypeNotFoundCode: 'CONTAINER_TYPE_NOT_FOUND',
          maxItems: MAX_JSON_BATCH_ITEMS,
          referenceField: { create: 'refID', update: 'containerId' },
          cleanItem: cleanContainerItem,
        }),
      inject: [BATCH_REPOSITORY, CONTAINER_TYPE_REPOSITORY, ACCESS_VERIFIER, CLOCK, ID_GENERATOR],
    },
    {
      provide: CancelBatch,
      useFactory: (batches: BatchWrites, access: AccessVerifier, clock: Clock) => new CancelBatch(batches, access, containerBatchScope, clock),
      inject: [BATCH_REPOSITORY, ACCESS_VERIFIER, CLOCK],
    },
    {
      provide: RetryBatch,
      useFactory: (batches: BatchReads & BatchWrites, access: AccessVerifier, clock: Clock, ids: IdGenerator) =>
        new RetryBatch(batches, batches, access, containerBatchScope, clock, ids),
      inject: [BATCH_REPOSITORY, ACCESS_VERIFIER, CLOCK, ID_GENERATOR],
    },
    {
      provide: ListBatches,
      useFactory: (batches: BatchReads, types: ContainerTypeRepository, access: AccessVerifier) =>
        new ListBatches(batches, typeDirectory(types), access, containerBatchScope),
      inject: [BATCH_REPOSITORY, CONTAINER_TYPE_REPOSITORY, ACCESS_VERIFIER],
    },
    {
      provide: SubmitBatchFile,
      useFactory: (batches: BatchWrites, types: ContainerTypeRepository, access: AccessVerifier, clock: Clock, ids: IdGenerator, config: AppConfig) =>
        new SubmitBatchFile(batches, typeDirectory(types), access, clock, ids, {
          ...containerBatchScope,
          targetTypeNotFoundCode: 'CONTAINER_TYPE_NOT_FOUND',
          referenceField: { create: 'refID', update: 'containerId' },
          checkColumns: containerFileHeaderProblem,
          maxRows: config.upload.maxRows,
          intakeIdleMs: config.upload.idleTimeoutMs,
        }),
      inject: [BATCH_REPOSITORY, CONTAINER_TYPE_REPOSITORY, ACCESS_VERIFIER, CLOCK, ID_GENERATOR, APP_CONFIG],
    },
  ],
})
class BatchesModule {}

@Module({
  controllers: [ContainerTypesController, ContainerController],
  providers: [
    {
      provide: DefineContainerType,
      useFactory: (types: ContainerTypeRepository, access: AccessVerifier, clock: Clock) => new DefineContainerType(types, access, clock),
      inject: [CONTAINER_TYPE_REPOSITORY, ACCESS_VERIFIER, CLOCK],
    },
    {
      provide: GetContainerType,
      useFactory: (types: ContainerTypeRepository, access: AccessVerifier) => new GetContainerType(types, access),
      inject: [CONTAINER_TYPE_REPOSITORY, ACCESS_VERIFIER],
    },
    {
      provide: ListContainerTypes,
      useFactory: (types: ContainerTypeRepository, access: AccessVerifier) => new ListContainerTypes(types, access),
      inject: [CONTAINER_TYPE_REPOSITORY, ACCESS_VERIFIER],
    },
    {
      provide: ReplaceContainerTypeAttributes,
      useFactory: (types: ContainerTypeRepository, access: AccessVerifier, clock: Clock) => new ReplaceContainerTypeAttributes(types, access, clock),
      inject: [CONTAINER_TYPE_REPOSITORY, ACCESS_VERIFIER, CLOCK],
    },
    {
      provide: GetContainer,
      useFactory: (db: Database, access: AccessVerifier) => new GetContainer(new TypeOrmContainerReader(db), access),
      inject: [DATABASE, ACCESS_VERIFIER],
    },
  ],
})
class ContainersModule {}

@Module({ controllers: [HealthController] })
class HealthModule {}

/** Starts the worker with the application and stops it, chunk in hand finished, before the store closes. */
class WorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(BatchWorker) private readonly worker: BatchWorker<unknown>,
    @Inject(BatchSubmitted) private readonly submitted: BatchSubmitted,
    @Inject(CallbackDispatcher) private readonly callbacks: CallbackDispatcher,
  ) {}
  onApplicationBootstrap(): void {
    this.submitted.subscribe(() => {
      this.worker.nudge();
      this.callbacks.nudge();
    });
    this.worker.start();
    this.callbacks.start();
  }
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.worker.stop(), this.callbacks.stop()]);
  }
}

@Module({
  providers: [
    {
      provide: BatchWorker,
      useFactory: (db: Database, clock: Clock, ids: IdGenerator, logger: Logger, config: AppConfig) => {
        const store = new TypeOrmBatchProcessingStore(db);
        const containers = new TypeOrmContainerStoreProvider();
        const handlers = { [CONTAINER_BATCH_KIND]: { create: new CreateContainerHandler(containers, ids), update: new UpdateContainerHandler(containers) } };
        const process = new ProcessBatchChunk(store, handlers, clock, config.worker.chunkSize);
        return new BatchWorker(store, process, clock, logger, config.worker, maintenanceStep(new TypeOrmBatchRepository(db), config.retention));
      },
      inject: [DATABASE, CLOCK, ID_GENERATOR, LOGGER, APP_CONFIG],
    },
    {
      provide: CallbackDispatcher,
      useFactory: (db: Database, batches: BatchReads, guard: CallbackAddressGuard, clock: Clock, logger: Logger, config: AppConfig, secrets: SecretSealer) => {
        const outbox = new TypeOrmCallbackOutbox(db, secrets);
        const { callbacks } = config;
        const deliver = new DeliverCallback(outbox, new StatusCallbackPayloads(batches), new HttpCallbackSender(guard, clock, { timeoutMs: callbacks.timeoutMs }), clock, {
          maxAttempts: callbacks.maxAttempts,
          baseDelayMs: callbacks.backoffBaseMs,
        });
        return new CallbackDispatcher(outbox, deliver, clock, logger.child({ component: 'callbacks' }), {
          owner: config.worker.id,
          concurrency: callbacks.concurrency,
          pollMs: config.worker.idleMs,
          // A try ends by its deadline (CALLBACK_TIMEOUT_MS); the lease outlasts it with room to
          // build the payload and record the try, so that no one else sends it meanwhile.
          leaseMs: callbacks.timeoutMs * 2 + 5000,
        });
      },
      inject: [DATABASE, BATCH_REPOSITORY, CALLBACK_GUARD, CLOCK, LOGGER, APP_CONFIG, SECRET_SEALER],
    },
    WorkerLifecycle,
  ],
})
export class WorkerModule {}

@Module({})
export class AppModule {
  static register(deps: AppDependencies, options: { http: boolean } = { http: true }): DynamicModule {
    const features = options.http ? [BatchesModule, ContainersModule, HealthModule] : [];
    return {
      module: AppModule,
      imports: [CoreModule.register(deps), ...features, ...(deps.config.worker.enabled ? [WorkerModule] : [])],
      providers: [
        {
          provide: APP_FILTER,
          useFactory: (logger: Logger, database: Database) => new DomainErrorFilter(logger, (exception) => database.noteFailure(exception)),
          inject: [LOGGER, DATABASE],
        },
      ],
    };
  }
}
