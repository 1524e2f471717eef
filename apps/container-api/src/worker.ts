// Runs batch processing alone, without HTTP, so that API and workers can scale apart:
// `npm run worker`. Same configuration as the service; WORKER_ENABLED is implied.
import { limitHeapGrowth } from './heap';
// Before anything sizable is allocated (see heap.ts).
limitHeapGrowth();
import { NestFactory } from '@nestjs/core';
import { Database } from '@container-service/persistence-typeorm';
import { AppModule } from './app.module';
import { resolveVerificationKey } from './auth/signing-key';
import { createLogger, PinoNestLogger } from './logging/logger';
import { loadConfigOrExit, stopOnSignals } from './process-lifecycle';

async function main(): Promise<void> {
  const config = loadConfigOrExit('container-worker', { ...process.env, WORKER_ENABLED: 'true' });
  const logger = createLogger(config.logLevel);
  const database = await Database.open(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(
    AppModule.register({ config, database, verificationKey: resolveVerificationKey(config.auth, config.dataDir), logger }, { http: false }),
    { logger: new PinoNestLogger(logger) },
  );
  await app.init();
  stopOnSignals(app, logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`container-worker: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
