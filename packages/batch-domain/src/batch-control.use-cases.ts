// Batch control (contract §8): cancel a running batch, retry the failed items of a finished one
// as a new batch, and list a tenant's batches newest first.
import { ConflictWatch } from './conflict-watch';
import { Actor, BATCH_STATUSES, Batch, BatchStatus } from './batch';
import { BatchId, batchIdFromUuid, parseBatchId } from './batch-id';
import { BatchReads, BatchWrites } from './batch-repository.port';
import { BatchScope, batchNotFound, locateBatch } from './batch-access';
import { AccessVerifier, Clock, IdGenerator } from './ports';
import { CursorFormat, encodeCursor, parsePage } from './paging';
import { Result, Violation, domainError, err, ok } from './result';
import { BatchError } from './batch-errors';
import { TargetTypeDirectory } from './submit-batch.use-case';
import { DEFAULT_INTAKE_IDLE_MS } from './submit-batch-file.use-case';

export interface BatchCommandInput {
  readonly accessToken: string | undefined;
  readonly tenantId: string;
  readonly targetType: string;
  readonly batchId: unknown;
}

type LocateError = BatchError<'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'INVALID_BATCH_ID'>;

export class CancelBatch {
  constructor(
    private readonly batches: BatchWrites,
    private readonly access: AccessVerifier,
    private readonly scope: BatchScope,
    private readonly clock: Clock,
  ) {}

  /** Cancels a QUEUED or IN_PROGRESS batch: every item not yet processed becomes cancelled. */
  async execute(input: BatchCommandInput): Promise<Result<Batch, LocateError | BatchError<'BATCH_NOT_FOUND' | 'BATCH_NOT_CANCELLABLE'>>> {
    const locator = await locateBatch(this.access, this.scope, input);
    if (!locator.ok) return locator;
    const done = await this.batches.cancel(locator.value, this.clock.now());
    if (done === null) return err(batchNotFound(locator.value));
    if (!done.cancelled)
      return err(domainError('BATCH_NOT_CANCELLABLE', `Batch ${locator.value.batchId} is already ${done.batch.status} and cannot be cancelled.`));
    return ok(done.batch);
  }
}

/** Failed items read per page while a retry copies them. */
const RETRY_PAGE_SIZE = 5000;

export class RetryBatch {
  constructor(
    private readonly reads: BatchReads,
    private readonly writes: BatchWrites,
    private readonly access: AccessVerifier,
    private readonly scope: BatchScope,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * A new batch of the failed items of a finished one, in their order, with their original input
   * and rows, the same operation and source, and `parentBatchId`. Copied a page at a time, so a
   * retry of a 200 000-row file needs no more memory than a small one.
   */
  async execute(
    input: BatchCommandInput & { readonly actor: Actor | null },
  ): Promise<Result<{ batchId: BatchId; total: number }, LocateError | BatchError<'BATCH_NOT_FOUND' | 'BATCH_NOT_FINISHED' | 'NOTHING_TO_RETRY'>>> {
    const located = await locateBatch(this.access, this.scope, input);
    if (!located.ok) return located;
    const locator = located.value;
    const head = await this.reads.findResults(locator, { outcome: 'failed', afterSeq: -1, limit: 1 });
    if (head === null) return err(batchNotFound(locator));
    const original = head.batch;
    if (!original.isFinished)
      return err(domainError('BATCH_NOT_FINISHED', `Batch ${locator.batchId} is ${original.status}; only a finished batch can be retried.`));
    if (original.counts.failed === 0) return err(domainError('NOTHING_TO_RETRY', `Batch ${locator.batchId} has no failed items to retry.`));

    const snapshot = original.toSnapshot();
    const batchId = batchIdFromUuid(this.ids.uuid());
    const expiry = () => this.clock.now() + DEFAULT_INTAKE_IDLE_MS;
    const intake = await this.writes.beginIntake({
      tenantId: locator.tenantId,
      kind: locator.kind,
      batchId,
      targetType: locator.targetType,
      expiresAt: expiry(),
    });
    try {
      // The retried items keep their order; conflicts among them are decided in it, as at first.
      const conflicts = new ConflictWatch(this.scope.conflictKeys, snapshot.operation, snapshot.columns);
      let afterSeq = -1;
      for (;;) {
        const page = await this.reads.findResults(locator, { outcome: 'failed', afterSeq, limit: RETRY_PAGE_SIZE, withInput: true });
        const items = page?.items ?? [];
        const lastItem = items.at(-1);
        if (lastItem === undefined) break;
        const duplicate = await intake.append(
          items.map((r) => conflicts.mark({ refId: r.refId, row: r.row, input: r.input })),
          expiry(),
        );
        if (duplicate) throw new Error(`Batch ${locator.batchId} holds the reference '${duplicate.refId}' twice`);
        afterSeq = lastItem.seq;
      }
      const batch = Batch.submit(
        {
          id: batchId,
          tenantId: locator.tenantId,
          kind: locator.kind,
          targetType: locator.targetType,
          operation: snapshot.operation,
          source: snapshot.source,
          columns: snapshot.columns,
          total: intake.count,
          createdBy: input.actor,
          parentBatchId: snapshot.id,
        },
        this.clock.now(),
      );
      if (!batch.ok) throw new Error(batch.error.message);
      await intake.commit(batch.value);
      return ok({ batchId, total: intake.count });
    } catch (error) {
      await intake.discard().catch(() => undefined);
      throw error;
    }
  }
}

export const BATCH_LIST_LIMIT = { default: 50, max: 500 } as const;

export interface ListBatchesInput {
  readonly accessToken: string | undefined;
  readonly tenantId: string;
  readonly targetType: string;
  readonly status?: unknown;
  readonly limit?: unknown;
  readonly cursor?: unknown;
}

export class ListBatches {
  constructor(
    private readonly batches: BatchReads,
    private readonly targetTypes: TargetTypeDirectory,
    private readonly access: AccessVerifier,
    private readonly scope: BatchScope,
  ) {}

  async execute(
    input: ListBatchesInput,
  ): Promise<Result<{ items: readonly Batch[]; nextCursor: string | null }, BatchError<'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'BATCH_NOT_FOUND'>>> {
    const principal = await this.access.verify(input.accessToken, input.tenantId);
    if (!principal.ok) return principal;
    const violations: Violation[] = [];
    const rule = this.scope.targetType;
    if (!rule.test(input.targetType)) violations.push({ path: rule.parameter, message: rule.description });
    const status = input.status === undefined || input.status === '' ? undefined : input.status;
    if (status !== undefined && !BATCH_STATUSES.includes(status as BatchStatus))
      violations.push({ path: 'status', message: `must be one of ${BATCH_STATUSES.join(', ')}` });
    const paging = parsePage(input, BATCH_LIST_LIMIT, BATCH_LIST_CURSOR);
    if (!paging.ok) violations.push(...paging.violations);
    if (!paging.ok || violations.length > 0) return err(domainError('VALIDATION_FAILED', 'The listing options break some rules.', violations));
    const tenantId = principal.value.tenantId;
    if (!(await this.targetTypes.exists(tenantId, input.targetType))) {
      return err(domainError('BATCH_NOT_FOUND', `No batches of type '${input.targetType}' exist for this tenant.`));
    }
    const { limit, after } = paging.page;
    const found = await this.batches.list(
      { tenantId, kind: this.scope.kind, targetType: input.targetType },
      {
        ...(status !== undefined ? { status: status as BatchStatus } : {}),
        limit: limit + 1,
        ...(after ? { after } : {}),
      },
    );
    const items = found.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor = found.length > limit && last ? encodeCursor(`b:${last.toSnapshot().createdAt}:${last.id}`) : null;
    return ok({ items, nextCursor });
  }
}

/** A cursor names the last batch served, by creation time and id. */
const BATCH_LIST_CURSOR: CursorFormat<{ createdAt: number; batchId: BatchId }> = {
  maxLength: 200,
  read: (text) => {
    const match = /^b:(\d{1,16}):(.+)$/.exec(text);
    if (!match) return null;
    const batchId = parseBatchId(match[2]);
    return batchId.ok ? { createdAt: Number(match[1]), batchId: batchId.value } : null;
  },
};
