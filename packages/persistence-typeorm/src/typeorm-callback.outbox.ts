// CallbackOutbox over TypeORM: finished batches whose callback waits are claimed under a lease
// (longer than a try can last, so that two dispatchers never send the same try at once), in
// turns between tenants so that one tenant's many callbacks never queue another's behind them,
// and each try is recorded with the batch's callback state in one write. Secrets are opened on
// the way out when a SecretSealer is given, and dropped once the callback is final.
// Writers assumed: any number of dispatchers, in threads or processes, on a store whose
// transactions are atomic but may interleave (ADR 0016). So the lease is taken by a conditional
// UPDATE that re-checks each callback is still due and free, and only what it took is handed out.
import { Batch, BatchLocator, CallbackAttempt, CallbackOutbox, CallbackShare, DueCallback, SecretSealer, pickFairly } from '@container-service/batch-domain';
import { fromBatchRow } from './batch.mapper';
import { Database } from './database';
import { BatchCallbackSchema } from './schemas/batch-callback.schema';
import { BatchSchema } from './schemas/batch.schema';
import { execute, lockedForUpdate, placeholders, select } from './sql';

interface DueRow {
  pk: number | string;
  tenant_id: string;
  kind: string;
  target_type: string;
  id: string;
  callback_attempts: number | string;
  url: string;
  meta: string | null;
  secret: string | null;
  request_id: string;
}

/** Candidates read per claim, at most: enough to fill the free slots in turns, never a scan of every tenant's backlog. */
const MAX_CANDIDATES = 2000;

/** Finished batches of the kinds whose callback is due and not leased (parameters: now, now, kinds). */
const dueAndFree = (kinds: number) => `FROM batches b INNER JOIN batch_callbacks c ON c.batch_pk = b.pk
  WHERE b.callback_state = 'PENDING' AND b.completed_at IS NOT NULL
    AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= ?)
    AND (c.lease_expires_at IS NULL OR c.lease_expires_at <= ?)
    AND b.kind IN (${placeholders(kinds)})`;

const DUE_COLUMNS = `b.pk AS pk, b.tenant_id AS tenant_id, b.kind AS kind, b.target_type AS target_type, b.id AS id,
  b.callback_attempts AS callback_attempts, c.url AS url, c.meta AS meta, c.secret AS secret, c.request_id AS request_id`;

// Each tenant's due callbacks numbered oldest first (`turn`), then all of them by turn: the first
// of every tenant, then the second of every tenant, and so on.
const dueInTurns = (kinds: number) => `
  SELECT pk, tenant_id, kind, target_type, id, callback_attempts, url, meta, secret, request_id FROM (
    SELECT ${DUE_COLUMNS}, b.completed_at AS completed_at,
           ROW_NUMBER() OVER (PARTITION BY b.tenant_id ORDER BY b.completed_at, b.pk) AS turn
    ${dueAndFree(kinds)}
  ) due
  WHERE turn <= ?
  ORDER BY turn, completed_at, pk
  LIMIT ?`;

/** Leases the listed callbacks that are still due and free as their rows are written; says which. */
const lease = (n: number) => `UPDATE batch_callbacks SET lease_owner = ?, lease_expires_at = ?
  WHERE batch_pk IN (${placeholders(n)})
    AND (lease_expires_at IS NULL OR lease_expires_at <= ?) AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
    AND EXISTS (SELECT 1 FROM batches b WHERE b.pk = batch_callbacks.batch_pk AND b.callback_state = 'PENDING')
  RETURNING batch_pk AS pk`;

/** The callbacks just leased, as they stand under the lease. */
const leased = (n: number) => `SELECT ${DUE_COLUMNS} FROM batches b INNER JOIN batch_callbacks c ON c.batch_pk = b.pk WHERE b.pk IN (${placeholders(n)})`;

export class TypeOrmCallbackOutbox implements CallbackOutbox {
  constructor(
    private readonly database: Database,
    private readonly secrets: SecretSealer | null = null,
  ) {}

  async claimDue(owner: string, kinds: readonly string[], now: number, leaseUntil: number, limit: number, share?: CallbackShare): Promise<DueCallback[]> {
    if (limit <= 0 || kinds.length === 0) return [];
    // A tenant never takes more than all the slots; a share caps it lower in pickFairly.
    const turns = share ? Math.max(1, share.slots) : limit;
    const scan = Math.min(MAX_CANDIDATES, Math.max(limit, turns) * (share ? 4 : 1));
    // Chosen on the reader, so that a look takes no write lock (which submits and chunks wait
    // for) unless it has something to take: most looks find nothing due, or only callbacks of
    // tenants whose tries in flight already fill their share.
    const candidates = await this.database.read((manager) => select<DueRow>(manager, dueInTurns(kinds.length), [now, now, ...kinds, turns, scan]));
    const picked = pickFairly(
      candidates.map((row) => ({ pk: Number(row.pk), tenantId: row.tenant_id })),
      limit,
      share,
    );
    if (picked.length === 0) return [];
    // The lease takes only what is still due and free as its rows are written; what it took is
    // then read under the lease, so that a try made meanwhile by another dispatcher is counted.
    return this.database.write(async (manager) => {
      const taken = await select<{ pk: number | string }>(manager, lease(picked.length), [owner, leaseUntil, ...picked.map((p) => p.pk), now, now]);
      if (taken.length === 0) return [];
      const rows = await select<DueRow>(
        manager,
        leased(taken.length),
        taken.map((row) => Number(row.pk)),
      );
      const byPk = new Map(rows.map((row) => [Number(row.pk), row]));
      return picked.flatMap(({ pk }) => {
        const row = byPk.get(pk);
        return row === undefined ? [] : [this.toDue(row)];
      });
    });
  }

  async recordAttempt(locator: BatchLocator, attempt: CallbackAttempt): Promise<void> {
    await this.database.write(async (manager) => {
      const row = await manager.findOne(BatchSchema, {
        where: { tenantId: locator.tenantId, id: locator.batchId, kind: locator.kind, targetType: locator.targetType },
        ...lockedForUpdate(manager),
      });
      if (row === null) return; // purged meanwhile
      const batch = fromBatchRow(row);
      batch.recordCallbackAttempt(attempt.delivered, attempt.maxAttempts);
      const snapshot = batch.toSnapshot();
      const pending = snapshot.callbackState === 'PENDING';
      await manager.update(BatchSchema, { pk: row.pk }, { callbackState: snapshot.callbackState, callbackAttempts: snapshot.callbackAttempts });
      await manager.update(
        BatchCallbackSchema,
        { batchPk: row.pk },
        // A final callback needs its secret no more: it is not kept.
        {
          nextAttemptAt: pending ? attempt.nextAttemptAt : null,
          lastError: attempt.error,
          leaseOwner: null,
          leaseExpiresAt: null,
          ...(pending ? {} : { secret: null }),
        },
      );
    });
  }

  async releaseClaim(locator: BatchLocator, owner: string): Promise<void> {
    await this.database.write(async (manager) => {
      await execute(
        manager,
        'UPDATE batch_callbacks SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = ? AND batch_pk = (SELECT pk FROM batches WHERE tenant_id = ? AND id = ? AND kind = ? AND target_type = ?)',
        [owner, locator.tenantId, locator.batchId, locator.kind, locator.targetType],
      );
    });
  }

  private toDue(row: DueRow): DueCallback {
    const locator = { tenantId: row.tenant_id, kind: row.kind, targetType: row.target_type, batchId: row.id as Batch['id'] };
    const base = { url: row.url, meta: row.meta === null ? null : (JSON.parse(row.meta) as unknown), requestId: row.request_id };
    const attempts = Number(row.callback_attempts);
    if (row.secret === null || this.secrets === null) return { locator, target: { ...base, secret: row.secret }, attempts };
    const opened = this.secrets.open(row.secret);
    if (opened.ok) return { locator, target: { ...base, secret: opened.value }, attempts };
    return { locator, target: { ...base, secret: null }, attempts, undeliverable: `the callback secret cannot be opened: ${opened.error}` };
  }
}
