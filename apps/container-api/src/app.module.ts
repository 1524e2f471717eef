// The composition root: every port gets its adapter here, every use case its ports.
import { AccessVerifier, BatchRepository, Clock, GetBatchStatus } from '@container-service/batch-domain';
import {
  ContainerTypeRepository,
  DefineContainerType,
  GetContainerType,
  ListContainerTypes,
  containerTypeNameRule,
} from '@container-service/container-domain';
import { Database, TypeOrmBatchRepository, TypeOrmContainerTypeRepository } from '@container-service/persistence-typeorm';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Logger } from 'pino';
import { JwtAccessVerifier } from './auth/jwt-access-verifier';
import { VerificationKey } from './auth/signing-key';
import { BatchStatusController } from './batches/batch-status.controller';
import { AppConfig } from './config/app-config';
import { ContainerTypesController } from './container-types/container-types.controller';
import { HealthController } from './health/health.controller';
import { CallerGuard } from './http/caller.guard';
import { DomainErrorFilter } from './http/domain-error.filter';
import {
  ACCESS_VERIFIER,
  APP_CONFIG,
  BATCH_REPOSITORY,
  CLOCK,
  CONTAINER_TYPE_REPOSITORY,
  DATABASE,
  LOGGER,
} from './tokens';

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
      {
        provide: ACCESS_VERIFIER,
        useFactory: (config: AppConfig): AccessVerifier =>
          new JwtAccessVerifier(deps.verificationKey, { issuer: config.auth.issuer, audience: config.auth.audience }),
        inject: [APP_CONFIG],
      },
      DatabaseLifecycle,
    ];
    return { module: CoreModule, providers, exports: [APP_CONFIG, DATABASE, LOGGER, CLOCK, ACCESS_VERIFIER] };
  }
}

@Module({
  controllers: [BatchStatusController],
  providers: [
    { provide: BATCH_REPOSITORY, useFactory: (db: Database) => new TypeOrmBatchRepository(db), inject: [DATABASE] },
    {
      provide: GetBatchStatus,
      useFactory: (batches: BatchRepository, access: AccessVerifier) => new GetBatchStatus(batches, access, { targetType: containerTypeNameRule }),
      inject: [BATCH_REPOSITORY, ACCESS_VERIFIER],
    },
  ],
})
class BatchesModule {}

@Module({
  controllers: [ContainerTypesController],
  providers: [
    { provide: CONTAINER_TYPE_REPOSITORY, useFactory: (db: Database) => new TypeOrmContainerTypeRepository(db), inject: [DATABASE] },
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
  ],
})
class ContainerTypesModule {}

@Module({ controllers: [HealthController] })
class HealthModule {}

@Module({})
export class AppModule {
  static register(deps: AppDependencies): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.register(deps), BatchesModule, ContainerTypesModule, HealthModule],
      providers: [
        { provide: APP_GUARD, useClass: CallerGuard },
        { provide: APP_FILTER, useFactory: (logger: Logger) => new DomainErrorFilter(logger), inject: [LOGGER] },
      ],
    };
  }
}
