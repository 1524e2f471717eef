import { describeBatchRepositoryContract, describeCallbackOutboxContract } from '@container-service/batch-domain/testing';
import { describeContainerTypeRepositoryContract } from '@container-service/container-domain/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from './database';
import { TypeOrmBatchRepository } from './typeorm-batch.repository';
import { TypeOrmCallbackOutbox } from './typeorm-callback.outbox';
import { TypeOrmContainerTypeRepository } from './typeorm-container-type.repository';

// Each contract runs on an in-memory database and on a real file (two connections, WAL).
const stores: Array<[string, () => string]> = [
  ['sqlite::memory:', () => 'sqlite::memory:'],
  ['a SQLite file', () => `sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-int-')), 'db.sqlite')}`],
];

for (const [label, url] of stores) {
  describeBatchRepositoryContract(`TypeOrmBatchRepository on ${label}`, async () => {
    const database = await Database.open(url());
    return { repository: new TypeOrmBatchRepository(database), close: () => database.close() };
  });
  describeCallbackOutboxContract(`TypeOrmCallbackOutbox on ${label}`, async () => {
    const database = await Database.open(url());
    return { repository: new TypeOrmBatchRepository(database), outbox: new TypeOrmCallbackOutbox(database), close: () => database.close() };
  });
  describeContainerTypeRepositoryContract(`TypeOrmContainerTypeRepository on ${label}`, async () => {
    const database = await Database.open(url());
    return { repository: new TypeOrmContainerTypeRepository(database), close: () => database.close() };
  });
}
