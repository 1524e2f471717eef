// BatchRepository over TypeORM. Items are inserted in chunks inside one transaction; a status
// read is three indexed lookups (the batch, then the heads of its success and failure lists); a
// finished batch's lists may come from memory instead (ResultHeadsCache).
import {
  Batch,
  BatchIntake,
  BatchListQuery,
  BatchLocator,
  BatchRepository,
  BatchStatus,
  BatchStatusView,
  DuplicateReference,
  FailureResult,
  IntakeDraft,
  ItemOutcome,
  ItemResult,
  ResultsPageQuery,
  NewBatchItem,
  Submission,
  SubmitExtras,
  SubmitOutcome,
  SecretSealer,
  SuccessResult,
} from '@container-service/batch-domain';
import { EntityManager, LessThan, LessThanOrEqual } from 'typeorm';
import { SubmitKeySchema } from './schemas/submit-key.schema';
import { BatchCallbackSchema } from './schemas/batch-callback.schema';
import { driverErrorCode, execute, placeholders, select, selectRows } from './sql';
import { fromBatchRow, fromRawSummary, RawSummaryRow, SUMMARY_COLUMNS, SUMMARY_FIELDS, toBatchProgress, toBatchRow } from './batch.mapper';
import { Database } from './database';
import { ResultHeads, ResultHeadsCache } from './result-heads.cache';
import { BatchItemRow, BatchItemSchema, BatchRow, BatchSchema } from './schemas/batch.schema';

type HeadRow = Pick<BatchItemRow, 'seq' | 'refId' | 'row' | 'resultId' | 'reason' | 'code'> & { input?: string };

/** Rows per INSERT: 6 parameters each stays far below SQLite's 32 766-parameter limit. */
export const ITEM_INSERT_CHUNK = 500;
/** Items removed per write transaction when a batch's items are deleted, so other writes interleave. */
export const ITEM_DELETE_STEP = 5000;

export interface BatchRepositoryOptions {
  /**
   * List entries of finished batches kept in memory for status reads (see ResultHeadsCache);
   * 0, the default, reads every list from the database.
   */
  readonly statusCacheEntries?: number;
  /** Seals callback secrets before they are stored; without it they are stored as given. */
  readonly secrets?: SecretSealer;
}

export class TypeOrmBatchRepository implements BatchRepository {
  private readonly finishedHeads: ResultHeadsCache | null;
  private readonly secrets: SecretSealer | null;

  constructor(
    private readonly database: Database,
    options: BatchRepositoryOptions = {},
  ) {
    const entries = options.statusCacheEntries ?? 0;
    this.finishedHeads = entries > 0 ? new ResultHeadsCache(entries) : null;
    this.secrets = options.secrets ?? null;
  }

  async add(batch: Batch, items: Iterable<NewBatchItem>, extras: SubmitExtras = {}): Promise<SubmitOutcome> {
    return this.database.write(async (manager) => {
      const claimed = await claimSubmission(manager, batch, extras.submission);
      if (claimed.kind !== 'stored') return claimed;
      const inserted = await manager.insert(BatchSchema, toBatchRow(batch));
      const batchPk = Number(inserted.identifiers[0]?.pk ?? inserted.raw);
      await storeCallback(manager, batchPk, extras, this.secrets);
      const total = batch.counts.total;
      let seq = 0;
      let chunk: NewBatchItem[] = [];
      for (const item of items) {
        if (seq + chunk.length >= total) throw new Error(`Batch ${batch.id} has total ${total} but more items were given`);
        chunk.push(item);
        if (chunk.length === ITEM_INSERT_CHUNK) {
          seq = await insertItems(manager, batchPk, seq, chunk);
          chunk = [];
        }
      }
      seq = await insertItems(manager, batchPk, seq, chunk);
      if (seq !== total) throw new Error(`Batch ${batch.id} has total ${total} but ${seq} items were given`);
      return claimed;
    });
  }

  async purgeFinishedBatches(before: number, maxItems: number): Promise<number> {
    return this.database.write(async (manager) => {
      const old = await manager.findOne(BatchSchema, { select: { pk: true }, where: { completedAt: LessThan(before), intakeOpen: 0 } });
      return old === null ? 0 : deleteItemsStep(manager, old.pk, maxItems);
    });
  }

  async purgeSubmissions(before: number, max: number): Promise<number> {
    return this.database.write(async (manager) => {
      const old = await manager.find(SubmitKeySchema, { select: { tenantId: true, requestId: true }, where: { createdAt: LessThan(before) }, take: max });
      if (old.length === 0) return 0;
      const removed = await manager.delete(
        SubmitKeySchema,
        old.map((row) => ({ tenantId: row.tenantId, requestId: row.requestId })),
      );
      return removed.affected ?? old.length;
    });
  }

  async beginIntake(draft: IntakeDraft): Promise<BatchIntake> {
    const batchPk = await this.database.write(async (manager) => {
      // A placeholder row holds the items while they arrive; commit writes the real batch over it.
      const inserted = await manager.insert(BatchSchema, {
        tenantId: draft.tenantId,
        id: draft.batchId,
        targetType: draft.targetType,
        operation: 'create',
        source: 'file',
        total: 0,
        success: 0,
        failed: 0,
        cancelled: 0,
        createdAt: 0,
        startedAt: null,
        completedAt: null,
        cancelledAt: null,
        createdBy: null,
        parentBatchId: null,
        callbackState: 'NONE',
        callbackAttempts: 0,
        columns: null,
        intakeOpen: 1,
        leaseOwner: null,
        leaseExpiresAt: draft.expiresAt,
      });
      return Number(inserted.identifiers[0]?.pk ?? inserted.raw);
    });
    return new TypeOrmBatchIntake(this.database, batchPk, this.secrets);
  }

  async purgeAbandonedIntakes(now: number, maxItems: number): Promise<number> {
    return this.database.write(async (manager) => {
      const abandoned = await manager.findOne(BatchSchema, { select: { pk: true }, where: { intakeOpen: 1, leaseExpiresAt: LessThanOrEqual(now) } });
      if (abandoned === null) return 0;
      return deleteItemsStep(manager, abandoned.pk, maxItems);
    });
  }

  async recordOutcomes(batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void> {
    await this.database.write((manager) => writeOutcomes(manager, batch, outcomes));
  }

  async recordCancellation(batch: Batch): Promise<void> {
    await this.database.write((manager) => writeCancellation(manager, batch));
  }

  async cancel(locator: BatchLocator, now: number): Promise<{ batch: Batch; cancelled: boolean } | null> {
    return this.database.write(async (manager) => {
      const row = await manager.findOne(BatchSchema, { where: { tenantId: locator.tenantId, id: locator.batchId, targetType: locator.targetType, intakeOpen: 0 } });
      if (row === null) return null;
      const batch = fromBatchRow(row);
      if (!batch.cancel(now).ok) return { batch, cancelled: false };
      await writeCancellation(manager, batch);
      return { batch, cancelled: true };
    });
  }

  async list(tenantId: string, targetType: string, query: BatchListQuery): Promise<Batch[]> {
    const builder = this.database.reader.manager
      .createQueryBuilder()
      .select(SUMMARY_FIELDS.map((field) => `b.${field}`))
      .from(BatchSchema, 'b')
      .where('b.tenant_id = :tenantId AND b.target_type = :targetType AND b.intake_open = 0', { tenantId, targetType })
      .orderBy('b.created_at', 'DESC')
      .addOrderBy('b.id', 'DESC')
      .limit(query.limit);
    if (query.after) {
      builder.andWhere('(b.created_at < :createdAt OR (b.created_at = :createdAt AND b.id < :afterId))', { createdAt: query.after.createdAt, afterId: query.after.batchId });
    }
    if (query.status) builder.andWhere(STATUS_CONDITION[query.status]);
    const rows = await builder.getMany();
    return rows.map((row) => fromBatchRow({ ...(row as BatchRow), columns: null }));
  }

  async findResults(locator: BatchLocator, query: ResultsPageQuery): Promise<{ batch: Batch; items: ItemResult[] } | null> {
    const manager = this.database.reader.manager;
    const batch = await manager.findOne(BatchSchema, {
      where: { tenantId: locator.tenantId, id: locator.batchId, targetType: locator.targetType, intakeOpen: 0 },
    });
    if (batch === null) return null;
    const columns = ['i.seq AS seq', 'i.ref_id AS "refId"', 'i.row AS row', 'i.state AS state', 'i.result_id AS "resultId"', 'i.reason AS reason', 'i.code AS code'];
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
      // Items are processed in input order and cancelling takes every pending item, so the items
      // with an outcome are exactly the first success + failed + cancelled ones: bounding the
      // range keeps a read during processing from scanning the pending tail.
      builder.andWhere("i.state <> 'pending' AND i.seq < :processed", { processed: batch.success + batch.failed + batch.cancelled });
    }
    const rows = await builder.getRawMany<HeadRow & { state: string }>();
    const items = rows.map((r) => (query.withInput ? { ...toItemResult(r, r.state), input: JSON.parse(r.input ?? 'null') as unknown } : toItemResult(r, r.state)));
    return { batch: fromBatchRow(batch), items };
  }

  async findStatus(locator: BatchLocator, listLimit: number): Promise<BatchStatusView | null> {
    const manager = this.database.reader.manager;
    // Fixed SQL, not the query builder.
    const [raw] = await select<RawSummaryRow>(manager, `SELECT ${SUMMARY_COLUMNS} FROM batches WHERE tenant_id = ? AND id = ? AND target_type = ? AND intake_open = 0`, [
      locator.tenantId,
      locator.batchId,
      locator.targetType,
    ]);
    if (raw === undefined) return null;
    const row = fromRawSummary(raw);
    const batch = fromBatchRow(row);
    // A finished batch's lists never change (see ResultHeadsCache); its row is read every time.
    const cache = batch.isFinished ? this.finishedHeads : null;
    const key = `${row.pk}/${row.id}/${listLimit}`;
    const cached = cache?.get(key);
    if (cached !== undefined) return { batch, ...cached };
    const heads = await readHeads(manager, row.pk, listLimit);
    cache?.set(key, heads);
    return { batch, ...heads };
  }
}

/**
 * The first `listLimit` succeeded and failed items of a batch, in input order: a range scan of
 * ix_batch_items_state_seq each, read as arrays. This is the route clients poll in tight loops,
 * and 1 000 rows as objects cost twice as much.
 */
async function readHeads(manager: EntityManager, batchPk: number, listLimit: number): Promise<ResultHeads> {
  const [successRows, failureRows] = await Promise.all([
    selectRows<[number, string, number | null, string | null]>(
      manager,
      "SELECT seq, ref_id, row, result_id FROM batch_items WHERE batch_pk = ? AND state = 'success' ORDER BY seq LIMIT ?",
      [batchPk, listLimit + 1],
    ),
    selectRows<[number, string, number | null, string | null, string | null]>(
      manager,
      "SELECT seq, ref_id, row, reason, code FROM batch_items WHERE batch_pk = ? AND state = 'failed' ORDER BY seq LIMIT ?",
      [batchPk, listLimit + 1],
    ),
  ]);
  return {
    successes: successRows
      .slice(0, listLimit)
      .map(([seq, refId, row, resultId]): SuccessResult => ({ seq, refId, row, outcome: 'success', resultId: resultId ?? '' })),
    failures: failureRows
      .slice(0, listLimit)
      .map(([seq, refId, row, reason, code]): FailureResult => ({ seq, refId, row, outcome: 'failed', reason: reason ?? '', code: code ?? '' })),
    hasMore: successRows.length > listLimit || failureRows.length > listLimit,
  };
}

/** Stores the batch's callback target, if it has one, inside the caller's transaction. */
async function storeCallback(manager: EntityManager, batchPk: number, extras: SubmitExtras, secrets: SecretSealer | null): Promise<void> {
  const callback = extras.callback;
  if (!callback) return;
  await manager.insert(BatchCallbackSchema, {
    batchPk,
    url: callback.url,
    meta: callback.meta === undefined || callback.meta === null ? null : JSON.stringify(callback.meta),
    secret: callback.secret === null || secrets === null ? callback.secret : secrets.seal(callback.secret),
    requestId: callback.requestId,
    nextAttemptAt: null,
    lastError: null,
    leaseOwner: null,
    leaseExpiresAt: null,
  });
}

/** Claims the submission's key for `batch` inside the caller's transaction, or says why not. */
async function claimSubmission(manager: EntityManager, batch: Batch, submission: Submission | undefined): Promise<SubmitOutcome> {
  if (!submission) return { kind: 'stored' };
  const held = await manager.findOne(SubmitKeySchema, { where: { tenantId: batch.tenantId, requestId: submission.key } });
  if (held) return held.fingerprint === submission.fingerprint ? { kind: 'replayed', batchId: held.batchId as Batch['id'] } : { kind: 'conflict' };
  await manager.insert(SubmitKeySchema, { tenantId: batch.tenantId, requestId: submission.key, fingerprint: submission.fingerprint, batchId: batch.id, createdAt: batch.toSnapshot().createdAt });
  return { kind: 'stored' };
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

/** Turns the batch's pending items into cancelled ones and stores its counters, inside the caller's transaction. */
async function writeCancellation(manager: EntityManager, batch: Batch): Promise<void> {
  const batchPk = await pkOf(manager, batch);
  const result = await manager.update(BatchItemSchema, { batchPk, state: 'pending' }, { state: 'cancelled' });
  if (result.affected !== batch.counts.cancelled) {
    throw new Error(`Batch ${batch.id} counts ${batch.counts.cancelled} cancelled items but ${result.affected} were pending`);
  }
  await manager.update(BatchSchema, { pk: batchPk }, toBatchProgress(batch));
}

/** The batch's row key, read inside the caller's transaction. */
export async function pkOf(manager: EntityManager, batch: Batch): Promise<number> {
  const row = await manager.findOne(BatchSchema, { select: { pk: true }, where: { tenantId: batch.tenantId, id: batch.id } });
  if (row === null) throw new Error(`Batch ${batch.id} is not stored`);
  return (row as BatchRow).pk;
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
        ? await execute(manager, "UPDATE batch_items SET state = 'success', result_id = ? WHERE batch_pk = ? AND seq = ? AND state = 'pending'", [o.resultId, batchPk, o.seq])
        : await execute(manager, "UPDATE batch_items SET state = 'failed', reason = ?, code = ? WHERE batch_pk = ? AND seq = ? AND state = 'pending'", [o.reason, o.code, batchPk, o.seq]);
    if (changed !== 1) throw new Error(`Item ${o.seq} of ${batch.id} is not pending`);
  }
  // A finished batch is never claimed again: its lease ends with the write that finished it.
  await manager.update(BatchSchema, { pk: batchPk }, batch.isFinished ? { ...toBatchProgress(batch), leaseOwner: null, leaseExpiresAt: null } : toBatchProgress(batch));
}

/** An item row as a result; `state` is the row's state (pending rows are never read here). */
function toItemResult(r: HeadRow, state: string): ItemResult {
  if (state === 'success') return { seq: r.seq, refId: r.refId, row: r.row, outcome: 'success', resultId: r.resultId ?? '' };
  if (state === 'failed') return { seq: r.seq, refId: r.refId, row: r.row, outcome: 'failed', reason: r.reason ?? '', code: r.code ?? '' };
  return { seq: r.seq, refId: r.refId, row: r.row, outcome: 'cancelled' };
}

/** The items of a batch being received in parts; see BatchIntake. */
class TypeOrmBatchIntake implements BatchIntake {
  private held = 0;

  constructor(
    private readonly database: Database,
    private readonly batchPk: number,
    private readonly secrets: SecretSealer | null,
  ) {}

  get count(): number {
    return this.held;
  }

  async append(items: readonly NewBatchItem[], expiresAt: number): Promise<DuplicateReference | null> {
    try {
      this.held = await this.database.write(async (manager) => {
        await this.holdOpen(manager, { leaseExpiresAt: expiresAt });
        let seq = this.held;
        for (let from = 0; from < items.length; from += ITEM_INSERT_CHUNK) {
          seq = await insertItems(manager, this.batchPk, seq, items.slice(from, from + ITEM_INSERT_CHUNK));
        }
        return seq;
      });
      return null;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The part was rolled back; find which reference was the first to repeat.
      return this.database.write((manager) => findDuplicate(manager, this.batchPk, items));
    }
  }

  async commit(batch: Batch, extras: SubmitExtras = {}): Promise<SubmitOutcome> {
    if (batch.counts.total !== this.held) throw new Error(`Batch ${batch.id} has total ${batch.counts.total} but ${this.held} items were received`);
    return this.database.write(async (manager) => {
      const claimed = await claimSubmission(manager, batch, extras.submission);
      if (claimed.kind !== 'stored') return claimed;
      await this.holdOpen(manager, { ...toBatchRow(batch), intakeOpen: 0, leaseOwner: null, leaseExpiresAt: null });
      await storeCallback(manager, this.batchPk, extras, this.secrets);
      return claimed;
    });
  }

  async discard(): Promise<void> {
    let removed: number;
    do {
      removed = await this.database.write((manager) => deleteItemsStep(manager, this.batchPk, ITEM_DELETE_STEP));
    } while (removed > 0);
  }

  /** Writes `changes` to the intake's row; throws when the intake is gone (abandoned and purged). */
  private async holdOpen(manager: EntityManager, changes: Partial<BatchRow>): Promise<void> {
    const result = await manager.update(BatchSchema, { pk: this.batchPk, intakeOpen: 1 }, changes);
    if (result.affected !== 1) throw new Error(`The intake of batch row ${this.batchPk} is no longer open`);
  }
}

/** Inserts pending items from position `seq` on, at most ITEM_INSERT_CHUNK; the next free position. */
async function insertItems(manager: EntityManager, batchPk: number, seq: number, items: readonly NewBatchItem[]): Promise<number> {
  if (items.length === 0) return seq;
  const params: unknown[] = [];
  let next = seq;
  for (const item of items) params.push(batchPk, next++, item.refId, item.row ?? null, JSON.stringify(item.input ?? null), 'pending');
  await execute(manager, `INSERT INTO batch_items (batch_pk, seq, ref_id, row, input, state) VALUES ${placeholders(items.length, 6)}`, params);
  return next;
}

/** Deletes up to `step` of a batch's items, last first, and the batch row once none is left. */
async function deleteItemsStep(manager: EntityManager, batchPk: number, step: number): Promise<number> {
  const top = await manager
    .createQueryBuilder()
    .select('MAX(i.seq)', 'max')
    .from(BatchItemSchema, 'i')
    .where('i.batch_pk = :batchPk', { batchPk })
    .getRawOne<{ max: number | null }>();
  const max = top?.max ?? null;
  if (max === null) {
    const gone = await manager.delete(BatchSchema, { pk: batchPk });
    return gone.affected ?? 0;
  }
  const removed = await manager
    .createQueryBuilder()
    .delete()
    .from(BatchItemSchema)
    .where('batch_pk = :batchPk AND seq > :floor', { batchPk, floor: max - step })
    .execute();
  if (max - step >= 0) return removed.affected ?? 0;
  const gone = await manager.delete(BatchSchema, { pk: batchPk });
  return (removed.affected ?? 0) + (gone.affected ?? 0);
}

/** The first item of `items` whose reference the batch already holds, or that repeats an earlier one. */
async function findDuplicate(manager: EntityManager, batchPk: number, items: readonly NewBatchItem[]): Promise<DuplicateReference | null> {
  const refs = [...new Set(items.map((item) => item.refId).filter((ref) => ref !== ''))];
  const held = new Map<string, number | null>();
  for (let from = 0; from < refs.length; from += ITEM_INSERT_CHUNK) {
    const rows = await manager
      .createQueryBuilder()
      .select(['i.ref_id AS "refId"', 'i.row AS row'])
      .from(BatchItemSchema, 'i')
      .where('i.batch_pk = :batchPk AND i.ref_id IN (:...refs)', { batchPk, refs: refs.slice(from, from + ITEM_INSERT_CHUNK) })
      .getRawMany<{ refId: string; row: number | null }>();
    for (const row of rows) held.set(row.refId, row.row);
  }
  for (const item of items) {
    if (item.refId === '') continue;
    if (held.has(item.refId)) return { refId: item.refId, row: item.row ?? null, firstRow: held.get(item.refId) ?? null };
    held.set(item.refId, item.row ?? null);
  }
  return null;
}

/** A unique index refused a row (SQLite and PostgreSQL spellings). */
function isUniqueViolation(error: unknown): boolean {
  const code = driverErrorCode(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}
