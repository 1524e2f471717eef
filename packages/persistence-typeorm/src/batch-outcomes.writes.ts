// Writes that move a stored batch on: item outcomes with the counters they change (also used by
// TypeOrmBatchProcessingStore, inside a chunk's transaction), and cancellation. Every one takes
// its locks in the same order, the items' outcome keys first, then the batch (then its parts), so
// that chunks of several parts and a cancel never wait on each other in a circle.
import { Batch, BatchLocator, ChunkSuperseded, ItemOutcome } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { execute, immediateWrite, isUniqueViolation, lockedForUpdate, onPostgres, placeholders, select, slices } from './sql';
import { ITEM_INSERT_CHUNK } from './batch-items.writes';
import { closeParts } from './batch-parts.writes';
import { PENDING } from './batch-outcomes.sql';
import { fromBatchRow, toBatchProgress } from './batch.mapper';
import { Database } from './database';
import { pgArray, pgChanged } from './postgres-statements';
import { BatchSchema } from './schemas/batch.schema';

/** The batch's row key, read inside the caller's transaction. */
async function pkOf(manager: EntityManager, batch: Batch): Promise<number> {
  const row = await manager.findOne(BatchSchema, { select: { pk: true }, where: { tenantId: batch.tenantId, id: batch.id } });
  if (row === null) throw new Error(`Batch ${batch.id} is not stored`);
  return row.pk;
}

/** Items' references and lines by seq: what an outcome row copies from its item. */
export type ItemRefs = ReadonlyMap<number, readonly [refId: string, row: number | null]>;

/**
 * Writes outcomes of pending items, inside the caller's transaction: rows of batch_outcomes
 * (ADR 0036), each with its item's reference and line, from `refs` (the items the chunk read) or
 * else read here. Each must land on an item that was pending, one without an outcome, or
 * ChunkSuperseded is thrown (the transaction then rolls back): the table's key refuses a second
 * outcome for an item, also one a transaction not yet committed has written (the INSERT waits for
 * it on PostgreSQL, and fails if it commits). On SQLite, one fixed INSERT per outcome, run at once
 * (the driver reuses the prepared statement, and a call costs no round trip nor an `await`). On
 * PostgreSQL, where every statement is a round trip to the server, one INSERT per slice of
 * outcomes, given as arrays.
 */
export async function writeItemOutcomes(
  manager: EntityManager,
  batchPk: number,
  batchId: string,
  outcomes: readonly ItemOutcome[],
  refs?: ItemRefs,
): Promise<void> {
  const known = refs !== undefined && outcomes.every((o) => refs.has(o.seq)) ? refs : await readRefs(manager, batchPk, outcomes);
  const ref = (seq: number) => {
    const found = known.get(seq);
    if (found === undefined) throw new ChunkSuperseded(`Item ${seq} of ${batchId} is not stored`);
    return found;
  };
  try {
    if (onPostgres(manager)) {
      for (const slice of slices(outcomes, OUTCOMES_PER_STATEMENT)) {
        const sliceRefs = slice.map((o) => ref(o.seq));
        await pgChanged(manager, OUTCOMES_INSERT, [
          batchPk,
          pgArray(slice.map((o) => o.seq)),
          pgArray(slice.map((o) => (o.kind === 'success' ? 'success' : 'failed'))),
          pgArray(sliceRefs.map(([refId]) => refId)),
          pgArray(sliceRefs.map(([, row]) => row)),
          pgArray(slice.map((o) => (o.kind === 'success' ? o.resultId : null))),
          pgArray(slice.map((o) => (o.kind === 'success' ? null : o.reason))),
          pgArray(slice.map((o) => (o.kind === 'success' ? null : o.code))),
        ]);
      }
      return;
    }
    const succeeded = immediateWrite(manager, SUCCESS_INSERT);
    const failed = immediateWrite(manager, FAILURE_INSERT);
    for (const o of outcomes) {
      const [refId, row] = ref(o.seq);
      if (o.kind === 'success') succeeded([batchPk, o.seq, refId, row, o.resultId]);
      else failed([batchPk, o.seq, refId, row, o.reason, o.code]);
    }
  } catch (error) {
    if (isUniqueViolation(error, { orPrimaryKey: true })) throw new ChunkSuperseded(`Items of ${batchId} are no longer pending`);
    throw error;
  }
}

/** The references and lines of the outcomes' items, as stored. */
async function readRefs(manager: EntityManager, batchPk: number, outcomes: readonly ItemOutcome[]): Promise<ItemRefs> {
  const refs = new Map<number, readonly [string, number | null]>();
  for (const slice of slices(outcomes, ITEM_INSERT_CHUNK)) {
    const rows = await select<{ seq: number; refId: string; row: number | null }>(
      manager,
      `SELECT seq, ref_id AS "refId", row FROM batch_items WHERE batch_pk = ? AND seq IN (${placeholders(slice.length)})`,
      [batchPk, ...slice.map((o) => o.seq)],
    );
    for (const r of rows) refs.set(r.seq, [r.refId, r.row]);
  }
  return refs;
}

/** One outcome on SQLite. */
const SUCCESS_INSERT = "INSERT INTO batch_outcomes (batch_pk, seq, state, ref_id, row, result_id) VALUES (?, ?, 'success', ?, ?, ?)";
const FAILURE_INSERT = "INSERT INTO batch_outcomes (batch_pk, seq, state, ref_id, row, reason, code) VALUES (?, ?, 'failed', ?, ?, ?, ?)";

/** The outcomes of a slice on PostgreSQL. */
const OUTCOMES_INSERT = `INSERT INTO batch_outcomes (batch_pk, seq, state, ref_id, row, result_id, reason, code)
  SELECT $1, v.seq, v.state, v.ref_id, v.row, v.result_id, v.reason, v.code
  FROM unnest($2::integer[], $3::varchar[], $4::varchar[], $5::integer[], $6::varchar[], $7::text[], $8::varchar[])
    AS v(seq, state, ref_id, row, result_id, reason, code)`;

/** Outcomes per INSERT on PostgreSQL: a chunk's, in one. */
const OUTCOMES_PER_STATEMENT = 5000;

/**
 * Records every pending item of the batch as cancelled; how many there were. An item whose outcome
 * a chunk not yet committed is writing is waited for on PostgreSQL, and skipped if that chunk
 * commits (SQLite needs the WHERE before ON CONFLICT).
 */
async function cancelPending(manager: EntityManager, batchPk: number): Promise<number> {
  return execute(
    manager,
    `INSERT INTO batch_outcomes (batch_pk, seq, state, ref_id, row)
     SELECT i.batch_pk, i.seq, 'cancelled', i.ref_id, i.row FROM batch_items i
     WHERE i.batch_pk = ? AND ${PENDING}
     ON CONFLICT (batch_pk, seq) DO NOTHING`,
    [batchPk],
  );
}

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
  const cancelled = await cancelPending(manager, batchPk);
  if (cancelled !== batch.counts.cancelled) {
    throw new Error(`Batch ${batch.id} counts ${batch.counts.cancelled} cancelled items but ${cancelled} were pending`);
  }
  await writeProgress(manager, batchPk, batch);
}

/**
 * Cancels a batch in one transaction, so that no outcome lands between reading and writing it
 * (BatchWrites.cancel). Outcomes first: the INSERT waits for chunks in flight that are writing
 * outcomes of some of its items (they commit, counters and all, and those items are skipped), and
 * a chunk that comes later finds them cancelled and is superseded. Then the batch's row is read
 * again under its lock, with every committed chunk in it, and its pending items are exactly those
 * just cancelled.
 */
export async function cancelBatch(database: Database, locator: BatchLocator, now: number): Promise<{ batch: Batch; cancelled: boolean } | null> {
  return database.write(async (manager) => {
    const where = { tenantId: locator.tenantId, id: locator.batchId, kind: locator.kind, targetType: locator.targetType, intakeOpen: 0 };
    const seen = await manager.findOne(BatchSchema, { where });
    if (seen === null) return null;
    if (fromBatchRow(seen).isFinished) return { batch: fromBatchRow(seen), cancelled: false };
    const cancelled = await cancelPending(manager, seen.pk);
    const row = await manager.findOne(BatchSchema, { where, ...lockedForUpdate(manager) });
    if (row === null) throw new Error(`Batch ${locator.batchId} went away while it was cancelled`);
    const batch = fromBatchRow(row);
    if (!batch.cancel(now).ok) return { batch, cancelled: false };
    if (cancelled !== batch.counts.cancelled) {
      throw new Error(`Batch ${batch.id} counts ${batch.counts.cancelled} cancelled items but ${cancelled} were pending`);
    }
    await writeProgress(manager, row.pk, batch);
    return { batch, cancelled: true };
  });
}
