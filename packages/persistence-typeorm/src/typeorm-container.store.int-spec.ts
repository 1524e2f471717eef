// The container store contract on a SQLite file and on PostgreSQL, inside the processing store's transactions as
// the item handlers use it.
import { aContainerType, describeContainerStoreContract } from '@container-service/container-domain/testing';
import { Database } from './database';
import { TypeOrmBatchProcessingStore } from './typeorm-batch-processing.store';
import { TypeOrmContainerStoreProvider } from './typeorm-container.store';
import { TypeOrmContainerTypeRepository } from './typeorm-container-type.repository';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';
import { sqliteScratch } from '../test/sqlite-scratch';

const stores: Array<[string, () => Promise<string> | string]> = [['a SQLite file', sqliteScratch('cs-containers').url]];
if (requirePostgres()) {
  const scratch = postgresScratch('cs_containers');
  stores.push(['PostgreSQL', () => scratch.migrated()]);
}

for (const [label, url] of stores) {
  describeContainerStoreContract(`TypeOrmContainerStore on ${label}`, async () => {
    const database = await Database.open(await url());
    const processing = new TypeOrmBatchProcessingStore(database);
    const stores = new TypeOrmContainerStoreProvider();
    const types = new TypeOrmContainerTypeRepository(database);
    return {
      transaction: (work) => processing.transaction((tx) => work(stores.within(tx))),
      defineType: async (tenantId, name, isLeaf, attributes) => {
        await types.add(aContainerType({ tenantId, name, isLeaf, attributes }));
      },
      close: () => database.close(),
    };
  });
}
