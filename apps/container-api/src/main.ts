// Starts the service: configuration, store, HTTP (and the worker unless disabled), and a clean
// stop on SIGTERM.
import { setFlagsFromString } from 'node:v8';
// Trade a little speed for a heap that stays small: with V8's default heuristics the peak resident
// size of a long upload or batch depends on when the first full collection happens to run, and
// varied by 150 MiB between runs; with this flag it stays within a few MiB (docs/benchmarks.md).
setFlagsFromString('--optimize-for-size');
import { Database } from '@container-service/persistence-typeorm';
import { mintToken } from './auth/token-minter';
import { resolveVerificationKey } from './auth/signing-key';
import { createApp } from './create-app';
import { createLogger } from './logging/logger';
import { loadConfigOrExit, stopOnSignals } from './process-lifecycle';

async function main(): Promise<void> {
  const config = loadConfigOrExit('container-api', process.env);
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
  stopOnSignals(app, logger);

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
