// Monitoring for the process: its ServiceMetrics (null with METRICS_ENABLED=false) and where
// processing reports its work. The API's worker thread reports to the API thread instead
// (`workEvents` given), which counts and serves for both.
import { BatchBacklog, Clock } from '@container-service/batch-domain';
import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG, BATCH_BACKLOG, CLOCK, LOGGER, SERVICE_METRICS, WORK_EVENTS } from '../tokens';
import { ServiceMetrics } from './service-metrics';
import { NO_WORK_EVENTS, WorkEvents } from './work-events';

@Global()
@Module({})
export class MetricsModule {
  static register(options: { workEvents?: WorkEvents } = {}): DynamicModule {
    return {
      module: MetricsModule,
      providers: [
        {
          provide: SERVICE_METRICS,
          useFactory: (config: AppConfig, backlog: BatchBacklog, clock: Clock, logger: Logger) =>
            !config.metrics.enabled || options.workEvents !== undefined
              ? null
              : new ServiceMetrics({
                  backlog,
                  clock,
                  onBacklogFailure: (error) => logger.warn({ err: error }, 'metrics: the backlog could not be read; its gauges are NaN in this scrape'),
                }),
          inject: [APP_CONFIG, BATCH_BACKLOG, CLOCK, LOGGER],
        },
        {
          provide: WORK_EVENTS,
          useFactory: (metrics: ServiceMetrics | null): WorkEvents => options.workEvents ?? metrics?.work ?? NO_WORK_EVENTS,
          inject: [SERVICE_METRICS],
        },
      ],
      exports: [SERVICE_METRICS, WORK_EVENTS],
    };
  }
}
