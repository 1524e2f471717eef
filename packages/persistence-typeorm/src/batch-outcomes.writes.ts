// Writes that move a stored batch on: item outcomes with the counters they change (also used by
// TypeOrmBatchProcessingStore, inside a chunk's transaction), and cancellation.
import { Batch, BatchLocator, ItemOutcome } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { execute, lockedForUpdate } from './sql';
import { fromBatchRow, toBatchProgress } from './batch.mapper';
import { Database } from './database';
import { BatchItemSchema, BatchSchema } from './schemas/batch.schema';

/** The batch's row key, read inside the caller's transaction. */
async function pkOf(manager: EntityManager, batch: Batch): Promise<number> {
  const row = await manager.findOne(BatchSchema, { select: { pk: true }, where: { tenantId: batch.tenantId, id: batch.id } });
  if (row === null) throw new Error(`Batch ${batch.id} is not stored`);
  return row.pk;
}

/**
 * Writes outcomes of pending items and the batch's counters, inside the caller's transaction. Each
 * outcome is one fixed UPDATE by primary key (the driver reuses the prepared statement), and must
 * land on an item that was pending, or the transaction fails. (A set-based UPDATE ... FROM VALUES
 * was tried: SQLite's planner then walks every pending item of the batch for each chunk.)
 */
export async function writeOutcomes(manager: EntityManager, batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void> {
  const batchPk = await pkOf(manager, batch);
  for (const o of outcomes) {
    const changed =
      o.kind === 'success'
        ? await execute(manager, "UPDATE batch_items SET state = 'success', result_id = ? WHERE batch_pk = ? AND seq = ? AND state = 'pending'", [
            o.resultId,
            batchPk,
            o.seq,
          ])
        : await execute(manager, "UPDATE batch_items SET state = 'failed', reason = ?, code = ? WHERE batch_pk = ? AND seq = ? AND state = 'pending'", [
            o.reason,
            o.code,
            batchPk,
            o.seq,
          ]);
    if (changed !== 1) throw new Error(`Item ${o.seq} of ${batch.id} is not pending`);
  }
  // A finished batch is never claimed again: its lease ends with the write that finished it.
  await manager.update(
    BatchSchema,
    { pk: batchPk },
    batch.isFinished ? { ...toBatchProgress(batch), leaseOwner: null, leaseExpiresAt: null } : toBatchProgress(batch),
  );
}

/** Turns the batch's pending items into cancelled ones and stores its counters, inside the caller's transaction. */
export async function writeCancellation(manager: EntityManager, batch: Batch): Promise<void> {
  const batchPk = await pkOf(manager, batch);
  const result = await manager.update(BatchItemSchema, { batchPk, state: 'pending' }, { state: 'cancelled' });
  if (result.affected !== batch.counts.cancelled) {
    throw new Error(`Batch ${batch.id} counts ${batch.counts.cancelled} cancelled items but ${String(result.affected)} were pending`);
  }
  await manager.update(BatchSchema, { pk: batchPk }, toBatchProgress(batch));
}

/**
 * Reads and cancels a batch in one transaction, its row locked, so no outcome lands between the
 * two (BatchWrites.cancel): a chunk in flight on another connection commits first, or waits.
 */
export async function cancelBatch(database: Database, locator: BatchLocator, now: number): Promise<{ batch: Batch; cancelled: boolean } | null> {
  return database.write(async (manager) => {
    const row = await manager.findOne(BatchSchema, {
      where: { tenantId: locator.tenantId, id: locator.batchId, kind: locator.kind, targetType: locator.targetType, intakeOpen: 0 },
      ...lockedForUpdate(manager),
    });
    if (row === null) return null;
    const batch = fromBatchRow(row);
    if (!batch.cancel(now).ok) return { batch, cancelled: false };
    await writeCancellation(manager, batch);
    return { batch, cancelled: true };
  });
}
