// Starts the service: HTTP, and the batch worker on a thread of its own (or inline, or none),
// through the one start-up sequence in process-lifecycle.ts.
import { checkNodeVersion } from './node-version';
// Before NestJS and the SQLite driver are loaded (see node-version.ts).
checkNodeVersion('container-api');
import { WORKER_THREAD_YOUNG_GENERATION_MB, limitHeapGrowth } from './heap';
// Before anything sizable is allocated (see heap.ts).
limitHeapGrowth();
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BatchSubmitted } from './batches/batch-submitted';
import { mintToken } from './auth/token-minter';
import { createApp } from './create-app';
import { loggableDatabaseUrl } from '@container-service/persistence-typeorm';
import { StartContext, Started, fail, runProcess } from './process-lifecycle';
import { logFormatFor } from './logging/logger';
import { WorkEvents, isWorkEventMessage, replayWorkEvent } from './metrics/work-events';
import { WORK_EVENTS } from './tokens';

const NAME = 'container-api';

async function start({ config, logger, database, verificationKey }: StartContext): Promise<Started> {
  // The worker runs on its own thread unless WORKER_THREAD=false; the API then has none inline.
  const threaded = config.worker.enabled && config.worker.thread;
  const app = await createApp({ config: threaded ? { ...config, worker: { ...config.worker, enabled: false } } : config, database, verificationKey, logger });
  // The thread logs as this thread does (its own stdout is never a terminal), and its work is counted here.
  const threadEnv = { ...process.env, LOG_FORMAT: logFormatFor(config, process.stdout.isTTY) };
  const worker = threaded ? await startWorkerThread(app.get(BatchSubmitted), app.get<WorkEvents>(WORK_EVENTS), threadEnv) : null;
  await app.listen({ port: config.port, host: config.host });
  const url = await app.getUrl();
  logger.info(
    { url, database: loggableDatabaseUrl(config.databaseUrl), worker: threaded ? 'thread' : config.worker.enabled ? 'inline' : 'none' },
    'container-api listening',
  );

  if (verificationKey.kind === 'secret' && verificationKey.development) {
    const token = await mintToken(verificationKey.key, { tenantId: 'demo', ttlSeconds: 24 * 3600, subject: 'demo' });
    logger.warn(
      { tenant: 'demo', token, expiresIn: '24h' },
      'development mode (no AUTH_* key configured): send this token as X-COREOS-ACCESS with X-COREOS-TID: demo; `npm run token -- --tenant NAME` mints more',
    );
  }
  return {
    // HTTP first (requests in flight finish), then the worker finishes its chunk in hand.
    close: async () => {
      await app.close();
      await worker?.stop();
    },
  };
}

/**
 * Starts the worker thread and resolves once it is ready; submits in this thread wake it, and the
 * work it reports is counted in this thread's metrics (`events`), which /metrics serves.
 */
async function startWorkerThread(submitted: BatchSubmitted, events: WorkEvents, env: NodeJS.ProcessEnv): Promise<{ stop(): Promise<void> }> {
  const thread = new Worker(path.join(__dirname, 'worker-thread.js'), {
    workerData: { env },
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_THREAD_YOUNG_GENERATION_MB },
  });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the worker thread exited with ${code} before it was ready`));
    thread.once('exit', onExit);
    thread.on('message', (message) => {
      if (message === 'ready') {
        thread.off('exit', onExit);
        resolve();
      }
    });
  });
  thread.on('message', (message: unknown) => {
    if (isWorkEventMessage(message)) replayWorkEvent(message, events);
  });
  let stopping = false;
  // A worker thread that dies takes the service with it, as a worker process would: better a
  // restart than an API that accepts batches nobody processes.
  thread.on('exit', (code) => {
    if (!stopping) fail(NAME, `the worker thread stopped unexpectedly (exit ${code})`);
  });
  submitted.subscribe(() => thread.postMessage('nudge'));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        thread.on('message', (message) => {
          if (message === 'stopped') void thread.terminate().then(() => resolve());
        });
        thread.postMessage('stop');
      }),
  };
}

runProcess({ name: NAME, env: process.env, start, stopOnSignals: true });
