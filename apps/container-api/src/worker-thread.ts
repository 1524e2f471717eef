// The API process's batch worker, on a thread of its own (WORKER_THREAD=true, the default): its
// own store connections and event loop, so that processing a chunk never holds up an HTTP answer.
// The main thread wakes it after a submit ('nudge') and stops it on shutdown ('stop').
import { Database } from '@container-service/persistence-typeorm';
import { NestFactory } from '@nestjs/core';
import { parentPort, workerData } from 'node:worker_threads';
import { AppModule } from './app.module';
import { resolveVerificationKey } from './auth/signing-key';
import { BatchSubmitted } from './batches/batch-submitted';
import { loadConfig } from './config/app-config';
import { createLogger, PinoNestLogger } from './logging/logger';

export type WorkerThreadMessage = 'nudge' | 'stop';

async function run(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker-thread.js runs as a worker thread of main.js');
  const config = loadConfig({ ...(workerData as { env: NodeJS.ProcessEnv }).env, WORKER_ENABLED: 'true' });
  const logger = createLogger(config.logLevel).child({ thread: 'worker' });
  const database = await Database.open(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(
    AppModule.register({ config, database, verificationKey: resolveVerificationKey(config.auth, config.dataDir), logger }, { http: false }),
    { logger: new PinoNestLogger(logger) },
  );
  await app.init();
  const submitted = app.get(BatchSubmitted);
  port.on('message', (message: WorkerThreadMessage) => {
    if (message === 'nudge') submitted.notify();
    if (message === 'stop') {
      void app.close().then(
        () => port.postMessage('stopped'),
        (error: unknown) => {
          logger.error({ err: error }, 'worker thread stop failed');
          port.postMessage('stopped');
        },
      );
    }
  });
  port.postMessage('ready');
}

run().catch((error: unknown) => {
  process.stderr.write(`container-worker thread: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
