// Storage of batches and their items. Reads for status are shaped so that an adapter can serve
// them with a few indexed lookups whatever the batch's size.
import { Batch } from './batch';
import { BatchId } from './batch-id';
import { FailureResult, ItemOutcome, ItemResult, NewBatchItem, SuccessResult } from './batch-item';

export interface BatchLocator {
  readonly tenantId: string;
  readonly targetType: string;
  readonly batchId: BatchId;
}

export interface BatchStatusView {
  readonly batch: Batch;
  /** The first `listLimit` failed items, in input order. */
  readonly failures: readonly FailureResult[];
  /** The first `listLimit` succeeded items, in input order. */
  readonly successes: readonly SuccessResult[];
  /** True when either list was cut at `listLimit`. */
  readonly hasMore: boolean;
}

export interface ResultsPageQuery {
  /** Only items with this outcome; all processed items (success, failed, cancelled) when absent. */
  readonly outcome?: 'success' | 'failed';
  /** Items after this position (exclusive); -1 for the start. */
  readonly afterSeq: number;
  readonly limit: number;
}

export interface BatchRepository {
  /** Stores a new batch with all its items, atomically; item positions follow iteration order. */
  add(batch: Batch, items: Iterable<NewBatchItem>): Promise<void>;

  /**
   * Stores the batch's new counters together with the outcomes that produced them, atomically.
   * Each outcome addresses an item that was pending.
   */
  recordOutcomes(batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void>;

  /** Stores a cancelled batch and turns every item still pending into a cancelled one, atomically. */
  recordCancellation(batch: Batch): Promise<void>;

  /**
   * Up to `limit` item results in input order after `afterSeq`, pending items left out, and
   * whether the batch still has pending items; null when this tenant has no such batch of that type.
   */
  findResults(locator: BatchLocator, query: ResultsPageQuery): Promise<{ items: ItemResult[]; pending: boolean } | null>;

  /** The batch and the heads of its result lists, or null when this tenant has no such batch of that type. */
  findStatus(locator: BatchLocator, listLimit: number): Promise<BatchStatusView | null>;
}
