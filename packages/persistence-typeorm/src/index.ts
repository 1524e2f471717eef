// Public entry of the TypeORM persistence adapter: the store, and adapters for the repository ports.
export { Database, DEFAULT_DATABASE_URL, openDatabase } from './database';
export type { WriteOptions } from './database';
export type { OpenDatabaseOptions, WorkWakeups } from './database';
export { SqliteDatabase, parseDatabaseUrl } from './sqlite-database';
export type { DatabaseLocation } from './sqlite-database';
export { PostgresDatabase, loggableDatabaseUrl, parsePostgresUrl } from './postgres-database';
export type { PostgresLocation } from './postgres-database';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_QUERY_TIMEOUT_MS, StatementTimeoutError } from './postgres-deadlines';
export type { PostgresDeadlines } from './postgres-deadlines';
export { allTables, batchTables, containerTables } from './table-sets';
export type { TableSet } from './table-sets';
export { TypeOrmBatchRepository } from './typeorm-batch.repository';
export type { BatchRepositoryOptions } from './typeorm-batch.repository';
export { TypeOrmContainerTypeRepository } from './typeorm-container-type.repository';
export { TypeOrmBatchProcessingStore } from './typeorm-batch-processing.store';
export { TypeOrmBatchBacklog } from './typeorm-batch.backlog';
export { TypeOrmContainerReader, TypeOrmContainerStoreProvider } from './typeorm-container.store';
export { TypeOrmCallbackOutbox } from './typeorm-callback.outbox';
