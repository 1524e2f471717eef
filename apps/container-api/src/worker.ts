// Runs batch processing alone, without HTTP, so that API and workers can scale apart:
// `npm run worker`. Same configuration as the service; WORKER_ENABLED is implied.
import { NestFactory } from '@nestjs/core';
import { Database } from '@container-service/persistence-typeorm';
import { AppModule } from './app.module';
import { resolveVerificationKey } from './auth/signing-key';
import { ConfigError, loadConfig } from './config/app-config';
import { createLogger, PinoNestLogger } from './logging/logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ ...process.env, WORKER_ENABLED: 'true' });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`container-worker: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const database = await Database.open(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(
    AppModule.register({ config, database, verificationKey: resolveVerificationKey(config.auth, config.dataDir), logger }, { http: false }),
    { logger: new PinoNestLogger(logger) },
  );
  await app.init();
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping after the chunk in hand');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`container-worker: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
