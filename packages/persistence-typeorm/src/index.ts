// Public entry of the TypeORM persistence adapter: the store, and adapters for the repository ports.
export { Database, DEFAULT_DATABASE_URL, parseDatabaseUrl } from './database';
export type { DatabaseLocation, OpenDatabaseOptions } from './database';
export { TypeOrmBatchRepository } from './typeorm-batch.repository';
export { ITEM_INSERT_CHUNK } from './batch-items.writes';
export type { BatchRepositoryOptions } from './typeorm-batch.repository';
export { TypeOrmContainerTypeRepository } from './typeorm-container-type.repository';
export { TypeOrmBatchProcessingStore } from './typeorm-batch-processing.store';
export { TypeOrmContainerReader, TypeOrmContainerStore, TypeOrmContainerStoreProvider } from './typeorm-container.store';
export { TypeOrmCallbackOutbox } from './typeorm-callback.outbox';
