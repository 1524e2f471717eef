// ProcessBatchChunk: applies the next chunk of a batch's pending items in one transaction, in
// input order, and records their outcomes in that same transaction. A crash at any instant
// leaves either the whole chunk (items and outcomes) or none of it, so a restart resumes at the
// first unprocessed item and applies nothing twice.
import { BatchLocator } from './batch-repository.port';
import { BatchProcessingStore, ItemHandler } from './batch-processing.port';
import { ItemOutcome } from './batch-item';
import { Clock } from './ports';

export const DEFAULT_CHUNK_SIZE = 250;

export interface ChunkReport {
  readonly processed: number;
  /** True when the batch has nothing pending any more (finished or cancelled), or is gone. */
  readonly done: boolean;
  /** True when this chunk finished the batch, which ended its lease (see recordChunk). */
  readonly leaseEnded: boolean;
}

export class ProcessBatchChunk<Tx> {
  constructor(
    private readonly store: BatchProcessingStore<Tx>,
    private readonly handlers: Readonly<Record<'create' | 'update', ItemHandler<Tx>>>,
    private readonly clock: Clock,
    private readonly chunkSize = DEFAULT_CHUNK_SIZE,
  ) {}

  execute(locator: BatchLocator): Promise<ChunkReport> {
    return this.store.transaction(async (tx) => {
      const batch = await this.store.load(tx, locator);
      if (batch === null || batch.isFinished) return { processed: 0, done: true, leaseEnded: false };
      const items = await this.store.pendingItems(tx, locator, this.chunkSize);
      if (items.length === 0) throw new Error(`Batch ${batch.id} counts ${batch.counts.pending} pending items but none is stored`);
      const now = this.clock.now();
      const snapshot = batch.toSnapshot();
      const handled = await this.handlers[snapshot.operation].handleChunk(
        tx,
        { batchId: batch.id, tenantId: snapshot.tenantId, targetType: snapshot.targetType, operation: snapshot.operation, createdBy: snapshot.createdBy, columns: snapshot.columns, now },
        items,
      );
      if (handled.length !== items.length) throw new Error(`Handler returned ${handled.length} outcomes for ${items.length} items`);
      const outcomes: ItemOutcome[] = handled.map((outcome, i) => ({ ...outcome, seq: items[i]!.seq }));
      batch.start(now);
      batch.recordOutcomes(
        outcomes.map((o) => o.kind),
        now,
      );
      await this.store.recordChunk(tx, batch, outcomes);
      return { processed: items.length, done: batch.isFinished, leaseEnded: batch.isFinished };
    });
  }
}
