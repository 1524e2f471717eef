// Writes of a batch's parts (ADR 0020): opened when the batch is stored, one row per part with work
// left, and removed as parts are done or when the batch is finished, cancelled or deleted.
import { ITEMS_PER_PART, PartPlan, tailPart } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { execute, placeholders } from './sql';
import { PENDING } from './batch-outcomes.sql';

/** Opens the parts `plan` names for the batch at `batchPk`. */
export async function openParts(manager: EntityManager, batchPk: number, plan: PartPlan, total: number): Promise<void> {
  const parts = plan.parts();
  if (parts.length === 0) return;
  const tail = tailPart(total);
  const params = parts.flatMap((part) => [batchPk, part, part === tail ? 1 : 0]);
  await execute(manager, `INSERT INTO batch_parts (batch_pk, part, tail) VALUES ${placeholders(parts.length, 3)}`, params);
}

/** Removes every part of the batch: it is finished, cancelled or being deleted. */
export async function closeParts(manager: EntityManager, batchPk: number): Promise<void> {
  await execute(manager, 'DELETE FROM batch_parts WHERE batch_pk = ?', [batchPk]);
}

/**
 * The condition on `batch_items i` that picks the pending items of a part: a range's items that
 * are not deferred, or (the tail) the deferred ones, read off ix_batch_items_deferred (its
 * condition a literal, or no store would use it); then its parameters.
 */
export function partItems(part: number, total: number): { where: string; params: number[] } {
  if (part === tailPart(total)) return { where: `i.deferred = 1 AND ${PENDING}`, params: [] };
  return { where: `i.seq >= ? AND i.seq < ? AND i.deferred = 0 AND ${PENDING}`, params: [part * ITEMS_PER_PART, (part + 1) * ITEMS_PER_PART] };
}
