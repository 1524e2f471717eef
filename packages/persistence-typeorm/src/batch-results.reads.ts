// Paging through a batch's results: items with an outcome after a position, optionally of one
// outcome and with their input, for the results routes and exports.
import { Batch, BatchLocator, ItemResult, ResultsPageQuery } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { fromBatchRow } from './batch.mapper';
import { BatchItemRow, BatchItemSchema, BatchSchema } from './schemas/batch.schema';

type ResultRow = Pick<BatchItemRow, 'seq' | 'refId' | 'row' | 'state' | 'resultId' | 'reason' | 'code'> & { input?: string };

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
  const columns = [
    'i.seq AS seq',
    'i.ref_id AS "refId"',
    'i.row AS row',
    'i.state AS state',
    'i.result_id AS "resultId"',
    'i.reason AS reason',
    'i.code AS code',
  ];
  const builder = manager
    .createQueryBuilder()
    .select(query.withInput ? [...columns, 'i.input AS input'] : columns)
    .from(BatchItemSchema, 'i')
    .where('i.batch_pk = :pk AND i.seq > :after', { pk: batch.pk, after: query.afterSeq })
    .orderBy('i.seq', 'ASC')
    .limit(query.limit);
  if (query.outcome) {
    builder.andWhere('i.state = :state', { state: query.outcome });
  } else {
    // Parts of a batch are processed at the same time and its deferred items last, so the items
    // with an outcome may be anywhere in it: no range bounds them while it is processed.
    builder.andWhere("i.state <> 'pending'");
  }
  const rows = await builder.getRawMany<ResultRow>();
  const items = rows.map((r) => (query.withInput ? { ...toItemResult(r), input: JSON.parse(r.input ?? 'null') as unknown } : toItemResult(r)));
  return { batch: fromBatchRow(batch), items };
}

/** An item row as a result (pending rows are never read here). */
function toItemResult(r: ResultRow): ItemResult {
  if (r.state === 'success') return { seq: r.seq, refId: r.refId, row: r.row, outcome: 'success', resultId: r.resultId ?? '' };
  if (r.state === 'failed') return { seq: r.seq, refId: r.refId, row: r.row, outcome: 'failed', reason: r.reason ?? '', code: r.code ?? '' };
  return { seq: r.seq, refId: r.refId, row: r.row, outcome: 'cancelled' };
}
