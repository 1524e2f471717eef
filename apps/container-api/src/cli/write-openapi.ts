// Writes the service's OpenAPI document to a file (the build writes docs/openapi.json): the app is
// assembled on a throwaway SQLite database in a temporary folder, never listens, and is closed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Database } from '@container-service/persistence-typeorm';
import { resolveVerificationKey } from '../auth/signing-key';
import { loadConfig } from '../config/app-config';
import { createApp } from '../create-app';
import { describeApi, openApiText } from '../http/openapi-document';
import { createLogger } from '../logging/logger';

async function run(target: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-openapi-'));
  try {
    const config = loadConfig({ DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}`, DATA_DIR: dir, WORKER_ENABLED: 'false', LOG_LEVEL: 'warn' });
    const logger = createLogger(config.logLevel, new Writable({ write: (_chunk, _encoding, done) => done() }));
    const database = await Database.open(config.databaseUrl);
    const app = await createApp({ config, database, verificationKey: resolveVerificationKey(config.auth, config.dataDir), logger });
    try {
      fs.writeFileSync(target, openApiText(describeApi(app)));
    } finally {
      await app.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: write-openapi <file.json>\n');
  process.exit(2);
}
run(path.resolve(target)).catch((error: unknown) => {
  process.stderr.write(`write-openapi: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
