// The Batch aggregate: one submitted unit of work for a tenant, of one kind (the domain whose
// handlers apply its items, named by that domain) and one target type, with counters
// that always add up (success + failed + pending + cancelled == total) and a status derived from
// them. Nothing sets the status by hand.
import { BatchId } from './batch-id';
import { BatchProgress, RateWindow, batchProgress, nextRateWindow } from './batch-progress';
import { Result, domainError, err, ok } from './result';
import { BatchError } from './batch-errors';

export const BATCH_STATUSES = ['QUEUED', 'IN_PROGRESS', 'SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
const TERMINAL_STATUSES: readonly BatchStatus[] = ['SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'];

export type BatchOperation = 'create' | 'update';
export type BatchSource = 'json' | 'file';
export type CallbackState = 'NONE' | 'PENDING' | 'DELIVERED' | 'FAILED';

/** Who did something, as told by the caller: a person or an application, by id, with a name and an app id when known. */
export interface Actor {
  readonly id: string;
  readonly name?: string;
  /** The application that acted, on its own or for the person named. */
  readonly appID?: string;
}

export interface BatchCounts {
  readonly total: number;
  readonly success: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly pending: number;
}

export interface BatchSnapshot {
  readonly id: BatchId;
  readonly tenantId: string;
  /** What the batch's items are applied to, as the domain that handles them names it. */
  readonly kind: string;
  readonly targetType: string;
  readonly operation: BatchOperation;
  readonly source: BatchSource;
  readonly total: number;
  readonly success: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly completedAt: number | null;
  readonly cancelledAt: number | null;
  readonly createdBy: Actor | null;
  readonly parentBatchId: BatchId | null;
  readonly callbackState: CallbackState;
  readonly callbackAttempts: number;
  /** A file batch's header, in file order: each item's input is that row's cells. Null for JSON. */
  readonly columns: readonly string[] | null;
  /** Where the processing rate is measured from (see batch-progress.ts); null until the first outcome. */
  readonly rateWindow: RateWindow | null;
}

export interface SubmitBatchProps {
  readonly id: BatchId;
  readonly tenantId: string;
  readonly kind: string;
  readonly targetType: string;
  readonly operation: BatchOperation;
  readonly source: BatchSource;
  readonly total: number;
  readonly createdBy?: Actor | null;
  readonly parentBatchId?: BatchId | null;
  readonly hasCallback?: boolean;
  readonly columns?: readonly string[] | null;
}

export type ItemOutcomeKind = 'success' | 'failed';

export class Batch {
  private constructor(private state: BatchSnapshot) {}

  static submit(props: SubmitBatchProps, now: number): Result<Batch, BatchError<'VALIDATION_FAILED'>> {
    if (!Number.isSafeInteger(props.total) || props.total < 1) {
      return err(domainError('VALIDATION_FAILED', 'A batch needs at least one item.', [{ path: 'payload', message: 'must hold at least one item' }]));
    }
    return ok(
      new Batch({
        id: props.id,
        tenantId: props.tenantId,
        kind: props.kind,
        targetType: props.targetType,
        operation: props.operation,
        source: props.source,
        total: props.total,
        success: 0,
        failed: 0,
        cancelled: 0,
        createdAt: now,
        startedAt: null,
        completedAt: null,
        cancelledAt: null,
        createdBy: props.createdBy ?? null,
        parentBatchId: props.parentBatchId ?? null,
        callbackState: props.hasCallback ? 'PENDING' : 'NONE',
        callbackAttempts: 0,
        columns: props.columns ?? null,
        rateWindow: null,
      }),
    );
  }

  /** Rebuilds a stored batch; a snapshot that breaks an invariant is corrupt data, so it throws. */
  static fromSnapshot(snapshot: BatchSnapshot): Batch {
    const { total, success, failed, cancelled } = snapshot;
    for (const [name, value] of Object.entries({ total, success, failed, cancelled })) {
      if (!Number.isSafeInteger(value) || value < 0) throw new Error(`Corrupt batch ${snapshot.id}: ${name}=${value}`);
    }
    if (success + failed + cancelled > total) {
      throw new Error(`Corrupt batch ${snapshot.id}: ${success}+${failed}+${cancelled} outcomes exceed total ${total}`);
    }
    if (cancelled > 0 && snapshot.cancelledAt === null) {
      throw new Error(`Corrupt batch ${snapshot.id}: cancelled items without a cancellation time`);
    }
    return new Batch({ ...snapshot });
  }

  toSnapshot(): BatchSnapshot {
    return { ...this.state };
  }

  get id(): BatchId {
    return this.state.id;
  }

  get tenantId(): string {
    return this.state.tenantId;
  }

  get kind(): string {
    return this.state.kind;
  }

  get counts(): BatchCounts {
    const { total, success, failed, cancelled } = this.state;
    return { total, success, failed, cancelled, pending: total - success - failed - cancelled };
  }

  get status(): BatchStatus {
    const { pending, failed, success } = this.counts;
    if (this.state.cancelledAt !== null) return 'CANCELLED';
    if (pending > 0) return this.state.startedAt === null ? 'QUEUED' : 'IN_PROGRESS';
    if (failed === 0) return 'SUCCESS';
    return success === 0 ? 'FAILED' : 'PARTIAL_SUCCESS';
  }

  /** How far the batch is, how fast it goes and how long it still needs, as read at `now`. */
  progressAt(now: number): BatchProgress {
    return batchProgress(this.state, now);
  }

  get isFinished(): boolean {
    return TERMINAL_STATUSES.includes(this.status);
  }

  /** Marks the batch as taken up by a worker; a no-op once started. */
  start(now: number): void {
    if (this.state.startedAt === null && !this.isFinished) this.state = { ...this.state, startedAt: now };
  }

  /**
   * Counts the outcomes of items that were pending. Recording more outcomes than there are
   * pending items, or recording into a finished batch, is a bug in the caller.
   */
  recordOutcomes(kinds: readonly ItemOutcomeKind[], now: number): void {
    if (kinds.length === 0) return;
    if (this.isFinished) throw new Error(`Batch ${this.id} is finished; no outcome can be recorded`);
    if (kinds.length > this.counts.pending) {
      throw new Error(`Batch ${this.id} has ${this.counts.pending} pending items, ${kinds.length} outcomes were recorded`);
    }
    const succeeded = kinds.filter((kind) => kind === 'success').length;
    const next = { ...this.state, success: this.state.success + succeeded, failed: this.state.failed + kinds.length - succeeded };
    const startedAt = next.startedAt ?? now;
    this.state = {
      ...next,
      startedAt,
      completedAt: next.success + next.failed === next.total ? now : null,
      rateWindow: nextRateWindow(next.rateWindow, startedAt, next.success + next.failed, now),
    };
  }

  /**
   * Counts one try at delivering the finished batch's callback: DELIVERED when it was accepted,
   * FAILED once `maxAttempts` tries failed, else still PENDING.
   */
  recordCallbackAttempt(delivered: boolean, maxAttempts: number): void {
    if (this.state.callbackState !== 'PENDING') throw new Error(`Batch ${this.id} has no callback waiting (${this.state.callbackState})`);
    if (!this.isFinished) throw new Error(`Batch ${this.id} is not finished; its callback cannot be sent yet`);
    const attempts = this.state.callbackAttempts + 1;
    this.state = { ...this.state, callbackAttempts: attempts, callbackState: delivered ? 'DELIVERED' : attempts >= maxAttempts ? 'FAILED' : 'PENDING' };
  }

  /** Stops the batch: every pending item becomes cancelled. */
  cancel(now: number): Result<void, BatchError<'BATCH_NOT_CANCELLABLE'>> {
    if (this.isFinished) {
      return err(domainError('BATCH_NOT_CANCELLABLE', `Batch ${this.id} is already ${this.status} and cannot be cancelled.`));
    }
    this.state = { ...this.state, cancelled: this.counts.pending, cancelledAt: now, completedAt: now };
    return ok(undefined);
  }
}
