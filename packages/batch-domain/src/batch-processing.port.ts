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

/**
 * Items per part: a batch is shared out between workers in parts of this many consecutive items
 * (the last part may be shorter), plus a tail of its deferred items (ConflictWatch) that is
 * processed once every other part is done. Four chunks: a claim costs one commit per 4 096 items.
 */
export const ITEMS_PER_PART = 4096;

/** The part number of a batch's tail: the one after its last range of ITEMS_PER_PART items. */
export function tailPart(total: number): number {
  return Math.ceil(total / ITEMS_PER_PART);
}

/**
 * Which parts a batch starts with, told its items in input order as they are stored: each range
 * that holds an item not deferred, then the tail when some item is deferred. A range whose items
 * are all deferred is never opened, so no worker claims a part with nothing in it.
 */
export class PartPlan {
  private readonly ranges = new Set<number>();
  private deferred = false;
  private count = 0;

  /** Notes the next item (at position `count`). */
  note(item: { readonly deferred?: boolean }): void {
    if (item.deferred === true) this.deferred = true;
    else this.ranges.add(Math.floor(this.count / ITEMS_PER_PART));
    this.count++;
  }

  /** The parts to open, in order, for a batch of the items noted. */
  parts(): number[] {
    const parts = [...this.ranges].sort((a, b) => a - b);
    return this.deferred ? [...parts, tailPart(this.count)] : parts;
  }
}

/** A part of a batch a worker holds for a while: a range of its items, or its tail. */
export interface BatchLease {
  readonly locator: BatchLocator;
  /** Which part: 0, 1, … for the items from part × ITEMS_PER_PART on; the tail comes after the last. */
  readonly part: number;
  readonly owner: string;
  readonly expiresAt: number;
  /**
   * Set by `claim` when the part was taken from a worker whose lease had expired (it died, or
   * stopped renewing): operators watch how often that happens.
   */
  readonly takenOver?: boolean;
}

/**
 * Thrown by `recordChunk` when an outcome would land on an item that is no longer pending: the
 * batch was cancelled meanwhile, or the part was taken over by another worker after this one's
 * lease ran out. The chunk is rolled back (its items' own writes too) and the worker moves on.
 */
export class ChunkSuperseded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkSuperseded';
  }
}

/** What recording a chunk left behind. */
export interface RecordedChunk {
  /** The batch as moved on by this chunk, read again under a lock as other parts may have moved it too. */
  readonly batch: Batch;
  /** True when the part has no pending item left: it is done, and its lease ended with this write. */
  readonly partDone: boolean;
}

export interface BatchProcessingStore<Tx> {
  /**
   * Runs `work` in one transaction: all or nothing. When the store itself fails (rather than
   * `work`), the promise rejects with a `StoreFailure`; anything `work` throws comes back as is.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** The batch as stored, read inside the transaction (no lock: other parts move it on meanwhile). */
  load(tx: Tx, locator: BatchLocator): Promise<Batch | null>;
  /** Up to `limit` pending items of the leased part, in input order. */
  pendingItems(tx: Tx, lease: BatchLease, limit: number): Promise<PendingItem[]>;
  /**
   * Records the outcomes of items of the leased part, inside the transaction: each must land on
   * an item still pending, or it throws ChunkSuperseded. Then it reads the batch again under a
   * row lock, lets `progress` move it on (its counters: other parts' chunks wait for the lock, so
   * no update is lost), and stores it. The part's lease ends in the same write when the part has
   * nothing pending left, and every part goes when the batch is finished.
   * Lock order, on every store with row locks: items, then the batch (a cancel takes them so too).
   */
  recordChunk(tx: Tx, lease: BatchLease, outcomes: readonly ItemOutcome[], progress: (batch: Batch) => void): Promise<RecordedChunk>;
  /**
   * Takes a part of an unfinished batch of one of `kinds` (those the worker has handlers for)
   * that no live lease holds, for `owner` until `expiresAt`; null when there is none. Fair between
   * tenants: the tenant served least recently goes first (round robin), and within a tenant its
   * oldest batch, its first free part. A batch's tail is offered only once its other parts are done.
   * Workers claiming at the same moment take different parts, never one part twice.
   */
  claim(owner: string, kinds: readonly string[], now: number, expiresAt: number): Promise<BatchLease | null>;
  /**
   * Whether a tenant other than `tenantId` has a part of one of `kinds` to claim at `now`. A
   * cheap read: a worker asks it after every chunk, to hand its part back when another tenant waits.
   */
  othersWaiting(tenantId: string, kinds: readonly string[], now: number): Promise<boolean>;
  /** Extends a lease still held by its owner; false when it was lost. */
  renew(lease: BatchLease, now: number, expiresAt: number): Promise<boolean>;
  /** Gives a lease up. */
  release(lease: BatchLease): Promise<void>;
}
