// How a batch and its items come in: all at once (a JSON submit, one transaction with items
// inserted in chunks), or in parts (a file upload, held under a placeholder row until commit).
// Writers assumed: many, with atomic transactions that may interleave (ADR 0016); the key check
// is one conditional insert (claimSubmission), and an intake's row is written only while open.
import {
  Batch,
  BatchIntake,
  DuplicateReference,
  IntakeDraft,
  NewBatchItem,
  PartPlan,
  SecretSealer,
  SubmitExtras,
  SubmitOutcome,
} from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { isUniqueViolation, select } from './sql';
import { toBatchRow } from './batch.mapper';
import { Database } from './database';
import { BatchItemSchema, BatchRow, BatchSchema } from './schemas/batch.schema';
import { claimSubmission, storeCallback } from './batch-submission.writes';
import { deleteItemsStep, insertItems, ITEM_DELETE_STEP, ITEM_INSERT_CHUNK } from './batch-items.writes';
import { openParts } from './batch-parts.writes';

/** Stores a batch, its items, its key and its callback target in one transaction (BatchWrites.add). */
export async function addBatch(
  database: Database,
  secrets: SecretSealer | null,
  batch: Batch,
  items: Iterable<NewBatchItem>,
  extras: SubmitExtras,
): Promise<SubmitOutcome> {
  return database.write(async (manager) => {
    const claimed = await claimSubmission(manager, batch, extras.submission);
    if (claimed.kind !== 'stored') return claimed;
    const inserted = await manager.insert(BatchSchema, toBatchRow(batch));
    const batchPk = Number(inserted.identifiers[0]?.pk ?? inserted.raw);
    await storeCallback(manager, batchPk, extras, secrets);
    const total = batch.counts.total;
    const plan = new PartPlan();
    let seq = 0;
    let chunk: NewBatchItem[] = [];
    for (const item of items) {
      if (seq + chunk.length >= total) throw new Error(`Batch ${batch.id} has total ${total} but more items were given`);
      chunk.push(item);
      plan.note(item);
      if (chunk.length === ITEM_INSERT_CHUNK) {
        seq = await insertItems(manager, batchPk, seq, chunk);
        chunk = [];
      }
    }
    seq = await insertItems(manager, batchPk, seq, chunk);
    // A turn between the item inserts and the commit: see `turn`.
    await turn();
    if (seq !== total) throw new Error(`Batch ${batch.id} has total ${total} but ${seq} items were given`);
    await openParts(manager, batchPk, plan, total);
    return claimed;
  });
}

/** Opens an intake: a placeholder row that no read or worker sees until commit (BatchWrites.beginIntake). */
export async function beginIntake(database: Database, secrets: SecretSealer | null, draft: IntakeDraft): Promise<BatchIntake> {
  const batchPk = await database.write(async (manager) => {
    // A placeholder row holds the items while they arrive; commit writes the real batch over it.
    const inserted = await manager.insert(BatchSchema, {
      tenantId: draft.tenantId,
      id: draft.batchId,
      kind: draft.kind,
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
  return new TypeOrmBatchIntake(database, batchPk, secrets);
}

/** The items of a batch being received in parts; see BatchIntake. */
class TypeOrmBatchIntake implements BatchIntake {
  private held = 0;
  /** The parts the batch will start with, told each item once its part of the file is stored. */
  private readonly plan = new PartPlan();

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
      this.held = await this.database.write(
        async (manager) => {
          await this.holdOpen(manager, { leaseExpiresAt: expiresAt });
          let seq = this.held;
          for (let from = 0; from < items.length; from += ITEM_INSERT_CHUNK) {
            seq = await insertItems(manager, this.batchPk, seq, items.slice(from, from + ITEM_INSERT_CHUNK));
          }
          // A turn between the part's statements and its commit: see `turn`.
          await turn();
          return seq;
        },
        // On disk with the commit that closes the intake, before which nothing is acknowledged (ADR 0032).
        { flush: 'with-next' },
      );
      for (const item of items) this.plan.note(item);
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
      // What the store holds, not only what this process counted: a part lost under it (a
      // PostgreSQL failover onto a standby that had not received it) must not be acknowledged.
      const [stored] = await select<{ n: number | string }>(manager, 'SELECT COUNT(*) AS n FROM batch_items WHERE batch_pk = ?', [this.batchPk]);
      if (Number(stored?.n) !== this.held) throw new Error(`Batch ${batch.id}: ${this.held} items were received but ${String(stored?.n)} are stored`);
      const claimed = await claimSubmission(manager, batch, extras.submission);
      if (claimed.kind !== 'stored') return claimed;
      await this.holdOpen(manager, { ...toBatchRow(batch), intakeOpen: 0, leaseOwner: null, leaseExpiresAt: null });
      await openParts(manager, this.batchPk, this.plan, this.held);
      await storeCallback(manager, this.batchPk, extras, this.secrets);
      return claimed;
    });
  }

  async discard(): Promise<void> {
    let removed: number;
    do {
      removed = await this.database.write((manager) => deleteItemsStep(manager, this.batchPk, ITEM_DELETE_STEP));
      await turn();
    } while (removed > 0);
  }

  /** Writes `changes` to the intake's row; throws when the intake is gone (abandoned and purged). */
  private async holdOpen(manager: EntityManager, changes: Partial<BatchRow>): Promise<void> {
    const result = await manager.update(BatchSchema, { pk: this.batchPk, intakeOpen: 1 }, changes);
    if (result.affected !== 1) throw new Error(`The intake of batch row ${this.batchPk} is no longer open`);
  }
}

/**
 * One turn of the event loop. An upload is stored on the request thread, and better-sqlite3 runs
 * each statement and each commit (its fsync included: about 4 ms here) synchronously, with only
 * promise callbacks in between: without a turn, a part's statements and commit would hold every
 * other request of the thread for their whole length (ADR 0026). One turn a part, before its
 * commit: a turn after each 500-row INSERT as well made a 200 000-row upload's 202 come 0.5 s later
 * (2.7–3.0 s against 1.8–2.1 s, four uploads each), more than it gave the other requests.
 * On PostgreSQL it costs a tick.
 */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

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
