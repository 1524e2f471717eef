// BatchProcessingStore over TypeORM: chunk transactions through Database.write, and leases on
// batches so that one worker at a time processes a batch and a dead worker's batch is taken up
// again once its lease expires. Claims go round robin between tenants (tenant_turns), and a
// failure of the database itself (as the Database tells it) comes out as a StoreFailure (ADR 0013).
// Writers assumed: any number of workers, in threads or processes, on a store whose transactions
// are atomic but may interleave (ADR 0016). A claim is therefore one conditional UPDATE that
// re-checks the batch is still free as it takes it, and a renewal or release names its owner.
import { Batch, BatchLease, BatchLocator, BatchProcessingStore, ItemOutcome, PendingItem, StoreFailure } from '@container-service/batch-domain';
import { EntityManager } from 'typeorm';
import { fromBatchRow } from './batch.mapper';
import { Database } from './database';
import { BatchItemSchema, BatchSchema } from './schemas/batch.schema';
import { driverErrorCode, execute, lockedForUpdate, placeholders, select } from './sql';
import { writeOutcomes } from './batch-outcomes.writes';

/** Batches a worker may take: unfinished, fully received, and under no lease still live at `?`; then `kind IN (…)` follows. */
const CLAIMABLE = 'FROM batches WHERE completed_at IS NULL AND intake_open = 0 AND (lease_expires_at IS NULL OR lease_expires_at <= ?) AND kind IN';
/**
 * The batch to claim: of the tenant whose turn is oldest (never served first), its oldest batch.
 * Ties between tenants that were never served go to the oldest batch.
 */
const nextClaim = (kinds: number) => `SELECT b.pk
  FROM batches b LEFT JOIN tenant_turns t ON t.tenant_id = b.tenant_id
  WHERE b.completed_at IS NULL AND b.intake_open = 0 AND (b.lease_expires_at IS NULL OR b.lease_expires_at <= ?) AND b.kind IN (${placeholders(kinds)})
  ORDER BY COALESCE(t.turn, 0), b.created_at, b.pk LIMIT 1`;
/**
 * Takes the next batch in one statement, and only if it is still free as the row is written: a
 * worker that lost the race to another (which, under PostgreSQL's READ COMMITTED, re-checks the
 * row once the winner commits) takes nothing and is answered null, never a batch leased twice.
 */
const claimStatement = (kinds: number) => `UPDATE batches SET lease_owner = ?, lease_expires_at = ?
  WHERE pk = (${nextClaim(kinds)}) AND completed_at IS NULL AND intake_open = 0 AND (lease_expires_at IS NULL OR lease_expires_at <= ?)
  RETURNING tenant_id AS "tenantId", id, kind, target_type AS "targetType"`;
const TAKE_TURN = `INSERT INTO tenant_turns (tenant_id, turn) VALUES (?, (SELECT COALESCE(MAX(turn), 0) + 1 FROM tenant_turns))
  ON CONFLICT (tenant_id) DO UPDATE SET turn = excluded.turn`;

export class TypeOrmBatchProcessingStore implements BatchProcessingStore<EntityManager> {
  constructor(private readonly database: Database) {}

  async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.database.write(work);
    } catch (error) {
      if (!this.database.isStoreFault(error)) throw error;
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- driver codes are strings or numbers, never objects
      const reason = String(driverErrorCode(error) ?? (error as Error).message);
      throw new StoreFailure(`the database failed (${reason})`, error);
    }
  }

  /** Locks the batch's row for the chunk's transaction: a cancel meanwhile waits, then sees its outcomes. */
  async load(tx: EntityManager, locator: BatchLocator): Promise<Batch | null> {
    const row = await tx.findOne(BatchSchema, {
      where: { tenantId: locator.tenantId, id: locator.batchId, kind: locator.kind, targetType: locator.targetType, intakeOpen: 0 },
      ...lockedForUpdate(tx),
    });
    return row === null ? null : fromBatchRow(row);
  }

  async pendingItems(tx: EntityManager, locator: BatchLocator, limit: number): Promise<PendingItem[]> {
    const rows = await tx
      .createQueryBuilder()
      .select(['i.seq AS seq', 'i.ref_id AS "refId"', 'i.row AS row', 'i.input AS input'])
      .from(BatchItemSchema, 'i')
      .innerJoin(BatchSchema.options.name, 'b', 'b.pk = i.batch_pk')
      .where('b.tenant_id = :tenantId AND b.id = :batchId AND b.kind = :kind AND b.target_type = :targetType AND b.intake_open = 0 AND i.state = :pending', {
        tenantId: locator.tenantId,
        kind: locator.kind,
        batchId: locator.batchId,
        targetType: locator.targetType,
        pending: 'pending',
      })
      .orderBy('i.seq', 'ASC')
      .limit(limit)
      .getRawMany<{ seq: number; refId: string; row: number | null; input: string }>();
    return rows.map((r) => ({ seq: r.seq, refId: r.refId, row: r.row, input: JSON.parse(r.input) as unknown }));
  }

  recordChunk(tx: EntityManager, batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void> {
    return writeOutcomes(tx, batch, outcomes);
  }

  async claim(owner: string, kinds: readonly string[], now: number, expiresAt: number): Promise<BatchLease | null> {
    if (kinds.length === 0) return null;
    // Most looks of a worker with nothing to do find nothing: look on the reader first, so that
    // they take no write lock from submits. The write below looks again, under the lock.
    const [open] = await this.database.read((manager) =>
      select<{ pk: number }>(manager, `SELECT pk ${CLAIMABLE} (${placeholders(kinds.length)}) LIMIT 1`, [now, ...kinds]),
    );
    if (open === undefined) return null;
    return this.database.write(async (tx) => {
      const [row] = await select<{ tenantId: string; id: string; kind: string; targetType: string }>(tx, claimStatement(kinds.length), [
        owner,
        expiresAt,
        now,
        ...kinds,
        now,
      ]);
      if (row === undefined) return null;
      await execute(tx, TAKE_TURN, [row.tenantId]);
      return { locator: { tenantId: row.tenantId, kind: row.kind, targetType: row.targetType, batchId: row.id as BatchLocator['batchId'] }, owner, expiresAt };
    });
  }

  async othersWaiting(tenantId: string, kinds: readonly string[], now: number): Promise<boolean> {
    if (kinds.length === 0) return false;
    const [other] = await this.database.read((manager) =>
      select<{ pk: number }>(manager, `SELECT pk ${CLAIMABLE} (${placeholders(kinds.length)}) AND tenant_id <> ? LIMIT 1`, [now, ...kinds, tenantId]),
    );
    return other !== undefined;
  }

  renew(lease: BatchLease, _now: number, expiresAt: number): Promise<boolean> {
    return this.database.write(async (tx) => {
      const result = await tx.update(
        BatchSchema,
        { tenantId: lease.locator.tenantId, id: lease.locator.batchId, leaseOwner: lease.owner },
        { leaseExpiresAt: expiresAt },
      );
      return result.affected === 1;
    });
  }

  async release(lease: BatchLease): Promise<void> {
    await this.database.write((tx) =>
      tx.update(
        BatchSchema,
        { tenantId: lease.locator.tenantId, id: lease.locator.batchId, leaseOwner: lease.owner },
        { leaseOwner: null, leaseExpiresAt: null },
      ),
    );
  }
}
