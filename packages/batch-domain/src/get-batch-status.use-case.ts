// GetBatchStatus: "what happened to my batch?" Checks the caller, then the query, then reads.
import { BatchStatus, BatchSnapshot } from './batch';
import { BatchScope, batchNotFound, locateBatch } from './batch-access';
import { FailureResult, SuccessResult } from './batch-item';
import { BatchReads } from './batch-repository.port';
import { AccessVerifier } from './ports';
import { Result, err, ok } from './result';
import { BatchError } from './batch-errors';

export const STATUS_LIST_LIMIT = 1024;

export interface GetBatchStatusInput {
  readonly accessToken: string | undefined;
  readonly tenantId: string;
  readonly targetType: string;
  readonly batchId: unknown;
}

export interface BatchStatusReport {
  readonly batch: BatchSnapshot;
  readonly status: BatchStatus;
  readonly pending: number;
  readonly failures: readonly FailureResult[];
  readonly successes: readonly SuccessResult[];
  readonly hasMore: boolean;
}

export type GetBatchStatusError = BatchError<'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'INVALID_BATCH_ID' | 'BATCH_NOT_FOUND'>;

export interface GetBatchStatusOptions extends BatchScope {
  readonly listLimit?: number;
}

export class GetBatchStatus {
  private readonly listLimit: number;

  constructor(
    private readonly batches: BatchReads,
    private readonly access: AccessVerifier,
    private readonly options: GetBatchStatusOptions,
  ) {
    this.listLimit = options.listLimit ?? STATUS_LIST_LIMIT;
  }

  async execute(input: GetBatchStatusInput): Promise<Result<BatchStatusReport, GetBatchStatusError>> {
    const locator = await locateBatch(this.access, this.options, input);
    if (!locator.ok) return locator;
    const view = await this.batches.findStatus(locator.value, this.listLimit);
    if (view === null) return err(batchNotFound(locator.value));
    const { batch } = view;
    return ok({
      batch: batch.toSnapshot(),
      status: batch.status,
      pending: batch.counts.pending,
      failures: view.failures,
      successes: view.successes,
      hasMore: view.hasMore,
    });
  }
}
