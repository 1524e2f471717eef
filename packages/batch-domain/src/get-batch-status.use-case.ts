// GetBatchStatus: "what happened to my batch?" Checks the caller, then the query, then reads.
import { BatchStatus, BatchSnapshot } from './batch';
import { parseBatchId } from './batch-id';
import { FailureResult, SuccessResult } from './batch-item';
import { BatchRepository } from './batch-repository.port';
import { AccessVerifier } from './ports';
import { DomainError, Result, domainError, err, ok } from './result';

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

export type GetBatchStatusError = DomainError<'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'INVALID_BATCH_ID' | 'BATCH_NOT_FOUND'>;

/** How target type names look to the service reusing this use case; anything else is a bad request. */
export interface TargetTypeRule {
  /** The name of the parameter that carries the type, as clients know it. */
  readonly parameter: string;
  /** What a valid name looks like, in words, for error messages. */
  readonly description: string;
  readonly test: (name: string) => boolean;
}

/** Refuses a target type name that breaks the rule, naming the parameter. */
export function checkTargetTypeName(rule: TargetTypeRule, name: string): Result<string, DomainError<'VALIDATION_FAILED'>> {
  if (rule.test(name)) return ok(name);
  return err(domainError('VALIDATION_FAILED', `${rule.parameter} ${rule.description}.`, [{ path: rule.parameter, message: rule.description }]));
}

export interface GetBatchStatusOptions {
  readonly targetType: TargetTypeRule;
  readonly listLimit?: number;
}

export class GetBatchStatus {
  private readonly listLimit: number;

  constructor(
    private readonly batches: BatchRepository,
    private readonly access: AccessVerifier,
    private readonly options: GetBatchStatusOptions,
  ) {
    this.listLimit = options.listLimit ?? STATUS_LIST_LIMIT;
  }

  async execute(input: GetBatchStatusInput): Promise<Result<BatchStatusReport, GetBatchStatusError>> {
    const principal = await this.access.verify(input.accessToken, input.tenantId);
    if (!principal.ok) return principal;

    const targetType = checkTargetTypeName(this.options.targetType, input.targetType);
    if (!targetType.ok) return targetType;
    const batchId = parseBatchId(input.batchId);
    if (!batchId.ok) return batchId;

    const view = await this.batches.findStatus(
      { tenantId: principal.value.tenantId, targetType: input.targetType, batchId: batchId.value },
      this.listLimit,
    );
    if (view === null) {
      return err(domainError('BATCH_NOT_FOUND', `No batch ${batchId.value} of type '${input.targetType}' exists for this tenant.`));
    }
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
