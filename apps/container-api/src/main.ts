// Starts the service: configuration, store, HTTP, and a clean stop on SIGTERM.
import { Database } from '@container-service/persistence-typeorm';
import { mintToken } from './auth/token-minter';
import { resolveVerificationKey } from './auth/signing-key';
import { ConfigError, loadConfig } from './config/app-config';
import { createApp } from './create-app';
import { createLogger } from './logging/logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`container-api: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const verificationKey = resolveVerificationKey(config.auth, config.dataDir);

  let database: Database;
  try {
    database = await Database.open(config.databaseUrl);
  } catch (error) {
    process.stderr.write(`container-api: cannot open the database ${config.databaseUrl}: ${(error as Error).message}\n`);
    process.exit(1);
  }

  const app = await createApp({ config, database, verificationKey, logger });
  await app.listen({ port: config.port, host: config.host });
  const url = await app.getUrl();
  logger.info({ url, database: config.databaseUrl }, 'container-api listening');

  // A clean stop: stop accepting, finish the requests in hand, close the store, exit 0.
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping');
    const forced = setTimeout(() => {
      logger.error('requests did not finish within 10 s; exiting');
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

  if (verificationKey.kind === 'secret' && verificationKey.development) {
    const token = await mintToken(verificationKey.key, { tenantId: 'demo', ttlSeconds: 24 * 3600, subject: 'demo' });
    logger.warn(
      { tenant: 'demo', token, expiresIn: '24h' },
      'development mode (no AUTH_* key configured): send this token as X-COREOS-ACCESS with X-COREOS-TID: demo; `npm run token -- --tenant NAME` mints more',
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`container-api: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
