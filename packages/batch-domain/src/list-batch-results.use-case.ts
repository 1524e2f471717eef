// ListBatchResults: every item result of a batch, in input order, a page at a time; readable
// while the batch runs (pending items are not listed yet).
import { parseBatchId } from './batch-id';
import { Batch } from './batch';
import { ItemResult } from './batch-item';
import { BatchRepository } from './batch-repository.port';
import { TargetTypeRule, batchNotFound } from './batch-access';
import { AccessVerifier } from './ports';
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
    private readonly batches: BatchRepository,
    private readonly access: AccessVerifier,
    private readonly targetType: TargetTypeRule,
  ) {}

  async execute(input: ListBatchResultsInput): Promise<Result<ResultsPage, BatchError<'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'INVALID_BATCH_ID' | 'BATCH_NOT_FOUND'>>> {
    const principal = await this.access.verify(input.accessToken, input.tenantId);
    if (!principal.ok) return principal;
    const violations: Violation[] = [];
    if (!this.targetType.test(input.targetType)) violations.push({ path: this.targetType.parameter, message: this.targetType.description });
    const outcome = input.outcome === undefined || input.outcome === '' ? undefined : input.outcome;
    if (outcome !== undefined && outcome !== 'success' && outcome !== 'failed') violations.push({ path: 'outcome', message: 'must be success or failed' });
    const limit = parseLimit(input.limit);
    if (limit === null) violations.push({ path: 'limit', message: `must be an integer from 1 to ${RESULTS_PAGE_LIMIT.max}` });
    const afterSeq = parseCursor(input.cursor);
    if (afterSeq === null) violations.push({ path: 'cursor', message: 'is not a cursor this service gave out' });
    if (violations.length > 0) return err(domainError('VALIDATION_FAILED', 'The listing options break some rules.', violations));
    const batchId = parseBatchId(input.batchId);
    if (!batchId.ok) return batchId;

    const locator = { tenantId: principal.value.tenantId, targetType: input.targetType, batchId: batchId.value };
    const found = await this.batches.findResults(locator, {
      ...(outcome !== undefined ? { outcome: outcome as 'success' | 'failed' } : {}),
      afterSeq: afterSeq!,
      limit: limit! + 1,
      ...(input.withInput ? { withInput: true } : {}),
    });
    if (found === null) return err(batchNotFound(locator));
    const items = found.items.slice(0, limit!);
    const lastSeq = items[items.length - 1]?.seq ?? afterSeq!;
    const more = found.items.length > limit! || found.batch.counts.pending > 0;
    return ok({ batch: found.batch, items, nextCursor: more ? encodeCursor(lastSeq + 1) : null });
  }
}

function parseLimit(raw: unknown): number | null {
  if (raw === undefined || raw === '') return RESULTS_PAGE_LIMIT.default;
  if (typeof raw !== 'string' || !/^\d{1,5}$/.test(raw)) return null;
  const limit = Number(raw);
  return limit >= 1 && limit <= RESULTS_PAGE_LIMIT.max ? limit : null;
}

/** A cursor names the first position the next page may hold. */
const encodeCursor = (fromSeq: number): string => Buffer.from(`s:${fromSeq}`, 'utf8').toString('base64url');

/** The last position already served (-1 for none), or null for a cursor that is not ours. */
function parseCursor(raw: unknown): number | null {
  if (raw === undefined || raw === '') return -1;
  if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]{1,24}$/.test(raw)) return null;
  const match = /^s:(\d{1,9})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  return match ? Number(match[1]) - 1 : null;
}
