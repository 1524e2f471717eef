// GetBatchStatus: "what happened to my batch?" Checks the caller, then the query, then reads.
import { BatchStatus, BatchSnapshot } from './batch';
import { BatchScope, batchNotFound, locateBatch } from './batch-access';
import { FailureResult, SuccessResult } from './batch-item';
import { BatchProgress } from './batch-progress';
import { BatchLocator, BatchReads } from './batch-repository.port';
import { AccessVerifier, Clock } from './ports';
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
  /** As read when the report was made. */
  readonly progress: BatchProgress;
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
    private readonly clock: Clock,
  ) {
    this.listLimit = options.listLimit ?? STATUS_LIST_LIMIT;
  }

  async execute(input: GetBatchStatusInput): Promise<Result<BatchStatusReport, GetBatchStatusError>> {
    const locator = await this.locate(input);
    if (!locator.ok) return locator;
    const report = await this.read(locator.value);
    return report === null ? err(batchNotFound(locator.value)) : ok(report);
  }

  /** The checks of `execute` without the read: where the caller's batch would be. */
  locate(input: GetBatchStatusInput): Promise<Result<BatchLocator, GetBatchStatusError>> {
    return locateBatch(this.access, this.options, input);
  }

  /**
   * The read of `execute` for a batch already located (so checked for its caller): what callers
   * waiting on one batch share, instead of reading once each. Null when it does not exist.
   */
  async read(locator: BatchLocator): Promise<BatchStatusReport | null> {
    const view = await this.batches.findStatus(locator, this.listLimit);
    if (view === null) return null;
    const { batch } = view;
    return {
      batch: batch.toSnapshot(),
      status: batch.status,
      pending: batch.counts.pending,
      failures: view.failures,
      successes: view.successes,
      hasMore: view.hasMore,
      progress: batch.progressAt(this.clock.now()),
    };
  }
}
