// Storage of batches and their items, as three ports sized by who uses them: reads (status,
// results, list), writes (submit, intake, cancel) and retention (the worker's upkeep). One adapter
// may provide all three. Reads for status are shaped so that an adapter can serve them with a few
// indexed lookups whatever the batch's size. Every read and command names the batch's kind, so
// that services sharing one store never see each other's batches.
import { Batch, BatchStatus } from './batch';
import { BatchId } from './batch-id';
import { FailureResult, ItemResult, NewBatchItem, SuccessResult } from './batch-item';
import type { CallbackTarget } from './callback';

/** Where one batch is: a tenant's batch of one kind and target type, by id. */
export interface BatchLocator {
  readonly tenantId: string;
  readonly kind: string;
  readonly targetType: string;
  readonly batchId: BatchId;
}

/** Whose batches a list holds: one tenant's, of one kind and target type. */
export type BatchListScope = Omit<BatchLocator, 'batchId'>;

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
  /** Also read each item's input as received. */
  readonly withInput?: boolean;
}

/**
 * What makes a submit idempotent: the client's key for it (unique per tenant) and a fingerprint
 * of the request. A submit whose key is already held answers with the batch stored under it.
 */
export interface Submission {
  readonly key: string;
  readonly fingerprint: string;
}

/** What a submit may bring besides its items. */
export interface SubmitExtras {
  readonly submission?: Submission;
  /** Stored with the batch; Batch.submit must have been told `hasCallback`. */
  readonly callback?: CallbackTarget;
}

/** How storing a submitted batch went. */
export type SubmitOutcome =
  | { readonly kind: 'stored' }
  /** The key was held already, for the same request: that batch is the answer. */
  | { readonly kind: 'replayed'; readonly batchId: BatchId }
  /** The key was held already, for another request: nothing was stored. */
  | { readonly kind: 'conflict' };

export interface BatchListQuery {
  /** Only batches whose derived status is this one. */
  readonly status?: BatchStatus;
  readonly limit: number;
  /** Only batches after this one in the listing order: newest first, by (createdAt, id) descending. */
  readonly after?: { readonly createdAt: number; readonly batchId: BatchId };
}

/** What a batch received in parts starts as: everything of the batch but its items and count. */
export interface IntakeDraft {
  readonly tenantId: string;
  readonly kind: string;
  readonly batchId: BatchId;
  readonly targetType: string;
  /** Epoch ms after which an intake that has not been appended to counts as abandoned. */
  readonly expiresAt: number;
}

/** A reference that an intake already holds. */
export interface DuplicateReference {
  readonly refId: string;
  readonly row: number | null;
  readonly firstRow: number | null;
}

/**
 * A batch received in parts, such as a file read as it arrives. Nothing of it is visible to any
 * read or to processing until `commit`; a process that dies mid-intake leaves only rows that
 * `purgeAbandonedIntakes` removes.
 */
export interface BatchIntake {
  /**
   * Stores the next items, positions following on from the previous part. A reference already
   * held by this intake is reported instead; items with an empty reference take no part in that check.
   */
  append(items: readonly NewBatchItem[], expiresAt: number): Promise<DuplicateReference | null>;
  /** How many items are held so far. */
  readonly count: number;
  /**
   * Makes the batch visible and ready for processing with every item appended, atomically,
   * claiming the submission's key; when the key is held already nothing changes (then discard).
   */
  commit(batch: Batch, extras?: SubmitExtras): Promise<SubmitOutcome>;
  /** Removes everything appended; the batch never existed. */
  discard(): Promise<void>;
}

/** Reads of stored batches, for status, results and listing. None of them sees an intake before it commits. */
export interface BatchReads {
  /**
   * The batch and the heads of its result lists, or null when this tenant has no such batch of
   * that kind and type. The batch comes without a file batch's header (columns are null), as in
   * `list`: status answers never show it; `findResults` and processing, which read rows, give it.
   */
  findStatus(locator: BatchLocator, listLimit: number): Promise<BatchStatusView | null>;

  /**
   * The batch and up to `limit` item results in input order after `afterSeq`, pending items left
   * out; null when this tenant has no such batch of that kind and type.
   */
  findResults(locator: BatchLocator, query: ResultsPageQuery): Promise<{ batch: Batch; items: ItemResult[] } | null>;

  /**
   * A tenant's batches of one kind and target type, newest first, without a file batch's header
   * (columns are null): a list never shows it, and a header read for every listed batch adds up.
   */
  list(scope: BatchListScope, query: BatchListQuery): Promise<Batch[]>;
}

/** Writes that bring batches in (whole, or in parts) and stop them. */
export interface BatchWrites {
  /**
   * Stores a new batch with all its items, atomically; item positions follow iteration order.
   * With a submission, its key is claimed in the same transaction, or the batch is not stored.
   */
  add(batch: Batch, items: Iterable<NewBatchItem>, extras?: SubmitExtras): Promise<SubmitOutcome>;

  /** Starts a batch whose items arrive in parts. */
  beginIntake(draft: IntakeDraft): Promise<BatchIntake>;

  /**
   * Cancels the batch when it can be (Batch.cancel), turning its pending items into cancelled ones,
   * atomically with any processing; the batch as it is afterwards, or null when not found.
   */
  cancel(locator: BatchLocator, now: number): Promise<{ batch: Batch; cancelled: boolean } | null>;
}

/**
 * Upkeep: removing what is past keeping, of every kind. Each call is one bounded step, so that
 * a sweep interleaves with other work.
 */
export interface BatchRetention {
  /**
   * Removes up to `maxItems` items of one batch finished before `before` (and the batch once it has
   * no items left); the number of rows removed, 0 when no batch is that old.
   */
  purgeFinishedBatches(before: number, maxItems: number): Promise<number>;

  /** Removes up to `max` submission keys claimed before `before`; how many were removed. */
  purgeSubmissions(before: number, max: number): Promise<number>;

  /**
   * Removes up to `maxItems` items of intakes abandoned before `now` (and each such batch once it
   * has no items left); the number of rows removed, 0 when there is nothing to do.
   */
  purgeAbandonedIntakes(now: number, maxItems: number): Promise<number>;
}

/**
 * The store's work at a glance, for monitoring: totals over every tenant and kind, never one
 * tenant's data. Meant to be read often (each scrape), so an adapter answers it from the batches'
 * counters with set-based reads, never by walking items.
 */
export interface BatchBacklog {
  backlog(): Promise<Backlog>;
}

export interface Backlog {
  /** Stored batches (fully received) by derived status. */
  readonly batches: Readonly<Record<BatchStatus, number>>;
  /** Items of unfinished batches still waiting for an outcome. */
  readonly pendingItems: number;
  /** When the oldest item still pending was submitted (its batch's creation); null when none waits. */
  readonly oldestPendingAt: number | null;
}
