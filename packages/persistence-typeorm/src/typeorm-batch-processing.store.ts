// BatchProcessingStore over TypeORM: chunk transactions through Database.write, and leases on the
// parts of batches (batch_parts, ADR 0020), so that every worker of every process shares the work
// of a big batch, and a dead worker's part is taken up again once its lease expires. Claims go
// round robin between tenants (tenant_turns), and a failure of the database itself (as the
// Database tells it) comes out as a StoreFailure (ADR 0013).
// Writers assumed: any number of workers, in threads or processes, on a store whose transactions
// are atomic but may interleave (ADR 0016). A claim is therefore one conditional UPDATE that
// re-checks the part is still free as it takes it (on PostgreSQL, skipping parts another claim has
// locked, so that workers claiming at once take different parts instead of queueing for one), a
// renewal or release names its owner, and counters are moved on under the batch's row lock.
import { Batch, BatchLease, BatchLocator, BatchProcessingStore, ItemOutcome, PendingItem, RecordedChunk, StoreFailure } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { fromBatchRow } from './batch.mapper';
import { Database, WriteOptions } from './database';
import { BatchSchema } from './schemas/batch.schema';
import { driverErrorCode, execute, lockedForUpdate, onPostgres, placeholders, select } from './sql';
import { ItemRefs, writeItemOutcomes, writeProgress } from './batch-outcomes.writes';
import { pendingOfPart } from './batch-parts.reads';
import { partItems } from './batch-parts.writes';

/**
 * Parts a worker may take at `?`: of an unfinished, fully received batch of the kinds that follow,
 * under no live lease; a batch's tail only once no other part of it is left.
 */
const claimable = (kinds: number, join = '') => `FROM batch_parts p JOIN batches b ON b.pk = p.batch_pk ${join}
  WHERE (p.lease_expires_at IS NULL OR p.lease_expires_at <= ?) AND b.completed_at IS NULL AND b.intake_open = 0 AND b.kind IN (${placeholders(kinds)})
    AND (p.tail = 0 OR NOT EXISTS (SELECT 1 FROM batch_parts q WHERE q.batch_pk = p.batch_pk AND q.tail = 0))`;
/**
 * The part to claim: of the tenant whose turn is oldest (never served first), its oldest batch,
 * its first part. On PostgreSQL the row is locked as it is picked, and rows other claims hold are
 * skipped (`skip` is FOR UPDATE … SKIP LOCKED there, empty on SQLite, whose one writer claims alone).
 */
const nextClaim = (kinds: number, skip: string) => `SELECT p.pk, p.lease_owner AS "priorOwner"
  ${claimable(kinds, 'LEFT JOIN tenant_turns t ON t.tenant_id = b.tenant_id')}
  ORDER BY COALESCE(t.turn, 0), b.created_at, b.pk, p.part LIMIT 1${skip}`;
/**
 * Takes the part picked, and only if it is still free as the row is written: a worker that lost
 * the race to another takes nothing and is answered null, never a part leased twice. The pick is
 * read first, in the same transaction (its row locked on PostgreSQL, SQLite's one writer alone),
 * so that the claim knows whose expired lease it takes over, if anyone's.
 */
const CLAIM_PICKED = `UPDATE batch_parts SET lease_owner = ?, lease_expires_at = ?
  WHERE pk = ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?)
  RETURNING batch_pk AS "batchPk", part`;
const TAKE_TURN = `INSERT INTO tenant_turns (tenant_id, turn) VALUES (?, (SELECT COALESCE(MAX(turn), 0) + 1 FROM tenant_turns))
  ON CONFLICT (tenant_id) DO UPDATE SET turn = excluded.turn`;
/** The part of a lease, by its batch's key: renewals and releases name the owner too. */
const PART_OF_LEASE = 'batch_pk = (SELECT pk FROM batches WHERE tenant_id = ? AND id = ?) AND part = ? AND lease_owner = ?';

/**
 * Claims, renewals and releases of leases commit without a sync of their own on SQLite: the next
 * synced commit (a chunk's) takes them to disk (ADR 0032). A lease is a claim on work, never
 * something acknowledged: one lost in a power cut was held by a worker that died in it, and its
 * part is claimed again, as after an expiry.
 */
const LEASE_WRITE: WriteOptions = { flush: 'with-next' };

/**
 * What one chunk's transaction has read already, so that it is not asked again (each statement is
 * a round trip on PostgreSQL): the batch's row key and size, and which pending items of the part
 * it was given (their seqs, references and lines) and whether more were left after them.
 */
interface ChunkMemo {
  readonly key: { readonly locator: BatchLocator; readonly pk: number; readonly total: number };
  pending?: { readonly part: number; readonly seqs: readonly number[]; readonly more: boolean; readonly refs: ItemRefs };
  /** Where the part's pending items start once this transaction commits (see resumeAfter); null: the part is done. */
  resume?: { readonly part: string; readonly after: number | null };
}

/** A part's key among resume points: the batch's id too, as a row key may come again once its batch is gone. */
const partKey = (batchPk: number, lease: BatchLease) => `${batchPk}/${lease.locator.tenantId}/${lease.locator.batchId}/${lease.part}`;

/** How many parts' resume points a store keeps (one per part a worker of this process is on, normally). */
const RESUME_POINTS = 4096;

const sameLocator = (a: BatchLocator, b: BatchLocator) =>
  a.tenantId === b.tenantId && a.batchId === b.batchId && a.kind === b.kind && a.targetType === b.targetType;

export class TypeOrmBatchProcessingStore implements BatchProcessingStore<EntityManager> {
  /** Per transaction (each has a manager of its own): what its chunk has read. */
  private readonly memos = new WeakMap<EntityManager, ChunkMemo>();
  /**
   * Per part (partKey), a seq up to which each of its items has an outcome, as committed by
   * this store: a chunk's outcomes are those of the first pending items its read gave, in order,
   * and (unless the database loses commits it acknowledged) an item never becomes pending again,
   * so the next read of the part starts after it instead of walking the part's finished items
   * again (ADR 0036). Only a hint, checked by each read (the
   * outcome at the point must still be there: see pendingOfPart); without one, a read walks from
   * the part's start, and an item that another process recorded meanwhile is still refused by the
   * outcomes' key.
   */
  private readonly resumeAfter = new Map<string, number>();

  constructor(private readonly database: Database) {}

  async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      let resume: ChunkMemo['resume'];
      const result = await this.database.write(async (tx) => {
        const done = await work(tx);
        resume = this.memos.get(tx)?.resume;
        return done;
      });
      if (resume) this.remember(resume.part, resume.after);
      return result;
    } catch (error) {
      if (!this.database.isStoreFault(error)) throw error;
      // What the store acknowledged before may be gone with it (a failover): resume points are not trusted after a fault.
      this.resumeAfter.clear();
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- driver codes are strings or numbers, never objects
      const reason = String(driverErrorCode(error) ?? (error as Error).message);
      throw new StoreFailure(`the database failed (${reason})`, error);
    }
  }

  async load(tx: EntityManager, locator: BatchLocator): Promise<Batch | null> {
    const row = await tx.findOne(BatchSchema, { where: this.where(locator) });
    if (row === null) {
      this.memos.delete(tx);
      return null;
    }
    this.memos.set(tx, { key: { locator, pk: row.pk, total: row.total } });
    return fromBatchRow(row);
  }

  async pendingItems(tx: EntityManager, lease: BatchLease, limit: number): Promise<PendingItem[]> {
    const batch = await this.keyOf(tx, lease.locator);
    if (batch === null) return [];
    // One more than asked for: whether the part has items after these, which recordChunk then
    // need not look for again.
    const key = partKey(batch.pk, lease);
    const point = this.resumeAfter.get(key);
    const { rows, resumed } = await pendingOfPart(tx, batch.pk, lease.part, batch.total, point, limit + 1);
    if (point !== undefined && !resumed) this.resumeAfter.delete(key);
    const given = rows.slice(0, limit);
    const memo = this.memos.get(tx);
    if (memo) {
      const refs = new Map(given.map((r) => [r.seq, [r.refId, r.row] as const]));
      memo.pending = { part: lease.part, seqs: given.map((r) => r.seq), more: rows.length > limit, refs };
    }
    return given.map((r) => ({ seq: r.seq, refId: r.refId, row: r.row, input: JSON.parse(r.input) as unknown }));
  }

  async recordChunk(tx: EntityManager, lease: BatchLease, outcomes: readonly ItemOutcome[], progress: (batch: Batch) => void): Promise<RecordedChunk> {
    const key = await this.keyOf(tx, lease.locator);
    if (key === null) throw new Error(`Batch ${lease.locator.batchId} is not stored`);
    await writeItemOutcomes(tx, key.pk, lease.locator.batchId, outcomes, this.memos.get(tx)?.pending?.refs);
    this.noteResume(tx, key.pk, lease, outcomes);
    // Only now the batch's row: its lock is held from here to the commit, a moment, so that chunks
    // of other parts wait for it briefly and each counts on top of the others.
    const row = await tx.findOne(BatchSchema, { where: { pk: key.pk }, ...lockedForUpdate(tx) });
    if (row === null) throw new Error(`Batch ${lease.locator.batchId} is not stored`);
    const batch = fromBatchRow(row);
    if (outcomes.length > 0) {
      progress(batch);
      await writeProgress(tx, key.pk, batch);
    }
    if (batch.isFinished) return { batch, partDone: true };
    if (await this.partHasWorkLeft(tx, lease, key, outcomes.length)) return { batch, partDone: false };
    await execute(tx, 'DELETE FROM batch_parts WHERE batch_pk = ? AND part = ?', [key.pk, lease.part]);
    const memo = this.memos.get(tx);
    if (memo) memo.resume = { part: partKey(key.pk, lease), after: null };
    return { batch, partDone: true };
  }

  /** Notes where the part resumes if these outcomes are those of the first pending items this transaction read, in order. */
  private noteResume(tx: EntityManager, batchPk: number, lease: BatchLease, outcomes: readonly ItemOutcome[]): void {
    const memo = this.memos.get(tx);
    const read = memo?.pending;
    const last = outcomes.at(-1);
    if (memo === undefined || read?.part !== lease.part || last === undefined || !outcomes.every((o, i) => o.seq === read.seqs[i])) return;
    memo.resume = { part: partKey(batchPk, lease), after: last.seq };
  }

  private remember(part: string, after: number | null): void {
    if (after === null) {
      this.resumeAfter.delete(part);
      return;
    }
    if (!this.resumeAfter.has(part) && this.resumeAfter.size >= RESUME_POINTS) this.resumeAfter.clear();
    this.resumeAfter.set(part, after);
  }

  async claim(owner: string, kinds: readonly string[], now: number, expiresAt: number): Promise<BatchLease | null> {
    if (kinds.length === 0) return null;
    // Most looks of a worker with nothing to do find nothing: look on the reader first, so that
    // they take no write lock from submits. The write below looks again, under the lock.
    const [open] = await this.database.read((manager) => select<{ pk: number }>(manager, `SELECT p.pk ${claimable(kinds.length)} LIMIT 1`, [now, ...kinds]));
    if (open === undefined) return null;
    return this.database.write(async (tx) => {
      const skip = onPostgres(tx) ? ' FOR UPDATE OF p SKIP LOCKED' : '';
      const [picked] = await select<{ pk: number; priorOwner: string | null }>(tx, nextClaim(kinds.length, skip), [now, ...kinds]);
      if (picked === undefined) return null;
      const [taken] = await select<{ batchPk: number; part: number }>(tx, CLAIM_PICKED, [owner, expiresAt, picked.pk, now]);
      if (taken === undefined) return null;
      const [batch] = await select<{ tenantId: string; id: string; kind: string; targetType: string }>(
        tx,
        'SELECT tenant_id AS "tenantId", id, kind, target_type AS "targetType" FROM batches WHERE pk = ?',
        [taken.batchPk],
      );
      if (batch === undefined) throw new Error(`Part ${taken.part} of batch row ${taken.batchPk} has no batch`);
      await execute(tx, TAKE_TURN, [batch.tenantId]);
      const locator = { tenantId: batch.tenantId, kind: batch.kind, targetType: batch.targetType, batchId: batch.id as BatchLocator['batchId'] };
      // A part whose lease was given up or never taken has no owner; one still named held a lease that expired.
      return { locator, part: taken.part, owner, expiresAt, ...(picked.priorOwner === null ? {} : { takenOver: true }) };
    }, LEASE_WRITE);
  }

  async othersWaiting(tenantId: string, kinds: readonly string[], now: number): Promise<boolean> {
    if (kinds.length === 0) return false;
    const [other] = await this.database.read((manager) =>
      select<{ pk: number }>(manager, `SELECT p.pk ${claimable(kinds.length)} AND b.tenant_id <> ? LIMIT 1`, [now, ...kinds, tenantId]),
    );
    return other !== undefined;
  }

  renew(lease: BatchLease, _now: number, expiresAt: number): Promise<boolean> {
    return this.database.write(async (tx) => {
      const changed = await execute(tx, `UPDATE batch_parts SET lease_expires_at = ? WHERE ${PART_OF_LEASE}`, [expiresAt, ...this.leaseKey(lease)]);
      return changed === 1;
    }, LEASE_WRITE);
  }

  async release(lease: BatchLease): Promise<void> {
    await this.database.write(
      (tx) => execute(tx, `UPDATE batch_parts SET lease_owner = NULL, lease_expires_at = NULL WHERE ${PART_OF_LEASE}`, this.leaseKey(lease)),
      LEASE_WRITE,
    );
  }

  private leaseKey(lease: BatchLease): unknown[] {
    return [lease.locator.tenantId, lease.locator.batchId, lease.part, lease.owner];
  }

  private where(locator: BatchLocator) {
    return { tenantId: locator.tenantId, id: locator.batchId, kind: locator.kind, targetType: locator.targetType, intakeOpen: 0 };
  }

  /**
   * Whether the part still has pending items once `recorded` outcomes are written. Outcomes are
   * given for the first pending items in order (all of them, or fewer when the handler's time was
   * up), and items never become pending again: when this transaction read the part's pending items
   * itself, what it read answers; otherwise the part is looked at.
   */
  private async partHasWorkLeft(tx: EntityManager, lease: BatchLease, key: { pk: number; total: number }, recorded: number): Promise<boolean> {
    const pending = this.memos.get(tx)?.pending;
    if (pending?.part === lease.part && recorded <= pending.seqs.length) return pending.more || recorded < pending.seqs.length;
    const part = partItems(lease.part, key.total);
    const [left] = await select<{ seq: number }>(tx, `SELECT i.seq AS seq FROM batch_items i WHERE i.batch_pk = ? AND ${part.where} LIMIT 1`, [
      key.pk,
      ...part.params,
    ]);
    return left !== undefined;
  }

  /** The batch's row key and size, or null when no such batch is stored. */
  private async keyOf(tx: EntityManager, locator: BatchLocator): Promise<{ pk: number; total: number } | null> {
    const known = this.memos.get(tx)?.key;
    if (known && sameLocator(known.locator, locator)) return known;
    const row = await tx.findOne(BatchSchema, { select: { pk: true, total: true }, where: this.where(locator) });
    return row === null ? null : { pk: row.pk, total: row.total };
  }
}
