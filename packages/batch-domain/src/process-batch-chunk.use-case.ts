// ProcessBatchChunk: applies the next chunk of a batch's pending items in one transaction, in
// input order, and records their outcomes in that same transaction. A crash at any instant
// leaves either the whole chunk (items and outcomes) or none of it, so a restart resumes at the
// first unprocessed item and applies nothing twice.
//
// A chunk whose handler throws is split (ADR 0013): its halves are tried in input order, each in
// a transaction of its own, down to the item that throws; that item is tried alone up to
// ITEM_TRIES times in all, then recorded as failed with PROCESSING_ERROR, and the rest goes on.
// A failure of the store itself (StoreFailure) is never blamed on an item: it propagates, and the
// worker tries the chunk again later.
//
// A chunk is taken from the part of the batch its worker leases (BatchLease): other workers may
// process other parts of the same batch at the same time. The batch's counters are moved on
// under a lock once the chunk's items are recorded, so none of their updates is lost; items whose
// order matters were deferred to the batch's tail as it was stored (ConflictWatch).
//
// Handlers are chosen by the batch's kind and operation: a worker built with handlers for some
// kinds claims batches of those kinds only (`kinds`), so that services sharing one store never
// apply each other's items.
import { Batch, BatchCounts, BatchOperation } from './batch';
import { BatchLease, BatchProcessingStore, ChunkSuperseded, ItemHandler, PROCESSING_ERROR, PendingItem, StoreFailure } from './batch-processing.port';
import { ItemOutcome } from './batch-item';
import { Clock } from './ports';
import { asPlainText } from './plain-text';

/** Items per chunk transaction unless told otherwise (WORKER_CHUNK_SIZE in the app). */
export const DEFAULT_CHUNK_SIZE = 1024;
/** How many times an item that throws is tried on its own before it fails with PROCESSING_ERROR. */
export const ITEM_TRIES = 3;
/** What clients read: one safe sentence, never the failure's own message (it may name SQL or paths). */
export const PROCESSING_ERROR_REASON = `the item could not be processed: it failed unexpectedly ${ITEM_TRIES} times`;
/**
 * How long one `execute` may go on splitting a chunk that throws before it reports what it has
 * done so far; the worker then looks at other tenants' work, and the next call goes on where this
 * one stopped. Without it, a chunk full of items that throw would hold a worker for
 * chunk × log(chunk) tries.
 */
export const SETTLE_SLICE_MS = 500;
/**
 * How long one chunk's handler may go on before it should stop at the next item (see
 * `BatchContext.timeUp`). Ordinary items take microseconds, so a chunk of 1 024 never comes near
 * it; items built to be slow (long values against costly patterns, up to tens of ms each) are
 * what it bounds.
 */
export const CHUNK_TIME_BUDGET_MS = 500;

/** An item set aside with PROCESSING_ERROR, with the failure behind it, for the operator's log. */
export interface UnexpectedFailure {
  readonly seq: number;
  readonly refId: string;
  readonly error: unknown;
}

export interface ChunkReport {
  readonly processed: number;
  /** Of `processed`, how many were recorded as failed; absent when none were. */
  readonly failed?: number;
  /** True when the part has nothing pending any more, or its batch is finished, cancelled or gone. */
  readonly done: boolean;
  /** True when this chunk finished the part (or the batch), which ended its lease (see recordChunk). */
  readonly leaseEnded: boolean;
  /** True when the items were no longer pending (a cancel, or another worker took the part over): nothing was recorded. */
  readonly superseded?: boolean;
  /** Present when this chunk finished the batch: its final counts and how long it was processed. */
  readonly batchFinished?: FinishedBatch;
  /** Items of this chunk that failed with PROCESSING_ERROR; absent when none did. */
  readonly unexpected?: readonly UnexpectedFailure[];
}

/** A batch as its last chunk left it, for the operator's log. */
export interface FinishedBatch {
  readonly status: string;
  readonly counts: BatchCounts;
  /** From the first chunk's start to the last one's end; null if it never started (all cancelled). */
  readonly durationMs: number | null;
}

function finishedBatch(batch: Batch): FinishedBatch {
  const { startedAt, completedAt } = batch.toSnapshot();
  return { status: batch.status, counts: batch.counts, durationMs: startedAt === null || completedAt === null ? null : completedAt - startedAt };
}

/** One transaction's try: its report, or what the handler threw and for which items. */
type Attempt<T = ChunkReport> =
  { readonly ok: true; readonly report: T } | { readonly ok: false; readonly error: unknown; readonly items: readonly PendingItem[] };

/** The handlers of a worker: for each kind it processes, one per operation. */
export type ItemHandlers<Tx> = Readonly<Record<string, Readonly<Record<BatchOperation, ItemHandler<Tx>>>>>;

const NOTHING_LEFT: ChunkReport = { processed: 0, done: true, leaseEnded: false };
const SUPERSEDED: ChunkReport = { processed: 0, done: true, leaseEnded: false, superseded: true };

/** A report from splitting, which may have stopped at its deadline with items of its part left. */
type Settled = ChunkReport & { readonly stopped?: boolean };

export class ProcessBatchChunk<Tx> {
  /** The kinds of batch this processor has handlers for: the only ones its worker may claim. */
  readonly kinds: readonly string[];

  constructor(
    private readonly store: BatchProcessingStore<Tx>,
    private readonly handlers: ItemHandlers<Tx>,
    private readonly clock: Clock,
    private readonly chunkSize = DEFAULT_CHUNK_SIZE,
  ) {
    this.kinds = Object.keys(handlers);
  }

  /** Applies the next chunk of the leased part. */
  async execute(lease: BatchLease): Promise<ChunkReport> {
    const deadline = this.clock.now() + SETTLE_SLICE_MS;
    const first = await this.attempt(lease, this.chunkSize);
    if (first.ok) return first.report;
    const { stopped: _, ...report } = await this.settle(lease, first, deadline);
    return report;
  }

  /** Applies up to `limit` pending items of the part in a transaction of their own. */
  private async attempt(lease: BatchLease, limit: number): Promise<Attempt> {
    let items: readonly PendingItem[] = [];
    try {
      const report = await this.store.transaction(async (tx) => {
        const batch = await this.store.load(tx, lease.locator);
        if (batch === null || batch.isFinished) return NOTHING_LEFT;
        const pending = await this.store.pendingItems(tx, lease, limit);
        if (pending.length === 0) {
          // Nothing of the part is left (all of it deferred to the tail, or recorded by a worker
          // whose lease ran out): recording nothing closes it.
          const closed = await this.store.recordChunk(tx, lease, [], () => undefined);
          return { processed: 0, done: true, leaseEnded: closed.partDone };
        }
        const now = this.clock.now();
        const timeUpAt = now + CHUNK_TIME_BUDGET_MS;
        const snapshot = batch.toSnapshot();
        // A batch of a kind without handlers was claimed by mistake: a bug, never the items' fault.
        const handler = this.handlers[snapshot.kind]?.[snapshot.operation];
        if (handler === undefined) throw new Error(`No handler for ${snapshot.operation} of kind '${snapshot.kind}' (batch ${batch.id})`);
        items = pending;
        const handled = await handler.handleChunk(
          tx,
          {
            batchId: batch.id,
            tenantId: snapshot.tenantId,
            kind: snapshot.kind,
            targetType: snapshot.targetType,
            operation: snapshot.operation,
            createdBy: snapshot.createdBy,
            columns: snapshot.columns,
            now,
            timeUp: () => this.clock.now() >= timeUpAt,
          },
          pending,
        );
        // All of them, or (its time used) the first ones: the rest stay pending, in order.
        if (handled.length === 0 || handled.length > pending.length) throw new Error(`Handler returned ${handled.length} outcomes for ${pending.length} items`);
        const outcomes: ItemOutcome[] = handled.map((outcome, i) => {
          const item = pending[i];
          if (item === undefined) throw new Error(`Handler returned ${handled.length} outcomes for ${pending.length} items`);
          // A reason may quote what the item or its type holds (a name, a pattern): stored as plain
          // text, so that every store keeps it and answers it alike.
          return outcome.kind === 'failed' ? { ...outcome, reason: asPlainText(outcome.reason), seq: item.seq } : { ...outcome, seq: item.seq };
        });
        const recorded = await this.store.recordChunk(tx, lease, outcomes, (fresh) => {
          fresh.start(now);
          fresh.recordOutcomes(
            outcomes.map((o) => o.kind),
            now,
          );
        });
        const failed = outcomes.filter((o) => o.kind === 'failed').length;
        return {
          processed: outcomes.length,
          ...(failed > 0 ? { failed } : {}),
          done: recorded.partDone,
          leaseEnded: recorded.partDone,
          ...(recorded.batch.isFinished ? { batchFinished: finishedBatch(recorded.batch) } : {}),
        };
      });
      return { ok: true, report };
    } catch (error) {
      if (error instanceof ChunkSuperseded) return { ok: true, report: SUPERSEDED };
      // The store failing, or a failure before any item was handed over, says nothing about the items.
      if (error instanceof StoreFailure || items.length === 0) throw error;
      return { ok: false, error, items };
    }
  }

  /**
   * The first `failed.items` pending items threw together: tries each half in input order (the
   * earlier half commits first, so earlier items still win conflicts), splitting again what throws.
   */
  private async settle(lease: BatchLease, failed: Extract<Attempt, { ok: false }>, deadline: number): Promise<Settled> {
    const [only] = failed.items;
    if (failed.items.length === 1 && only !== undefined) return this.settleOne(lease, only, failed.error, deadline);
    const left = Math.ceil(failed.items.length / 2);
    let processed = 0;
    let failedCount = 0;
    const unexpected: UnexpectedFailure[] = [];
    let last: Settled = NOTHING_LEFT;
    const parts = [left, failed.items.length - left];
    for (const [i, part] of parts.entries()) {
      const attempt = await this.attempt(lease, part);
      last = attempt.ok ? attempt.report : await this.settle(lease, attempt, deadline);
      processed += last.processed;
      failedCount += last.failed ?? 0;
      unexpected.push(...(last.unexpected ?? []));
      if (last.done) break;
      // Past the deadline, stop after a part that made progress: what is left stays pending, in order.
      if (last.stopped || (i < parts.length - 1 && processed > 0 && this.clock.now() >= deadline)) {
        last = { ...last, stopped: true };
        break;
      }
    }
    return {
      processed,
      ...(failedCount > 0 ? { failed: failedCount } : {}),
      done: last.done,
      leaseEnded: last.leaseEnded,
      ...(last.superseded ? { superseded: true } : {}),
      ...(last.batchFinished ? { batchFinished: last.batchFinished } : {}),
      ...(unexpected.length > 0 ? { unexpected } : {}),
      ...(last.stopped ? { stopped: true } : {}),
    };
  }

  /** `item` threw on its own once: tries it again, then records it as failed with PROCESSING_ERROR. */
  private async settleOne(lease: BatchLease, item: PendingItem, error: unknown, deadline: number): Promise<Settled> {
    let last = error;
    for (let tries = 1; tries < ITEM_TRIES; tries++) {
      const attempt = await this.attempt(lease, 1);
      if (attempt.ok) return attempt.report;
      // Someone else moved the batch on meanwhile (a lost lease): start over from what is pending.
      const [first] = attempt.items;
      if (first === undefined) throw new Error('A failed attempt names no items');
      if (first.seq !== item.seq) return this.settle(lease, attempt, deadline);
      last = attempt.error;
    }
    // Recording only the outcome: if even this fails, the store is at fault, and it propagates.
    const recordFailure = this.store.transaction(async (tx): Promise<ChunkReport> => {
      const batch = await this.store.load(tx, lease.locator);
      if (batch === null || batch.isFinished) return NOTHING_LEFT;
      const [head] = await this.store.pendingItems(tx, lease, 1);
      if (head?.seq !== item.seq) return { processed: 0, done: false, leaseEnded: false };
      const now = this.clock.now();
      const outcome: ItemOutcome = { seq: item.seq, kind: 'failed', code: PROCESSING_ERROR, reason: PROCESSING_ERROR_REASON };
      const recorded = await this.store.recordChunk(tx, lease, [outcome], (fresh) => {
        fresh.start(now);
        fresh.recordOutcomes(['failed'], now);
      });
      return {
        processed: 1,
        failed: 1,
        done: recorded.partDone,
        leaseEnded: recorded.partDone,
        unexpected: [{ seq: item.seq, refId: item.refId, error: last }],
        ...(recorded.batch.isFinished ? { batchFinished: finishedBatch(recorded.batch) } : {}),
      };
    });
    return recordFailure.catch((failure: unknown) => {
      if (failure instanceof ChunkSuperseded) return SUPERSEDED;
      throw failure;
    });
  }
}
