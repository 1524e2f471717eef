// Paging through a batch's results: items with an outcome after a position, optionally of one
// outcome and with their input, for the results routes and exports.
import { Batch, BatchLocator, ItemResult, ResultsPageQuery } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { fromBatchRow } from './batch.mapper';
import { BatchOutcomeRow, BatchSchema } from './schemas/batch.schema';
import { outcomesByState } from './batch-outcomes.sql';
import { select } from './sql';

type ResultRow = Pick<BatchOutcomeRow, 'seq' | 'refId' | 'row' | 'state' | 'resultId' | 'reason' | 'code'> & { input?: string };

/** An export's page also gives each item's input, from the items. */
const INPUT = ', i.input AS input';
const ITEMS = ' JOIN batch_items i ON i.batch_pk = o.batch_pk AND i.seq = o.seq';

/** The batch and one page of its results, or null when no such batch is stored (BatchReads.findResults). */
export async function readResults(
  manager: EntityManager,
  locator: BatchLocator,
  query: ResultsPageQuery,
): Promise<{ batch: Batch; items: ItemResult[] } | null> {
  const batch = await manager.findOne(BatchSchema, {
    where: { tenantId: locator.tenantId, id: locator.batchId, kind: locator.kind, targetType: locator.targetType, intakeOpen: 0 },
  });
  if (batch === null) return null;
  const outcomes = query.outcome ? outcomesByState(manager) : 'batch_outcomes o';
  // Items with an outcome only: parts of a batch are processed at the same time and its deferred
  // items last, so they may be anywhere in it while it is processed.
  const rows = await select<ResultRow>(
    manager,
    `SELECT o.seq AS seq, o.ref_id AS "refId", o.row AS row, o.state AS state, o.result_id AS "resultId", o.reason AS reason, o.code AS code${query.withInput ? INPUT : ''}
     FROM ${outcomes}${query.withInput ? ITEMS : ''} WHERE o.batch_pk = ? AND o.seq > ?${query.outcome ? ' AND o.state = ?' : ''} ORDER BY o.seq LIMIT ?`,
    query.outcome ? [batch.pk, query.afterSeq, query.outcome, query.limit] : [batch.pk, query.afterSeq, query.limit],
  );
  const items = rows.map((r) => (query.withInput ? { ...toItemResult(r), input: JSON.parse(r.input ?? 'null') as unknown } : toItemResult(r)));
  return { batch: fromBatchRow(batch), items };
}

/** An outcome and its item as a result. */
function toItemResult(r: ResultRow): ItemResult {
  if (r.state === 'success') return { seq: r.seq, refId: r.refId, row: r.row, outcome: 'success', resultId: r.resultId ?? '' };
  if (r.state === 'failed') return { seq: r.seq, refId: r.refId, row: r.row, outcome: 'failed', reason: r.reason ?? '', code: r.code ?? '' };
  return { seq: r.seq, refId: r.refId, row: r.row, outcome: 'cancelled' };
}
