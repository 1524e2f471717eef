// Runs batch processing alone, without HTTP, so that API and workers can scale apart:
// `npm run worker`. Same configuration as the service; WORKER_ENABLED is implied. With
// METRICS_PORT set it serves /metrics (and /health) there, for its own work to be scraped.
import { checkNodeVersion } from './node-version';
// Before NestJS and the SQLite driver are loaded (see node-version.ts).
checkNodeVersion('container-worker');
import { limitHeapGrowth } from './heap';
// Before anything sizable is allocated (see heap.ts).
limitHeapGrowth();
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { PinoNestLogger } from './logging/logger';
import { runProcess } from './process-lifecycle';
import { ServiceMetrics } from './metrics/service-metrics';
import { startMetricsServer } from './metrics/metrics-route';
import { SERVICE_METRICS } from './tokens';

runProcess({
  name: 'container-worker',
  env: { ...process.env, WORKER_ENABLED: 'true' },
  stopOnSignals: true,
  start: async (deps) => {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest types its options as a class, documents and reads a plain object
    const app = await NestFactory.createApplicationContext(AppModule.register(deps, { http: false }), { logger: new PinoNestLogger(deps.logger) });
    await app.init();
    const metrics = app.get<ServiceMetrics | null>(SERVICE_METRICS);
    const port = deps.config.metrics.port;
    if (metrics === null || port === null) return app;
    const server = await startMetricsServer(metrics, { port, host: deps.config.host });
    deps.logger.info({ url: `${server.url}/metrics` }, 'metrics listening');
    return {
      close: async () => {
        await server.close();
        await app.close();
      },
    };
  },
});
