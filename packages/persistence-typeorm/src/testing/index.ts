// Helpers for tests over a real store: seeding batches into given states through the adapter's own writes.
export { TypeOrmBatchSeeder } from './typeorm-batch.seeder';
