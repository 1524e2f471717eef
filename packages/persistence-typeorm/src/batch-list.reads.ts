// Listing a tenant's batches of one type, newest first, by keyset paging, optionally of one
// derived status; summaries only, without a file batch's header.
import { Batch, BatchListQuery, BatchListScope, BatchStatus } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { fromBatchRow, SUMMARY_FIELDS } from './batch.mapper';
import { BatchSchema } from './schemas/batch.schema';

/** One page of the list (BatchReads.list). */
export async function listBatches(manager: EntityManager, scope: BatchListScope, query: BatchListQuery): Promise<Batch[]> {
  const builder = manager
    .createQueryBuilder()
    .select(SUMMARY_FIELDS.map((field) => `b.${field}`))
    .from(BatchSchema, 'b')
    .where('b.tenant_id = :tenantId AND b.target_type = :targetType AND b.kind = :kind AND b.intake_open = 0', {
      tenantId: scope.tenantId,
      targetType: scope.targetType,
      kind: scope.kind,
    })
    .orderBy('b.created_at', 'DESC')
    .addOrderBy('b.id', 'DESC')
    .limit(query.limit);
  if (query.after) {
    builder.andWhere('(b.created_at < :createdAt OR (b.created_at = :createdAt AND b.id < :afterId))', {
      createdAt: query.after.createdAt,
      afterId: query.after.batchId,
    });
  }
  if (query.status) builder.andWhere(STATUS_CONDITION[query.status]);
  const rows = await builder.getMany();
  return rows.map((row) => fromBatchRow({ ...row, columns: null }));
}

/** The derived status (Batch.status) as SQL over the counters and times. */
const STATUS_CONDITION: Readonly<Record<BatchStatus, string>> = {
  QUEUED: 'b.cancelled_at IS NULL AND b.completed_at IS NULL AND b.started_at IS NULL',
  IN_PROGRESS: 'b.cancelled_at IS NULL AND b.completed_at IS NULL AND b.started_at IS NOT NULL',
  SUCCESS: 'b.cancelled_at IS NULL AND b.completed_at IS NOT NULL AND b.failed = 0',
  PARTIAL_SUCCESS: 'b.cancelled_at IS NULL AND b.completed_at IS NOT NULL AND b.failed > 0 AND b.success > 0',
  FAILED: 'b.cancelled_at IS NULL AND b.completed_at IS NOT NULL AND b.failed > 0 AND b.success = 0',
  CANCELLED: 'b.cancelled_at IS NOT NULL',
};
