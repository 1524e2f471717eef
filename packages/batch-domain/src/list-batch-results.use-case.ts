// ListBatchResults: every item result of a batch, in input order, a page at a time; readable
// while the batch runs (pending items are not listed yet).
import { parseBatchId } from './batch-id';
import { Batch } from './batch';
import { ItemResult } from './batch-item';
import { BatchReads } from './batch-repository.port';
import { BatchScope, batchNotFound } from './batch-access';
import { AccessVerifier } from './ports';
import { CursorFormat, encodeCursor, parsePage } from './paging';
import { Result, Violation, domainError, err, ok } from './result';
import { BatchError } from './batch-errors';

export const RESULTS_PAGE_LIMIT = { default: 1000, max: 5000 } as const;

export interface ListBatchResultsInput {
  readonly accessToken: string | undefined;
  readonly tenantId: string;
  readonly targetType: string;
  readonly batchId: unknown;
  readonly outcome?: unknown;
  readonly limit?: unknown;
  readonly cursor?: unknown;
  /** Also give each item's input as received (for exports that hand the input back). */
  readonly withInput?: boolean;
}

export interface ResultsPage {
  readonly batch: Batch;
  readonly items: readonly ItemResult[];
  /**
   * Pass back as `cursor` for the next page. While the batch has pending items it is always
   * given (poll it for results still to come); null once the batch is finished and all is read.
   */
  readonly nextCursor: string | null;
}

export class ListBatchResults {
  constructor(
    private readonly batches: BatchReads,
    private readonly access: AccessVerifier,
    private readonly scope: BatchScope,
  ) {}

  async execute(
    input: ListBatchResultsInput,
  ): Promise<Result<ResultsPage, BatchError<'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'INVALID_BATCH_ID' | 'BATCH_NOT_FOUND'>>> {
    const principal = await this.access.verify(input.accessToken, input.tenantId);
    if (!principal.ok) return principal;
    const violations: Violation[] = [];
    const rule = this.scope.targetType;
    if (!rule.test(input.targetType)) violations.push({ path: rule.parameter, message: rule.description });
    const outcome = input.outcome === undefined || input.outcome === '' ? undefined : input.outcome;
    if (outcome !== undefined && outcome !== 'success' && outcome !== 'failed') violations.push({ path: 'outcome', message: 'must be success or failed' });
    const paging = parsePage(input, RESULTS_PAGE_LIMIT, RESULTS_CURSOR);
    if (!paging.ok) violations.push(...paging.violations);
    if (!paging.ok || violations.length > 0) return err(domainError('VALIDATION_FAILED', 'The listing options break some rules.', violations));
    const batchId = parseBatchId(input.batchId);
    if (!batchId.ok) return batchId;

    const { limit } = paging.page;
    const afterSeq = paging.page.after ?? -1;
    const locator = { tenantId: principal.value.tenantId, kind: this.scope.kind, targetType: input.targetType, batchId: batchId.value };
    const found = await this.batches.findResults(locator, {
      ...(outcome !== undefined ? { outcome: outcome as 'success' | 'failed' } : {}),
      afterSeq,
      limit: limit + 1,
      ...(input.withInput ? { withInput: true } : {}),
    });
    if (found === null) return err(batchNotFound(locator));
    const items = found.items.slice(0, limit);
    const lastSeq = items[items.length - 1]?.seq ?? afterSeq;
    const more = found.items.length > limit || found.batch.counts.pending > 0;
    return ok({ batch: found.batch, items, nextCursor: more ? encodeCursor(`s:${lastSeq + 1}`) : null });
  }
}

/** A cursor names the first position the next page may hold; read back, the last position already served. */
const RESULTS_CURSOR: CursorFormat<number> = {
  maxLength: 24,
  read: (text) => {
    const match = /^s:(\d{1,9})$/.exec(text);
    return match ? Number(match[1]) - 1 : null;
  },
};
