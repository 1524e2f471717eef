// BatchSeeder over TypeORM: puts stored batches into the states tests need (outcomes recorded,
// cancelled) through the same writes processing and cancellation use, without a worker.
import { Batch, ItemOutcome, NewBatchItem, SubmitExtras, SubmitOutcome } from '@container-service/batch-domain';
import type { BatchSeeder } from '@container-service/batch-domain/testing';
import { addBatch } from '../batch-intake';
import { writeCancellation, writeOutcomes } from '../batch-outcomes.writes';
import { Database } from '../database';

export class TypeOrmBatchSeeder implements BatchSeeder {
  constructor(private readonly database: Database) {}

  add(batch: Batch, items: Iterable<NewBatchItem>, extras: SubmitExtras = {}): Promise<SubmitOutcome> {
    return addBatch(this.database, null, batch, items, extras);
  }

  async recordOutcomes(batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void> {
    await this.database.write((manager) => writeOutcomes(manager, batch, outcomes));
  }

  async recordCancellation(batch: Batch): Promise<void> {
    await this.database.write((manager) => writeCancellation(manager, batch));
  }
}
