// Writes of a batch's item rows shared by intake and retention: inserting pending items in chunks,
// and deleting a batch's items (then its row) a step at a time so other writes interleave.
import { NewBatchItem } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { execute, onPostgres, placeholders, sized } from './sql';
import { ArrayElement, InsertColumn, bulkInsert, pgChanged } from './postgres-statements';
import { closeParts } from './batch-parts.writes';
import { BatchItemSchema, BatchSchema } from './schemas/batch.schema';

/** Rows per INSERT: 6 parameters each stays far below SQLite's 32 766-parameter limit and PostgreSQL's 65 535. */
export const ITEM_INSERT_CHUNK = 500;
/** Items removed per write transaction when a batch's items are deleted, so other writes interleave. */
export const ITEM_DELETE_STEP = 5000;

const ITEM_COLUMNS: readonly InsertColumn[] = [
  { name: 'batch_pk', type: 'integer' },
  { name: 'seq', type: 'integer' },
  { name: 'ref_id', type: 'varchar' },
  { name: 'row', type: 'integer' },
  { name: 'input', type: 'text' },
  { name: 'deferred', type: 'integer' },
];

const INSERT_ITEMS = (n: number) => `INSERT INTO batch_items (batch_pk, seq, ref_id, row, input, deferred) VALUES ${placeholders(n, 6)}`;

/**
 * Inserts pending items from position `seq` on, at most ITEM_INSERT_CHUNK; the next free position.
 * On PostgreSQL one named statement (bulkInsert): a text of 3 500 placeholders was sent and parsed
 * again for every 500 items, the most of what storing a JSON batch cost the server.
 */
export async function insertItems(manager: EntityManager, batchPk: number, seq: number, items: readonly NewBatchItem[]): Promise<number> {
  if (items.length === 0) return seq;
  if (onPostgres(manager)) {
    const rows = items.map((item, i): ArrayElement[] => [
      batchPk,
      seq + i,
      item.refId,
      item.row ?? null,
      JSON.stringify(item.input ?? null),
      item.deferred === true ? 1 : 0,
    ]);
    const insert = bulkInsert('batch_items', ITEM_COLUMNS, rows);
    await pgChanged(manager, insert.text, insert.values);
    return seq + items.length;
  }
  const params: unknown[] = [];
  let next = seq;
  for (const item of items) params.push(batchPk, next++, item.refId, item.row ?? null, JSON.stringify(item.input ?? null), item.deferred === true ? 1 : 0);
  await execute(manager, sized(INSERT_ITEMS, items.length), params);
  return next;
}

/** Deletes up to `step` of a batch's items and their outcomes, last first, and the batch row once none is left. */
export async function deleteItemsStep(manager: EntityManager, batchPk: number, step: number): Promise<number> {
  const top = await manager
    .createQueryBuilder()
    .select('MAX(i.seq)', 'max')
    .from(BatchItemSchema, 'i')
    .where('i.batch_pk = :batchPk', { batchPk })
    .getRawOne<{ max: number | null }>();
  const max = top?.max ?? null;
  if (max === null) {
    await closeParts(manager, batchPk);
    const gone = await manager.delete(BatchSchema, { pk: batchPk });
    return gone.affected ?? 0;
  }
  await execute(manager, 'DELETE FROM batch_outcomes WHERE batch_pk = ? AND seq > ?', [batchPk, max - step]);
  const removed = await manager
    .createQueryBuilder()
    .delete()
    .from(BatchItemSchema)
    .where('batch_pk = :batchPk AND seq > :floor', { batchPk, floor: max - step })
    .execute();
  if (max - step >= 0) return removed.affected ?? 0;
  await closeParts(manager, batchPk);
  const gone = await manager.delete(BatchSchema, { pk: batchPk });
  return (removed.affected ?? 0) + (gone.affected ?? 0);
}
