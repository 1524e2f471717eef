// The API process's batch worker, on a thread of its own (WORKER_THREAD=true, the default): its
// own store connections and event loop, so that processing a chunk never holds up an HTTP answer.
// The main thread wakes it after a submit ('nudge') and stops it on shutdown ('stop').
import { NestFactory } from '@nestjs/core';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { AppModule } from './app.module';
import { BatchSubmitted } from './batches/batch-submitted';
import { PinoNestLogger } from './logging/logger';
import { runProcess } from './process-lifecycle';
import { NO_WORK_EVENTS, postedWorkEvents } from './metrics/work-events';

/** What the API thread sends; the thread sends 'ready', 'stopped' and WorkEventMessages. */
export type WorkerThreadMessage = 'nudge' | 'stop';

runProcess({
  name: 'container-worker thread',
  env: { ...(workerData as { env: NodeJS.ProcessEnv }).env, WORKER_ENABLED: 'true' },
  logger: (logger) => logger.child({ thread: 'worker' }),
  // The thread is stopped by the API thread ('stop'), which the signals reach.
  stopOnSignals: false,
  start: async (deps) => {
    const port = parentPort;
    if (!port) throw new Error('worker-thread.js runs as a worker thread of main.js');
    lowerPriority(deps.config.worker.threadNice, deps.logger);
    // Its work is counted by the API thread, whose /metrics serves it.
    const workEvents = deps.config.metrics.enabled ? postedWorkEvents(port) : NO_WORK_EVENTS;
    const modules = AppModule.register(deps, { http: false, workEvents });
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest types its options as a class, documents and reads a plain object
    const app = await NestFactory.createApplicationContext(modules, { logger: new PinoNestLogger(deps.logger) });
    await app.init();
    const submitted = app.get(BatchSubmitted);
    port.on('message', (message: WorkerThreadMessage) => {
      if (message === 'nudge') submitted.notify();
      if (message === 'stop') {
        void app.close().then(
          () => port.postMessage('stopped'),
          (error: unknown) => {
            deps.logger.error({ err: error }, 'worker thread stop failed');
            port.postMessage('stopped');
          },
        );
      }
    });
    port.postMessage('ready');
    return app;
  },
});

/**
 * Raises this thread's nice value by `nice` (as `nice -n` would, at most 19). On Linux the nice
 * value belongs to a thread and pid 0 names the calling one, so the API thread keeps its priority
 * and wins the CPU whenever both want it; elsewhere pid 0 would lower the whole process, so the
 * thread is left alone there. Raising a nice value needs no privilege; if it is refused anyway,
 * processing goes on at the API's priority.
 */
function lowerPriority(nice: number, logger: { warn(object: object, message: string): void }): void {
  if (nice === 0 || process.platform !== 'linux') return;
  try {
    os.setPriority(0, Math.min(19, os.getPriority(0) + nice));
  } catch (error) {
    logger.warn({ err: error }, 'the worker thread could not lower its priority');
  }
}
