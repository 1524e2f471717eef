// Writes that move a stored batch on: item outcomes with the counters they change (also used by
// TypeOrmBatchProcessingStore, inside a chunk's transaction), and cancellation. Every one takes
// its row locks in the same order, items first, then the batch (then its parts), so that chunks of
// several parts and a cancel never wait on each other in a circle.
import { Batch, BatchLocator, ChunkSuperseded, ItemOutcome } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { immediateWrite, lockedForUpdate, onPostgres, slices } from './sql';
import { closeParts } from './batch-parts.writes';
import { fromBatchRow, toBatchProgress } from './batch.mapper';
import { Database } from './database';
import { pgArray, pgChanged } from './postgres-statements';
import { BatchItemSchema, BatchSchema } from './schemas/batch.schema';

/** The batch's row key, read inside the caller's transaction. */
async function pkOf(manager: EntityManager, batch: Batch): Promise<number> {
  const row = await manager.findOne(BatchSchema, { select: { pk: true }, where: { tenantId: batch.tenantId, id: batch.id } });
  if (row === null) throw new Error(`Batch ${batch.id} is not stored`);
  return row.pk;
}

/**
 * Writes outcomes of pending items, inside the caller's transaction; each must land on an item
 * that was pending, or ChunkSuperseded is thrown (the transaction then rolls back). On SQLite,
 * one fixed UPDATE by primary key per outcome, run at once (the driver reuses the prepared
 * statement, and a call costs no round trip nor an `await`; a set-based UPDATE ... FROM VALUES was
 * tried there: SQLite's planner then walks every pending item of the batch for each chunk). On PostgreSQL, where every
 * statement is a round trip to the server, one UPDATE per slice of outcomes, given as arrays.
 */
export async function writeItemOutcomes(manager: EntityManager, batchPk: number, batchId: string, outcomes: readonly ItemOutcome[]): Promise<void> {
  if (onPostgres(manager)) {
    for (const slice of slices(outcomes, OUTCOMES_PER_STATEMENT)) {
      const seqs = slice.map((o) => o.seq);
      const changed = await pgChanged(
        manager,
        OUTCOMES_UPDATE,
        [
          batchPk,
          pgArray(seqs),
          pgArray(slice.map((o) => (o.kind === 'success' ? 'success' : 'failed'))),
          pgArray(slice.map((o) => (o.kind === 'success' ? o.resultId : null))),
          pgArray(slice.map((o) => (o.kind === 'success' ? null : o.reason))),
          pgArray(slice.map((o) => (o.kind === 'success' ? null : o.code))),
          Math.min(...seqs),
          Math.max(...seqs),
        ],
        'each time',
      );
      if (changed !== slice.length) throw new ChunkSuperseded(`${slice.length - changed} items of ${batchId} are no longer pending`);
    }
    return;
  }
  const succeeded = immediateWrite(manager, SUCCESS_UPDATE);
  const failed = immediateWrite(manager, FAILURE_UPDATE);
  for (const o of outcomes) {
    const changed = o.kind === 'success' ? succeeded([o.resultId, batchPk, o.seq]) : failed([o.reason, o.code, batchPk, o.seq]);
    if (changed !== 1) throw new ChunkSuperseded(`Item ${o.seq} of ${batchId} is no longer pending`);
  }
}

/** One outcome on SQLite, by the item's primary key, only while it is pending. */
const SUCCESS_UPDATE = "UPDATE batch_items SET state = 'success', result_id = ? WHERE batch_pk = ? AND seq = ? AND state = 'pending'";
const FAILURE_UPDATE = "UPDATE batch_items SET state = 'failed', reason = ?, code = ? WHERE batch_pk = ? AND seq = ? AND state = 'pending'";

/**
 * The outcomes of a slice on PostgreSQL. The range of its seqs bounds the items the server looks
 * at: without it, PostgreSQL (its statistics taken before the batch was stored) joined the list
 * against every pending item of the batch, a cost that grew with the batch (a 50 000-row file:
 * 49 000 items read to record the first chunk's 1 024).
 */
const OUTCOMES_UPDATE = `UPDATE batch_items AS i SET state = v.state, result_id = v.result_id, reason = v.reason, code = v.code
  FROM unnest($2::integer[], $3::varchar[], $4::varchar[], $5::text[], $6::varchar[]) AS v(seq, state, result_id, reason, code)
  WHERE i.batch_pk = $1 AND i.seq BETWEEN $7 AND $8 AND i.seq = v.seq AND i.state = 'pending'`;

/** Outcomes per UPDATE on PostgreSQL: a chunk's, in one. */
const OUTCOMES_PER_STATEMENT = 5000;

/** Stores the batch's counters and times; a finished batch's parts go with it. */
export async function writeProgress(manager: EntityManager, batchPk: number, batch: Batch): Promise<void> {
  await manager.update(BatchSchema, { pk: batchPk }, toBatchProgress(batch));
  if (batch.isFinished) await closeParts(manager, batchPk);
}

/** Writes outcomes and the batch's counters as given (a test seeder's write, where nothing runs beside it). */
export async function writeOutcomes(manager: EntityManager, batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void> {
  const batchPk = await pkOf(manager, batch);
  await writeItemOutcomes(manager, batchPk, batch.id, outcomes);
  await writeProgress(manager, batchPk, batch);
}

/** Turns the batch's pending items into cancelled ones and stores its counters, inside the caller's transaction. */
export async function writeCancellation(manager: EntityManager, batch: Batch): Promise<void> {
  const batchPk = await pkOf(manager, batch);
  const result = await manager.update(BatchItemSchema, { batchPk, state: 'pending' }, { state: 'cancelled' });
  if (result.affected !== batch.counts.cancelled) {
    throw new Error(`Batch ${batch.id} counts ${batch.counts.cancelled} cancelled items but ${String(result.affected)} were pending`);
  }
  await writeProgress(manager, batchPk, batch);
}

/**
 * Cancels a batch in one transaction, so that no outcome lands between reading and writing it
 * (BatchWrites.cancel). Items first: the UPDATE waits for chunks in flight that hold some of them
 * (they commit, counters and all), and a chunk that comes later finds them cancelled and is
 * superseded. Then the batch's row is read again under its lock, with every committed chunk in it,
 * and its pending items are exactly those just cancelled.
 */
export async function cancelBatch(database: Database, locator: BatchLocator, now: number): Promise<{ batch: Batch; cancelled: boolean } | null> {
  return database.write(async (manager) => {
    const where = { tenantId: locator.tenantId, id: locator.batchId, kind: locator.kind, targetType: locator.targetType, intakeOpen: 0 };
    const seen = await manager.findOne(BatchSchema, { where });
    if (seen === null) return null;
    if (fromBatchRow(seen).isFinished) return { batch: fromBatchRow(seen), cancelled: false };
    const cancelled = await manager.update(BatchItemSchema, { batchPk: seen.pk, state: 'pending' }, { state: 'cancelled' });
    const row = await manager.findOne(BatchSchema, { where, ...lockedForUpdate(manager) });
    if (row === null) throw new Error(`Batch ${locator.batchId} went away while it was cancelled`);
    const batch = fromBatchRow(row);
    if (!batch.cancel(now).ok) return { batch, cancelled: false };
    if (cancelled.affected !== batch.counts.cancelled) {
      throw new Error(`Batch ${batch.id} counts ${batch.counts.cancelled} cancelled items but ${String(cancelled.affected)} were pending`);
    }
    await writeProgress(manager, row.pk, batch);
    return { batch, cancelled: true };
  });
}
