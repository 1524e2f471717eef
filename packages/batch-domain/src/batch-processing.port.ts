// Ports for processing: a store whose transactions let an item's own writes and its recorded
// outcome commit together (this is what makes processing exactly-once across crashes), and the
// handler that applies items of one kind and operation. `Tx` is opaque here: the adapter that provides the
// store also provides what handlers write through.
import { Actor, Batch, BatchOperation } from './batch';
import { BatchId } from './batch-id';
import { ItemOutcome } from './batch-item';
import { BatchLocator } from './batch-repository.port';

/** An item waiting to be applied, in input order. */
export interface PendingItem {
  readonly seq: number;
  readonly refId: string;
  readonly row: number | null;
  readonly input: unknown;
}

/** What a handler knows of the batch it applies items for. */
export interface BatchContext {
  readonly batchId: BatchId;
  readonly tenantId: string;
  readonly kind: string;
  readonly targetType: string;
  readonly operation: BatchOperation;
  readonly createdBy: Actor | null;
  /** A file batch's header: each item's input is then the array of its row's cells. Null for JSON. */
  readonly columns: readonly string[] | null;
  /** Epoch milliseconds of this chunk's processing. */
  readonly now: number;
  /**
   * True once the chunk has used its time (CHUNK_TIME_BUDGET_MS). A handler may then stop after
   * any item, having handled at least one: the items it did not reach stay pending, in order, for
   * the next chunk. However costly each item, a chunk then holds its worker (and the write lock)
   * for a bounded time, and the worker can turn to other tenants' work in between.
   */
  timeUp(): boolean;
}

/**
 * The per-item code of an item whose processing failed unexpectedly (a throw, not a rule's
 * outcome) on every try: it fails alone and the rest of its batch goes on (ADR 0013).
 */
export const PROCESSING_ERROR = 'PROCESSING_ERROR';

/**
 * A failure of the store itself (unreachable, busy, full, damaged), never of what an item holds.
 * A store adapter rejects with it from `transaction`, so that processing waits and tries again
 * later instead of blaming the items in hand.
 */
export class StoreFailure extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'StoreFailure';
  }
}

/** An item's outcome without its position: the processor fills that in. */
export type HandledOutcome =
  { readonly kind: 'success'; readonly resultId: string } | { readonly kind: 'failed'; readonly reason: string; readonly code: string };

export interface ItemHandler<Tx> {
  /**
   * Applies a chunk of items in input order inside the transaction `tx` and returns one outcome
   * per item, in the same order; or, once `context.timeUp()`, outcomes for the first items only
   * (at least one). Writes go through `tx`, so later items see earlier ones.
   * Expected failures are outcomes; a throw rolls the whole chunk back.
   */
  handleChunk(tx: Tx, context: BatchContext, items: readonly PendingItem[]): Promise<HandledOutcome[]>;
}

export interface BatchLease {
  readonly locator: BatchLocator;
  readonly owner: string;
  readonly expiresAt: number;
}

export interface BatchProcessingStore<Tx> {
  /**
   * Runs `work` in one transaction: all or nothing. When the store itself fails (rather than
   * `work`), the promise rejects with a `StoreFailure`; anything `work` throws comes back as is.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** The batch, read inside the transaction. */
  load(tx: Tx, locator: BatchLocator): Promise<Batch | null>;
  /** Up to `limit` pending items in input order. */
  pendingItems(tx: Tx, locator: BatchLocator, limit: number): Promise<PendingItem[]>;
  /**
   * The batch's new counters and the outcomes behind them, inside the transaction. When the chunk
   * finishes the batch, the batch's lease ends in the same write: nothing is left to hold, and a
   * separate release would cost a commit of its own.
   */
  recordChunk(tx: Tx, batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void>;
  /**
   * Takes an unfinished batch of one of `kinds` (those the worker has handlers for) that no live
   * lease holds, for `owner` until `expiresAt`; null when there is none. Fair between tenants: the
   * tenant whose batch was claimed least recently goes first (round robin), and within a tenant
   * its oldest batch.
   */
  claim(owner: string, kinds: readonly string[], now: number, expiresAt: number): Promise<BatchLease | null>;
  /**
   * Whether a tenant other than `tenantId` has a batch of one of `kinds` to claim at `now`. A
   * cheap read: a worker asks it after every chunk, to hand its batch back when another tenant waits.
   */
  othersWaiting(tenantId: string, kinds: readonly string[], now: number): Promise<boolean>;
  /** Extends a lease still held by its owner; false when it was lost. */
  renew(lease: BatchLease, now: number, expiresAt: number): Promise<boolean>;
  /** Gives a lease up. */
  release(lease: BatchLease): Promise<void>;
}
