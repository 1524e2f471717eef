// Writes only tests make: putting a stored batch into a given state (some outcomes recorded, or
// cancelled) without running a worker. No use case needs them, so they are no port of the domain;
// each store's testing entry provides a seeder over the same store as its adapters.
import { Batch } from '../batch';
import { ItemOutcome } from '../batch-item';
import { BatchWrites } from '../batch-repository.port';

export interface BatchSeeder extends Pick<BatchWrites, 'add'> {
  /**
   * Stores the batch's new counters together with the outcomes that produced them, atomically.
   * Each outcome addresses an item that was pending; otherwise nothing changes and it rejects.
   */
  recordOutcomes(batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void>;
  /** Stores a cancelled batch and turns every item still pending into a cancelled one, atomically. */
  recordCancellation(batch: Batch): Promise<void>;
}
