// BatchRepository over TypeORM. Items are inserted in chunks inside one transaction; a status
// read is three indexed lookups (the batch, then the heads of its success and failure lists).
import {
  Batch,
  BatchLocator,
  BatchRepository,
  BatchStatusView,
  FailureResult,
  ItemOutcome,
  ItemResult,
  ResultsPageQuery,
  NewBatchItem,
  SuccessResult,
} from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { fromBatchRow, toBatchRow } from './batch.mapper';
import { Database } from './database';
import { BatchItemRow, BatchItemSchema, BatchRow, BatchSchema } from './schemas/batch.schema';

type HeadRow = Pick<BatchItemRow, 'seq' | 'refId' | 'row' | 'resultId' | 'reason' | 'code'>;

/** Rows per INSERT: 9 parameters each stays far below SQLite's 32 766-parameter limit. */
export const ITEM_INSERT_CHUNK = 500;

export class TypeOrmBatchRepository implements BatchRepository {
  constructor(private readonly database: Database) {}

  async add(batch: Batch, items: Iterable<NewBatchItem>): Promise<void> {
    await this.database.write(async (manager) => {
      const inserted = await manager.insert(BatchSchema, toBatchRow(batch));
      const batchPk = Number(inserted.identifiers[0]?.pk ?? inserted.raw);
      const total = batch.counts.total;
      let seq = 0;
      let chunk: BatchItemRow[] = [];
      for (const item of items) {
        if (seq >= total) throw new Error(`Batch ${batch.id} has total ${total} but more items were given`);
        chunk.push({
          batchPk,
          seq,
          refId: item.refId,
          row: item.row ?? null,
          input: JSON.stringify(item.input ?? null),
          state: 'pending',
          resultId: null,
          reason: null,
          code: null,
        });
        seq++;
        if (chunk.length === ITEM_INSERT_CHUNK) {
          await manager.insert(BatchItemSchema, chunk);
          chunk = [];
        }
      }
      if (chunk.length > 0) await manager.insert(BatchItemSchema, chunk);
      if (seq !== total) throw new Error(`Batch ${batch.id} has total ${total} but ${seq} items were given`);
    });
  }

  async recordOutcomes(batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void> {
    await this.database.write((manager) => writeOutcomes(manager, batch, outcomes));
  }

  async recordCancellation(batch: Batch): Promise<void> {
    await this.database.write(async (manager) => {
      const batchPk = await pkOf(manager, batch);
      const result = await manager.update(BatchItemSchema, { batchPk, state: 'pending' }, { state: 'cancelled' });
      if (result.affected !== batch.counts.cancelled) {
        throw new Error(`Batch ${batch.id} counts ${batch.counts.cancelled} cancelled items but ${result.affected} were pending`);
      }
      await manager.update(BatchSchema, { pk: batchPk }, toBatchRow(batch));
    });
  }

  async findResults(locator: BatchLocator, query: ResultsPageQuery): Promise<{ items: ItemResult[]; pending: boolean } | null> {
    const manager = this.database.reader.manager;
    const batch = await manager.findOne(BatchSchema, {
      select: { pk: true, total: true, success: true, failed: true, cancelled: true },
      where: { tenantId: locator.tenantId, id: locator.batchId, targetType: locator.targetType },
    });
    if (batch === null) return null;
    const builder = manager
      .createQueryBuilder()
      .select(['i.seq AS seq', 'i.ref_id AS "refId"', 'i.row AS row', 'i.state AS state', 'i.result_id AS "resultId"', 'i.reason AS reason', 'i.code AS code'])
      .from(BatchItemSchema, 'i')
      .where('i.batch_pk = :pk AND i.seq > :after', { pk: batch.pk, after: query.afterSeq })
      .orderBy('i.seq', 'ASC')
      .limit(query.limit);
    if (query.outcome) {
      builder.andWhere('i.state = :state', { state: query.outcome });
    } else {
      // Items are processed in input order and cancelling takes every pending item, so the items
      // with an outcome are exactly the first success + failed + cancelled ones: bounding the
      // range keeps a read during processing from scanning the pending tail.
      builder.andWhere("i.state <> 'pending' AND i.seq < :processed", { processed: batch.success + batch.failed + batch.cancelled });
    }
    const rows = await builder.getRawMany<HeadRow & { state: string }>();
    const items = rows.map((r) => toItemResult(r, r.state));
    return { items, pending: batch.success + batch.failed + batch.cancelled < batch.total };
  }

  async findStatus(locator: BatchLocator, listLimit: number): Promise<BatchStatusView | null> {
    const manager = this.database.reader.manager;
    const row = await manager.findOne(BatchSchema, {
      where: { tenantId: locator.tenantId, id: locator.batchId, targetType: locator.targetType },
    });
    if (row === null) return null;
    const [successRows, failureRows] = await Promise.all([
      this.head(manager, row.pk, 'success', listLimit + 1),
      this.head(manager, row.pk, 'failed', listLimit + 1),
    ]);
    const successes = successRows.slice(0, listLimit).map((r) => toItemResult(r, 'success') as SuccessResult);
    const failures = failureRows.slice(0, listLimit).map((r) => toItemResult(r, 'failed') as FailureResult);
    return {
      batch: fromBatchRow(row),
      successes,
      failures,
      hasMore: successRows.length > listLimit || failureRows.length > listLimit,
    };
  }

  /** The first `limit` items in one state, in input order: a range scan of ix_batch_items_state_seq. */
  private head(manager: EntityManager, batchPk: number, state: string, limit: number): Promise<HeadRow[]> {
    return manager
      .createQueryBuilder()
      .select(['i.seq AS seq', 'i.ref_id AS "refId"', 'i.row AS row', 'i.result_id AS "resultId"', 'i.reason AS reason', 'i.code AS code'])
      .from(BatchItemSchema, 'i')
      .where('i.batch_pk = :batchPk AND i.state = :state', { batchPk, state })
      .orderBy('i.seq', 'ASC')
      .limit(limit)
      .getRawMany<HeadRow>();
  }

}

/** The batch's row key, read inside the caller's transaction. */
export async function pkOf(manager: EntityManager, batch: Batch): Promise<number> {
  const row = await manager.findOne(BatchSchema, { select: { pk: true }, where: { tenantId: batch.tenantId, id: batch.id } });
  if (row === null) throw new Error(`Batch ${batch.id} is not stored`);
  return (row as BatchRow).pk;
}

/** The outcome updates, with the driver's own placeholders; built once per driver. */
const outcomeSql = new WeakMap<object, { success: string; failed: string }>();

function outcomeStatements(manager: EntityManager): { success: string; failed: string } {
  const driver = manager.connection.driver;
  let sql = outcomeSql.get(driver);
  if (!sql) {
    const p = (i: number) => driver.createParameter(`p${i}`, i);
    const where = (first: number) => `WHERE batch_pk = ${p(first)} AND seq = ${p(first + 1)} AND state = 'pending'`;
    sql = {
      success: `UPDATE batch_items SET state = 'success', result_id = ${p(0)} ${where(1)}`,
      failed: `UPDATE batch_items SET state = 'failed', reason = ${p(0)}, code = ${p(1)} ${where(2)}`,
    };
    outcomeSql.set(driver, sql);
  }
  return sql;
}

/**
 * Writes outcomes of pending items and the batch's counters, inside the caller's transaction. The
 * per-item statements are fixed SQL, so the driver reuses its prepared statements.
 */
export async function writeOutcomes(manager: EntityManager, batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void> {
  const batchPk = await pkOf(manager, batch);
  const runner = manager.queryRunner;
  if (!runner) throw new Error('writeOutcomes must run inside a transaction');
  const sql = outcomeStatements(manager);
  for (const outcome of outcomes) {
    const result =
      outcome.kind === 'success'
        ? await runner.query(sql.success, [outcome.resultId, batchPk, outcome.seq], true)
        : await runner.query(sql.failed, [outcome.reason, outcome.code, batchPk, outcome.seq], true);
    if (result.affected !== 1) throw new Error(`Item ${outcome.seq} of ${batch.id} is not pending`);
  }
  await manager.update(BatchSchema, { pk: batchPk }, toBatchRow(batch));
}

/** An item row as a result; `state` is the row's state (pending rows are never read here). */
function toItemResult(r: HeadRow, state: string): ItemResult {
  if (state === 'success') return { seq: r.seq, refId: r.refId, row: r.row, outcome: 'success', resultId: r.resultId ?? '' };
  if (state === 'failed') return { seq: r.seq, refId: r.refId, row: r.row, outcome: 'failed', reason: r.reason ?? '', code: r.code ?? '' };
  return { seq: r.seq, refId: r.refId, row: r.row, outcome: 'cancelled' };
}
