// The composition root: the shared core, one persistence module that builds every adapter from
// the process's one `Database`, and the feature modules this process serves (HTTP routes, the
// background worker, or both).
import { Database } from '@container-service/persistence-typeorm';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Logger } from 'pino';
import { BatchesModule } from './batches/batches.module';
import { ContainersModule } from './container-types/containers.module';
import { CoreDependencies, CoreModule } from './core.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { WorkEvents } from './metrics/work-events';
import { DomainErrorFilter } from './http/domain-error.filter';
import { PersistenceModule } from './persistence/persistence.module';
import { DATABASE, LOGGER } from './tokens';
import { WorkerModule } from './worker/worker.module';

export interface AppDependencies extends CoreDependencies {
  readonly database: Database;
}

@Module({})
export class AppModule {
  /** `workEvents`: where this process's processing reports its work, when another thread counts it (the worker thread). */
  static register(deps: AppDependencies, options: { http: boolean; workEvents?: WorkEvents } = { http: true }): DynamicModule {
    const features = [...(options.http ? [BatchesModule, ContainersModule, HealthModule] : []), ...(deps.config.worker.enabled ? [WorkerModule] : [])];
    return {
      module: AppModule,
      imports: [
        CoreModule.register(deps),
        PersistenceModule.register(deps.database, { announceWork: options.http }),
        MetricsModule.register(options.workEvents ? { workEvents: options.workEvents } : {}),
        ...features,
      ],
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
