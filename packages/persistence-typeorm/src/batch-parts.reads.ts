// The pending items of a part, as a worker reads them for its next chunk (ADR 0036): an item is
// pending while it has no outcome.
import { ITEMS_PER_PART, tailPart } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { partItems } from './batch-parts.writes';
import { select } from './sql';

/** A pending item as read from its row; `input` is JSON text. */
export interface PendingRow {
  readonly seq: number;
  readonly refId: string;
  readonly row: number | null;
  readonly input: string;
}

const COLUMNS = 'i.seq AS seq, i.ref_id AS "refId", i.row AS row, i.input AS input';

/**
 * Up to `limit` pending items of the part, in input order; `after`, when given, is a point up to
 * which every item of the part had an outcome (a resume point). A range's items are read with the
 * outcomes the range has, two range scans, and told apart here: asked of the database as an
 * anti-join, PostgreSQL looked each item up among the outcomes, one index descent an item (9 µs a
 * row, where the range scan costs under 1). A tail's deferred items, few and anywhere in the
 * batch, are looked up one by one. The point is trusted only while the outcome at it is there: a
 * PostgreSQL failover may lose the last commits a process saw acknowledged, and the items they
 * recorded are then pending again, all of them after every commit that was kept. `resumed` is
 * false when the point was not confirmed and the part was read from its start.
 */
export async function pendingOfPart(
  manager: EntityManager,
  batchPk: number,
  part: number,
  total: number,
  after: number | undefined,
  limit: number,
): Promise<{ rows: PendingRow[]; resumed: boolean }> {
  if (part === tailPart(total)) {
    const resumed = after !== undefined && (await hasOutcome(manager, batchPk, after));
    const tail = partItems(part, total);
    const rows = await select<PendingRow>(
      manager,
      `SELECT ${COLUMNS} FROM batch_items i WHERE i.batch_pk = ? AND ${tail.where}${resumed ? ' AND i.seq > ?' : ''} ORDER BY i.seq LIMIT ?`,
      resumed ? [batchPk, after, limit] : [batchPk, limit],
    );
    return { rows, resumed };
  }
  const start = part * ITEMS_PER_PART - 1;
  const to = (part + 1) * ITEMS_PER_PART;
  // From the point itself, so that the scan also says whether its outcome is still there.
  let from = after ?? start;
  let done = await select<{ seq: number }>(manager, RANGE_OUTCOMES, [batchPk, from, to]);
  const resumed = after !== undefined && done.some((d) => d.seq === after);
  if (after !== undefined && !resumed) {
    from = start;
    done = await select<{ seq: number }>(manager, RANGE_OUTCOMES, [batchPk, from, to]);
  }
  const rows = await select<PendingRow>(
    manager,
    `SELECT ${COLUMNS} FROM batch_items i WHERE i.batch_pk = ? AND i.seq > ? AND i.seq < ? AND i.deferred = 0 ORDER BY i.seq LIMIT ?`,
    [batchPk, from, to, limit + done.length],
  );
  if (done.length === 0) return { rows, resumed };
  const recorded = new Set(done.map((d) => d.seq));
  return { rows: rows.filter((r) => !recorded.has(r.seq)).slice(0, limit), resumed };
}

/** The outcomes of a range of a batch, from a seq on (itself included). */
const RANGE_OUTCOMES = 'SELECT seq FROM batch_outcomes WHERE batch_pk = ? AND seq >= ? AND seq < ?';

async function hasOutcome(manager: EntityManager, batchPk: number, seq: number): Promise<boolean> {
  const found = await select<{ seq: number }>(manager, 'SELECT seq FROM batch_outcomes WHERE batch_pk = ? AND seq = ?', [batchPk, seq]);
  return found.length > 0;
}
