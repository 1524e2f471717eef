// What the service and the worker entry points share: reading the configuration or exiting with
// one line, and a clean stop on SIGTERM/SIGINT.
import { ConfigError, loadConfig, AppConfig } from './config/app-config';
import { Logger } from 'pino';

export function loadConfigOrExit(program: string, env: NodeJS.ProcessEnv): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${program}: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** On SIGTERM or SIGINT, closes the application (work in hand finishes) and exits 0; 1 after 10 s. */
export function stopOnSignals(app: { close(): Promise<void> }, logger: Logger): void {
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping');
    const forced = setTimeout(() => {
      logger.error('work in hand did not finish within 10 s; exiting');
      process.exit(1);
    }, 10_000);
    forced.unref();
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
